"""The week page per persona, saved with htmx (the form comes back, swapped in place) and
without JavaScript (a POST and a redirect); and the pages that fill weeks from a pattern:
preview, fill, undo."""

import re
from datetime import date, time

from django.urls import reverse

import pytest

from declarations.models import TimeEntry
from declarations.services import hours as hour_services

from .test_holder_pages import ALL, SEES_MINE, WRITES_MINE

AUGUST_WEEK = date(2026, 8, 31)  # Monday 31 August to Sunday 6 September (exported)
OCTOBER_WEEK = date(2026, 10, 26)  # Monday 26 October to Sunday 1 November
NOVEMBER = date(2026, 11, 1)
HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(world, monday=OCTOBER_WEEK) -> str:
    return reverse("declarations:week", args=[world.mine.pk, monday])


def _field(world, agreement, day: date, kind: str = "quantity") -> str:
    return f"a{agreement.pk}_{day:%Y%m%d}_{kind}"


def _page_fields(html: str) -> set[str]:
    return set(re.findall(r'name="(a\d+_\d{8}_\w+)"', html))


def _post(client, world, values: dict[str, str], monday=OCTOBER_WEEK, **headers):
    """The form as the page shows it, with ``values`` typed over it."""
    page = client.get(_url(world, monday)).content.decode()
    data = {}
    for name in _page_fields(page):
        match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page)
        data[name] = match.group(1) if match else ""
    data.update(values)
    return client.post(_url(world, monday), data, **headers)


@pytest.mark.parametrize("persona", ALL)
def test_week_page_per_persona(login, api_world, persona):
    response = login(persona).get(_url(api_world))
    assert response.status_code == (200 if persona in SEES_MINE else 404)
    if response.status_code == 200:
        html = response.content.decode()
        assert "Week 44 (26 oktober – 1 november 2026)" in html
        assert "data-week-form" in html
        assert ('hx-post="' in html) == (persona in WRITES_MINE or persona == "staff")


def test_the_week_page_in_english(login, api_world):
    html = login("holder", "en").get(_url(api_world)).content.decode()
    assert "Week 44 (26 October – 1 November 2026)" in html
    assert "2026-W" not in html


def test_a_day_that_is_not_a_monday_goes_to_its_monday(login, api_world):
    client = login("holder")
    response = client.get(_url(api_world, date(2026, 10, 29)))
    assert response.status_code == 302
    assert response["Location"] == _url(api_world)
    now = client.get(reverse("declarations:week_now", args=[api_world.mine.pk]))
    assert now["Location"] == _url(api_world, date(2026, 11, 23))
    assert (
        login("stranger")
        .get(reverse("declarations:week_now", args=[api_world.mine.pk]))
        .status_code
        == 404
    )


def test_a_plain_post_saves_and_redirects_back_with_a_message(login, api_world):
    client = login("holder")
    agreement = api_world.mine_wlz_agreement
    values = {
        _field(api_world, agreement, date(2026, 10, 30)): "4",
        _field(api_world, agreement, date(2026, 10, 31)): "2,5",
        _field(api_world, agreement, date(2026, 11, 1)): "3",
        _field(api_world, agreement, date(2026, 11, 1), "note"): "zondag",
    }
    response = _post(client, api_world, values)
    assert response.status_code == 302
    assert response["Location"] == _url(api_world)
    saved = dict(TimeEntry.objects.filter(agreement=agreement).values_list("care_date", "quantity"))
    assert saved == {
        date(2026, 10, 30): 4,
        date(2026, 10, 31): 2.5,
        date(2026, 11, 1): 3,
    }
    page = client.get(response["Location"]).content.decode()
    assert "Opgeslagen" in page
    assert "9,5 van 8 afgesproken uur" not in page  # 4 + 2,5 + 3 = 9,5 of 8: over
    assert "9,5 uur: 1,5 uur meer dan afgesproken" in page


