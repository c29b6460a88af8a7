"""A holder logs a month on a phone, sees the findings, fixes them and exports the batch; a
representative switches between the holders they act for."""

import re

import pytest

from declarations.models import Declaration

from ..factories import BudgetFactory, BudgetHolderFactory, MandateFactory

OCTOBER = "2026-10"


@pytest.mark.parametrize("language", ["nl", "en"])
def test_holder_logs_a_month_on_a_phone_fixes_the_findings_and_exports(
    e2e_world, open_browser, language
):
    agreement = e2e_world.mine_wmo_agreement
    tab = open_browser(language, phone=True)
    page = tab.page
    tab.login("holder")
    tab.go(f"/holders/{e2e_world.mine.pk}/")
    assert page.locator("h1").inner_text()

    # the month grid as a day list: a typo first, then too many hours in a week
    tab.go(f"/agreements/{agreement.pk}/hours/{OCTOBER}/")
    page.locator("#id_day_05").fill("25")
    page.locator("#id_day_06").fill("abc")
    page.locator("form[data-hour-grid] button[type=submit]").click()
    page.wait_for_load_state()
    tab.check()
    assert page.locator("#id_day_06_errors").is_visible()
    assert page.locator("#id_day_06").input_value() == "abc"  # what was typed is kept
    page.locator("#id_day_05").fill("10")
    page.locator("#id_day_06").fill("")
    page.locator("form[data-hour-grid] button[type=submit]").click()
    page.wait_for_load_state()
    tab.check()

    # draft and check the month: 10 hours in a week where 8 are agreed
    tab.go(f"/holders/{e2e_world.mine.pk}/declarations/?month={OCTOBER}")
    page.locator("form[action$='/declarations/draft/'] input[name=month]").fill(OCTOBER)
    page.locator("form[action$='/declarations/draft/'] button[type=submit]").click()
    page.wait_for_load_state()
    tab.check()
    declaration = Declaration.objects.get(agreement=agreement, month="2026-10-01")
    tab.go(f"/declarations/{declaration.pk}/")
    findings = page.locator(".finding")
    assert findings.count() >= 1
    assert page.locator("#day-2026-10-05 .finding").count() >= 1  # next to its day

    # fix it: the agreed hours, check again, acknowledge what is left with a reason
    tab.go(f"/agreements/{agreement.pk}/hours/{OCTOBER}/")
    page.locator("#id_day_05").fill("4")
    page.locator("form[data-hour-grid] button[type=submit]").click()
    page.wait_for_load_state()
    tab.go(f"/declarations/{declaration.pk}/")
    page.locator("form[action$='/validate/'] button").click()
    page.wait_for_load_state()
    tab.check()
    assert (
        page.locator("#day-2026-10-05 .finding.warning, #day-2026-10-05 .finding.error").count()
        == 0
    )
    while page.locator("form[action*='/acknowledge/']").count():
        form = page.locator("form[action*='/acknowledge/']").first
        form.locator("textarea").fill("Agreed with the municipality in writing")
        form.locator("button").click()
        page.wait_for_load_state()
        tab.check()
    page.locator("form[action$='/validate/'] button").click()
    page.wait_for_load_state()
    declaration.refresh_from_db()
    assert declaration.status == "validated"

    # export and download the batch
    tab.go(f"/holders/{e2e_world.mine.pk}/batches/")
    page.locator("main form input[name=month]").fill(OCTOBER)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    tab.check()
    declaration.refresh_from_db()
    assert declaration.status == "exported"
    with page.expect_download() as download:
        page.locator("a[href$='/xlsx/']").first.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    tab.go(f"/holders/{e2e_world.mine.pk}/weekly-totals/{OCTOBER}/")
    assert re.search(r"[Ww]eek 4[0-4] \(", page.content())  # a week in words, not 2026-W41


@pytest.mark.parametrize("language", ["nl", "en"])
def test_representative_switches_holders(e2e_world, open_browser, language):
    second = BudgetHolderFactory(surname="Tweede")
    BudgetFactory(holder=second, funder=e2e_world.the_hague)
    MandateFactory(user=e2e_world.users["representative"], holder=second, role="representative")
    tab = open_browser(language)
    tab.login("representative")
    tab.go(f"/holders/{e2e_world.mine.pk}/")
    assert e2e_world.mine.display_name in tab.page.locator(".holder-line").inner_text()
    tab.page.locator(".pgb-menu__toggle").click()
    tab.page.get_by_role("link", name=second.display_name).click()
    tab.page.wait_for_load_state()
    tab.check()
    assert tab.page.url.endswith(f"/holders/{second.pk}/")
    assert second.display_name in tab.page.locator(".holder-line").inner_text()
