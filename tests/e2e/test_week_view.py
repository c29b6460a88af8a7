"""A week of care in one screen: on a 390 px phone a holder logs 5 days of 4 hours of a week
that crosses from September into October in at most 7 interactions and one save (htmx, no
reload), and the month pages show the hours; and a week of three agreements saved at once
with the keyboard, the week totals following what is typed."""

from datetime import date, time

from declarations.models import TimeEntry
from declarations.services import hours as hour_services

from ..conftest import _agreement
from ..factories import HolderProviderFactory

CROSSING = date(2026, 9, 28)  # Monday 28 September to Sunday 4 October 2026: week 40
WORKDAYS = [date(2026, 9, 28), date(2026, 9, 29), date(2026, 9, 30), date(2026, 10, 1),
            date(2026, 10, 2)]  # fmt: skip
MAX_INTERACTIONS = 7
PHONE_SCREEN = 844


class Counted:
    """The taps and typed fields of a person, counted."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def tap(self, locator):
        locator.click()
        self.count += 1

    def type(self, locator, text: str):
        locator.fill(text)
        self.count += 1


def _field(agreement, day: date, kind: str = "quantity") -> str:
    return f"#id_a{agreement.pk}_{day:%Y%m%d}_{kind}"


def _no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"


def test_a_holder_logs_a_week_across_two_months_on_a_phone(e2e_world, open_browser):
    agreement = e2e_world.mine_wmo_agreement
    tab = open_browser("nl", phone=True)
    page = tab.page
    tab.login("holder")
    tab.go(f"/agreements/{agreement.pk}/hours/2026-10/")  # the month, for review
    person = Counted(page)

    person.tap(page.get_by_role("link", name="Week 40 invullen"))
    page.wait_for_url(f"**/holders/{e2e_world.mine.pk}/week/2026-09-28/")
    tab.check()
    assert page.locator("h1").inner_text() == "Week 40 (28 september – 4 oktober 2026)"
    _no_horizontal_scroll(page)

    # one compact row per day, the week of one agreement within two screens
    section = page.locator("section.week-agreement", has=page.locator(_field(agreement, CROSSING)))
    rows = section.locator(".week-day:not(.week-day--head)")
    assert rows.count() == 7
    for index in range(7):
        assert rows.nth(index).bounding_box()["height"] <= 100
    assert section.bounding_box()["height"] <= 2 * PHONE_SCREEN

    for day in WORKDAYS:
        person.type(page.locator(_field(agreement, day)), "4")
    total = section.locator("[data-week-words]")
    assert total.inner_text() == "20 uur: 12 uur meer dan afgesproken"  # live, before saving
    url = page.url
    person.tap(page.get_by_role("button", name="Week opslaan"))
    page.locator("#week-status").get_by_text("Opgeslagen: de uren van week 40.").wait_for()
    assert page.url == url  # swapped in place, no reload
    tab.check()
    assert person.count <= MAX_INTERACTIONS, person.count
    assert section.locator("[data-week-words]").inner_text() == (
        "20 uur: 12 uur meer dan afgesproken"
    )

    saved = TimeEntry.objects.filter(agreement=agreement).order_by("care_date")
    assert [(e.care_date, e.quantity) for e in saved] == [(day, 4) for day in WORKDAYS]

    # the month pages show them, each its own days
    tab.go(f"/agreements/{agreement.pk}/hours/2026-09/")
    assert [page.locator(f"#id_day_{day}").input_value() for day in (28, 29, 30)] == ["4"] * 3
    tab.go(f"/agreements/{agreement.pk}/hours/2026-10/")
    assert [page.locator(f"#id_day_0{day}").input_value() for day in (1, 2)] == ["4"] * 2
    _no_horizontal_scroll(page)


def test_a_week_of_three_agreements_is_saved_at_once_with_the_keyboard(e2e_world, open_browser):
    world = e2e_world
    third_link = HolderProviderFactory(holder=world.mine)
    third = _agreement(world.mine, third_link.provider, world.mine_wmo_budget)
    agreements = [world.mine_wmo_agreement, world.mine_wlz_agreement, third]
    for phone in (False, True):
        tab = open_browser("en", phone=phone)
        page = tab.page
        tab.login("holder")
        tab.go(f"/holders/{world.mine.pk}/week/2026-10-01/")  # a Thursday: its Monday
        assert page.url.endswith("/week/2026-09-28/")
        assert page.locator("section.week-agreement").count() == 3
        _no_horizontal_scroll(page)
        if phone:
            continue
        hours = {agreements[0]: "10", agreements[1]: "3,5", agreements[2]: "2"}
        for agreement, typed in hours.items():
            page.locator(_field(agreement, date(2026, 10, 1))).fill(typed)
        first = page.locator(
            "section.week-agreement", has=page.locator(_field(agreements[0], CROSSING))
        )
        assert first.locator("[data-week-words]").inner_text() == (
            "10 hours: 2 hours more than agreed"
        )
        page.locator(_field(agreements[2], date(2026, 10, 1), "note")).fill("afternoon walk")
        page.keyboard.press("Enter")  # the form sends with Enter
        page.locator("#week-status").get_by_text("Saved: the hours of week 40.").wait_for()
        tab.check()
    saved = {
        e.agreement_id: (e.care_date, str(e.quantity), e.note)
        for e in TimeEntry.objects.filter(agreement__in=agreements)
    }
    assert saved == {
        agreements[0].pk: (date(2026, 10, 1), "10.00", ""),
        agreements[1].pk: (date(2026, 10, 1), "3.50", ""),
        agreements[2].pk: (date(2026, 10, 1), "2.00", "afternoon walk"),
    }


def test_an_agreement_logged_with_times_takes_a_start_and_an_end_on_a_phone(
    e2e_world, open_browser
):
    world = e2e_world
    agreement = world.mine_wlz_agreement
    hour_services.time_entry_add(
        actor=world.users["holder"],
        agreement_id=agreement.pk,
        care_date=date(2026, 9, 22),
        start_time=time(9),
        end_time=time(12, 30),
    )  # the week before: this agreement is logged with times
    tab = open_browser("nl", phone=True)
    page = tab.page
    tab.login("holder")
    tab.go(f"/holders/{world.mine.pk}/week/2026-09-28/")
    section = page.locator(
        "section.week-agreement", has=page.locator(_field(agreement, CROSSING, "start"))
    )
    rows = section.locator(".week-day:not(.week-day--head)")
    for index in range(7):
        assert rows.nth(index).bounding_box()["height"] <= 100
    page.locator(_field(agreement, CROSSING, "start")).fill("22:00")
    page.locator(_field(agreement, CROSSING, "end")).fill("02:00")  # a night shift
    assert section.locator("[data-week-words]").inner_text() == "4 van 8 afgesproken uur"
    page.get_by_role("button", name="Week opslaan").click()
    page.locator("#week-status").get_by_text("Opgeslagen").wait_for()
    tab.check()
    entry = TimeEntry.objects.get(agreement=agreement, care_date=CROSSING)
    assert (entry.start_time, entry.end_time, entry.quantity) == (time(22), time(2), 4)