def test_an_htmx_post_gets_the_form_back_with_the_status(login, api_world):
    client = login("holder")
    agreement = api_world.mine_wlz_agreement
    response = _post(
        client, api_world, {_field(api_world, agreement, date(2026, 10, 27)): "4"}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith("<form")
    assert 'id="week-status" hx-swap-oob="innerHTML"' in html
    assert "Opgeslagen: de uren van week 44." in html
    assert "4 van 8 afgesproken uur" in html
    assert TimeEntry.objects.filter(agreement=agreement, care_date=date(2026, 10, 27)).exists()
    assert "HX-Request" in response["Vary"]


def test_an_error_is_shown_next_to_its_day_and_nothing_is_saved(login, api_world):
    client = login("holder")
    agreement = api_world.mine_wlz_agreement
    good, bad = date(2026, 10, 26), date(2026, 10, 27)
    response = _post(
        client,
        api_world,
        {_field(api_world, agreement, good): "4", _field(api_world, agreement, bad): "abc"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_{_field(api_world, agreement, bad)}_errors"' in html
    assert "abc is geen getal." in html or "abc is not a number." in html
    assert 'aria-invalid="true"' in html
    assert "Niet opgeslagen" in html
    assert not TimeEntry.objects.filter(agreement=agreement).exists()


def test_a_day_in_an_exported_month_is_refused_with_the_whole_week(login, api_world):
    """Only August's days of the week are shown: a value sent anyway for 1 September (its
    month is exported) is refused, naming the day, and 31 August is not saved either."""
    client = login("holder")
    agreement = api_world.mine_wmo_agreement
    page = client.get(_url(api_world, AUGUST_WEEK)).content.decode()
    assert _field(api_world, agreement, date(2026, 8, 31)) in page
    assert _field(api_world, agreement, date(2026, 9, 1)) not in page
    before = TimeEntry.objects.filter(agreement=agreement).count()
    response = _post(
        client,
        api_world,
        {
            _field(api_world, agreement, date(2026, 8, 31)): "7",
            _field(api_world, agreement, date(2026, 9, 1)): "7",
            _field(api_world, agreement, date(2026, 9, 1), "note"): "",
        },
        monday=AUGUST_WEEK,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dinsdag 1 september" in html
    assert "09-2026" in html
    assert TimeEntry.objects.filter(agreement=agreement).count() == before
    assert not TimeEntry.objects.filter(
        agreement=agreement, care_date=date(2026, 8, 31), quantity=7
    ).exists()


@pytest.mark.parametrize("persona", ["family", "auditor_same", "auditor_other", "stranger"])
def test_who_may_not_write_cannot_post_a_week(login, api_world, persona):
    agreement = api_world.mine_wlz_agreement
    response = login(persona).post(
        _url(api_world), {_field(api_world, agreement, date(2026, 10, 27)): "4"}
    )
    assert response.status_code == (403 if persona in SEES_MINE else 404)
    assert not TimeEntry.objects.filter(agreement=agreement).exists()


def test_the_month_page_links_each_week_to_the_week_page(login, api_world):
    html = (
        login("holder")
        .get(reverse("declarations:hours", args=[api_world.mine_wlz_agreement.pk, NOVEMBER]))
        .content.decode()
    )
    assert "Week 44 invullen" in html
    assert _url(api_world) in html
    assert _url(api_world, date(2026, 11, 23)) in html  # at the top: this week


# --- filling weeks from a pattern --------------------------------------------------------------


def _fill_url(world, month=date(2026, 10, 1)):
    return reverse("declarations:fill", args=[world.mine_wlz_agreement.pk, month])


PATTERN = {"weeks": ["2026-10-05", "2026-10-12"], "weekday_0": "4", "weekday_3": "2,5",
           "skip_holidays": "on"}  # fmt: skip


def test_the_preview_lists_the_days_and_writes_nothing(login, api_world):
    client = login("holder")
    page = client.get(_fill_url(api_world))
    assert page.status_code == 200
    html = client.post(_fill_url(api_world), {**PATTERN, "step": "preview"}).content.decode()
    assert "Maandag 5 oktober" in html
    assert "Donderdag 15 oktober" in html
    assert "Vul deze 4 dagen in" in html
    assert not TimeEntry.objects.filter(agreement=api_world.mine_wlz_agreement).exists()


def test_fill_then_undo(login, api_world):
    client = login("holder")
    agreement = api_world.mine_wlz_agreement
    preview = client.post(_fill_url(api_world), {**PATTERN, "step": "preview"}).content.decode()
    signature = re.search(r'name="previewed" value="([^"]*)"', preview).group(1)
    response = client.post(
        _fill_url(api_world), {**PATTERN, "step": "fill", "previewed": signature}
    )
    assert response.status_code == 302
    assert TimeEntry.objects.filter(agreement=agreement).count() == 4
    month = client.get(response["Location"]).content.decode()
    assert "4 dagen zijn ingevuld (13 uur in totaal)." in month
    assert "Ongedaan maken" in month
    undone = client.post(reverse("declarations:fill_undo", args=[agreement.pk, date(2026, 10, 1)]))
    assert undone.status_code == 302
    assert not TimeEntry.objects.filter(agreement=agreement).exists()
    again = client.post(reverse("declarations:fill_undo", args=[agreement.pk, date(2026, 10, 1)]))
    assert "Er is niets om ongedaan te maken." in client.get(again["Location"]).content.decode()


def test_a_fill_whose_choices_changed_since_the_preview_shows_the_preview_again(login, api_world):
    client = login("holder")
    response = client.post(
        _fill_url(api_world), {**PATTERN, "step": "fill", "previewed": "something else"}
    )
    assert response.status_code == 200
    assert not TimeEntry.objects.filter(agreement=api_world.mine_wlz_agreement).exists()


def test_an_empty_fill_is_a_notice_not_a_success(login, api_world):
    client = login("holder")
    asked = {"weeks": ["2026-11-23"], "weekday_6": "4", "skip_holidays": "on"}
    html = client.post(
        reverse("declarations:fill", args=[api_world.mine_wlz_agreement.pk, NOVEMBER]),
        {**asked, "step": "preview"},
    ).content.decode()
    assert "Er wordt niets ingevuld:" in html
    assert "in de toekomst" in html
    assert "Vul deze" not in html


@pytest.mark.parametrize("persona", ["family", "auditor_same"])
def test_who_may_only_look_cannot_fill_or_undo(login, api_world, persona):
    """(The auditor of The Hague sees the Wmo agreement, not the care office's Wlz one.)"""
    client = login(persona)
    agreement = api_world.mine_wmo_agreement
    fill = reverse("declarations:fill", args=[agreement.pk, date(2026, 10, 1)])
    assert client.get(fill).status_code == 403
    assert client.post(fill, {**PATTERN, "step": "preview"}).status_code == 403
    undo = reverse("declarations:fill_undo", args=[agreement.pk, NOVEMBER])
    assert client.post(undo).status_code == 403


def test_a_day_of_two_time_slots_keeps_them_when_only_its_note_changes(login, api_world):
    agreement = api_world.mine_wlz_agreement
    day = date(2026, 10, 27)
    for start, end in ((time(9), time(11)), (time(14), time(16))):
        hour_services.time_entry_add(
            actor=api_world.users["holder"],
            agreement_id=agreement.pk,
            care_date=day,
            start_time=start,
            end_time=end,
        )
    client = login("holder")
    page = client.get(_url(api_world)).content.decode()
    assert f'name="{_field(api_world, agreement, day)}" ' in page  # the day's 4 hours
    response = _post(client, api_world, {_field(api_world, agreement, day, "note"): "ochtend"})
    assert response.status_code == 302
    kept = TimeEntry.objects.filter(agreement=agreement, care_date=day).order_by("start_time")
    assert [(e.start_time, e.end_time, e.note) for e in kept] == [
        (time(9), time(11), "ochtend"),
        (time(14), time(16), ""),
    ]


@pytest.mark.parametrize(
    ("day", "status"),
    [("1899-12-25", 404), ("2026-02-30", 404), ("2099-12-28", 200), ("1900-01-01", 200)],
)
def test_a_week_out_of_the_supported_range_is_not_found(login, api_world, day, status):
    url = f"/holders/{api_world.mine.pk}/week/{day}/"
    assert login("holder").get(url).status_code == status
