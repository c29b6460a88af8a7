"""A bureau with 500 holders, on a phone: finds a holder by name with the keyboard, then
validates all 500 at once and sees the run finish above the list; no page is wider than the
phone. (Celery runs eager in the tests: the run is done when the page comes back.)"""

from datetime import date

import pytest

from declarations.demo.bureau import bureau_holders_create
from declarations.models import Declaration
from declarations.services import hours as hour_services
from pgb_admin.budgets.models import BudgetHolder

from ..factories import bsn_from

OCTOBER = date(2026, 10, 1)
CLEAN_WEEK = {0: "4", 3: "4"}
HOLDERS = 500
PHONE_WIDTH = 390


def _bureau_of_500(world) -> list[int]:
    """The bureau persona acts for ``mine`` and 499 holders more, made set-based; each has
    October's hours. One of them has a name no other has."""
    bureau = world.users["bureau"]
    hour_services.time_entries_fill_month(
        actor=bureau, agreement_id=world.mine_wmo_agreement.pk, month=OCTOBER, pattern=CLEAN_WEEK
    )
    made = bureau_holders_create(
        user=bureau,
        count=HOLDERS - 1,
        bsns=(bsn_from(72_345_000 + number * 7) for number in range(10_000)),
        funders=[world.the_hague],
        months=[OCTOBER],
    )
    BudgetHolder.objects.filter(pk=made.holder_ids[321]).update(
        first_name="Xandra", surname="Zuidervaart"
    )
    return [world.mine.pk, *made.holder_ids]


def _fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} is {width} px wide"


@pytest.mark.parametrize("language", ["nl"])
def test_a_bureau_of_500_finds_a_holder_and_validates_them_all(e2e_world, open_browser, language):
    holder_ids = _bureau_of_500(e2e_world)
    tab = open_browser(language, phone=True)
    page = tab.page
    tab.login("bureau")
    tab.go("/bureau/?month=2026-10")
    _fits_the_phone(page)
    assert page.locator("#holders-count").inner_text().startswith("1–50 van 500")
    assert page.locator("input[name=holders]").count() == 50

    # a BSN is never sent: the page stops it before it reaches the address bar
    search = page.locator("#console-q")
    bsn = BudgetHolder.objects.get(pk=holder_ids[7]).bsn
    search.fill(bsn)
    search.press("Enter")
    page.locator("#console-q-error").wait_for()
    assert "q=" not in page.url
    assert search.input_value() == ""

    # find a holder by name: type it and press Enter
    search.fill("zuidervaart")
    search.press("Enter")
    page.wait_for_load_state()
    tab.check()
    _fits_the_phone(page)
    rows = page.locator("#id_holders tbody tr")
    assert rows.count() == 1
    assert rows.first.locator("th a").inner_text() == "Xandra Zuidervaart"
    assert "q=zuidervaart" in page.url

    # back to everyone, and validate all 500 with the button above the list
    page.locator("a", has_text="Wis de zoekopdracht en filters").click()
    page.wait_for_load_state()
    assert page.locator("#holders-count").inner_text().startswith("1–50 van 500")
    button = page.locator("button[value=validate_all]")
    assert button.bounding_box()["y"] < 1600  # within two screens, not 5,000 px down
    # the run (eager) happens in the request: the answer may take a while on a busy machine
    with page.expect_navigation(timeout=300_000):
        button.click(no_wait_after=True)
    page.wait_for_load_state()
    bar = page.locator("#task-progress-bar")
    bar.wait_for()
    page.wait_for_function(
        "() => { const bar = document.querySelector('#task-progress-bar');"
        " return bar && bar.max > 0 && bar.value >= bar.max; }"
    )
    assert "Klaar" in page.locator("#task-progress-status").inner_text()
    assert page.locator("#task-progress").bounding_box()["y"] < 1600  # near the button
    tab.check()
    _fits_the_phone(page)
    validated = Declaration.objects.filter(
        agreement__holder_id__in=holder_ids, month=OCTOBER, validated_at__isnull=False
    )
    assert validated.values("agreement__holder_id").distinct().count() == HOLDERS
