"""The holder's pages for hours, costs, declarations, findings and batches, per persona."""

import re
from datetime import date

from django.urls import reverse

import pytest

from declarations.models import Expense, TimeEntry

OCTOBER, NOVEMBER = date(2026, 10, 1), date(2026, 11, 1)
ALL = ("holder", "representative", "bureau", "family", "auditor_same", "auditor_other",
       "expired", "stranger", "staff")  # fmt: skip
SEES_MINE = {"holder", "representative", "bureau", "family", "auditor_same", "staff"}
WRITES_MINE = {"holder", "representative", "bureau"}
# batch files: who acts for the holder (and staff); a batch may hold other holders' lines
SEES_BATCH_FILES = WRITES_MINE | {"staff"}


def pages(world) -> dict[str, str]:
    agreement = world.mine_wmo_agreement.pk
    return {
        "hours": reverse("declarations:hours", args=[agreement, NOVEMBER]),
        "costs": reverse("declarations:costs", args=[agreement, NOVEMBER]),
        "list": reverse("declarations:list", args=[world.mine.pk]),
        "detail": reverse("declarations:detail", args=[world.draft.pk]),
        "batches": reverse("declarations:batches", args=[world.mine.pk]),
        "weekly": reverse("declarations:weekly_totals", args=[world.mine.pk, date(2026, 9, 1)]),
        "download": reverse("declarations:download", args=[world.batch.pk, "csv"]),
    }


@pytest.mark.parametrize(
    "name", ["hours", "costs", "list", "detail", "batches", "weekly", "download"]
)
@pytest.mark.parametrize("persona", ALL)
def test_page_per_persona(login, api_world, name, persona):
    response = login(persona).get(pages(api_world)[name])
    sees = SEES_BATCH_FILES if name == "download" else SEES_MINE
    assert response.status_code == (200 if persona in sees else 404)
    if response.status_code == 200 and name != "download":
        html = response.content.decode()
        shows_writes = 'method="post"' in html.replace(
            'action="/i18n/setlang/" method="post"', ""
        ).replace('action="/accounts/logout/" method="post"', "")
        assert shows_writes == (persona in WRITES_MINE or persona == "staff") or name == "weekly"


def test_rules_page_is_public(client, db):
    assert client.get(reverse("declarations:rules")).status_code == 200


def _grid(client, world, days: dict[int, str], month=NOVEMBER):
    url = reverse("declarations:hours", args=[world.mine_wmo_agreement.pk, month])
    return client.post(url, {f"day_{day:02d}": value for day, value in days.items()})


def test_hour_grid_saves_the_month(login, api_world):
    client = login("representative")
    response = _grid(client, api_world, {2: "4", 5: "3,5"})
    assert response.status_code == 302
    entries = TimeEntry.objects.filter(agreement=api_world.mine_wmo_agreement, care_date__month=11)
    assert sorted((e.care_date.day, e.quantity) for e in entries) == [(2, 4), (5, 3.5)]
    page = client.get(response["Location"]).content.decode()
    assert 'value="3.5"' in page
    assert "7,5" in page  # the month total, in Dutch


@pytest.mark.parametrize("bad", ["25", "-1", "abc", "1.3"])
def test_hour_grid_refuses_bad_hours_next_to_the_day_and_saves_nothing(login, api_world, bad):
    client = login("holder")
    response = _grid(client, api_world, {2: "4", 3: bad})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_day_03_errors"' in html
    assert f'value="{bad}"' in html  # what was typed is kept
    assert 'aria-invalid="true"' in html
    assert "Er is niets opgeslagen" in html or "Nothing was saved" in html
    assert not TimeEntry.objects.filter(
        agreement=api_world.mine_wmo_agreement, care_date__month=11
    ).exists()


def test_hour_grid_error_in_english(login, api_world):
    response = _grid(login("holder", "en"), api_world, {3: "abc"})
    assert "abc is not a number." in response.content.decode()


def test_saving_the_same_grid_twice_gives_the_same_entries(login, api_world):
    client = login("holder")
    for _ in range(2):
        _grid(client, api_world, {2: "4"})
    assert (
        TimeEntry.objects.filter(
            agreement=api_world.mine_wmo_agreement, care_date__month=11
        ).count()
        == 1
    )


def test_fill_from_a_weekly_pattern(login, api_world):
    """The weeks of November so far (today is Monday 23 November): a preview, then the fill."""
    client = login("holder")
    url = reverse("declarations:fill", args=[api_world.mine_wmo_agreement.pk, NOVEMBER])
    weeks = ["2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"]
    asked = {"weeks": weeks, "weekday_0": "4", "weekday_3": "2,5", "skip_holidays": "on"}
    preview = client.post(url, {**asked, "step": "preview"})
    assert preview.status_code == 200
    signature = re.search(r'name="previewed" value="([^"]*)"', preview.content.decode())[1]
    response = client.post(url, {**asked, "step": "fill", "previewed": signature})
    assert response.status_code == 302
    entries = TimeEntry.objects.filter(agreement=api_world.mine_wmo_agreement, care_date__month=11)
    assert {e.care_date.weekday() for e in entries} == {0, 3}
    assert max(e.care_date for e in entries) == date(2026, 11, 23)  # never the future
    bad = client.post(url, {**asked, "weekday_0": "x", "step": "preview"})
    assert bad.status_code == 200
    assert 'id="id_weekday_0_errors"' in bad.content.decode()


def test_an_exported_month_is_read_only_in_the_grid(login, api_world):
    client = login("holder")
    september = date(2026, 9, 1)
    page = client.get(
        reverse("declarations:hours", args=[api_world.mine_wmo_agreement.pk, september])
    )
    assert "data-hour-grid" not in page.content.decode()
    response = _grid(client, api_world, {2: "4"}, month=september)
    assert response.status_code == 200
    assert "errors" in response.content.decode()


def test_auditor_and_family_cannot_write(login, api_world):
    for persona in ("auditor_same", "family"):
        response = _grid(login(persona), api_world, {2: "4"})
        assert response.status_code == 403
    assert not TimeEntry.objects.filter(
        agreement=api_world.mine_wmo_agreement, care_date__month=11
    ).exists()


def test_costs_add_and_bad_amount(login, api_world):
    client = login("holder")
    url = reverse("declarations:costs", args=[api_world.mine_wmo_agreement.pk, NOVEMBER])
    bad = client.post(url, {"expense_date": "2026-11-04", "kind": "other", "amount": "abc"})
    assert bad.status_code == 200
    assert 'value="abc"' in bad.content.decode()
    assert not Expense.objects.filter(expense_date__month=11).exists()
    good = client.post(url, {"expense_date": "2026-11-04", "kind": "other", "amount": "12,50"})
    assert good.status_code == 302
    expense = Expense.objects.get(expense_date__month=11)
    assert str(expense.amount) == "12.50"
    delete = client.post(reverse("declarations:cost_delete", args=[expense.pk]))
    assert delete.status_code == 302
    assert not Expense.objects.filter(pk=expense.pk).exists()


def test_draft_validate_acknowledge_export_and_download(login, api_world):
    client = login("representative")
    _grid(client, api_world, {5: "4", 8: "4"}, month=OCTOBER)
    response = client.post(
        reverse("declarations:draft", args=[api_world.mine.pk]), {"month": "2026-10"}
    )
    assert response.status_code == 302
    declaration = api_world.ready
    declaration.refresh_from_db()
    detail = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    assert "day-2026-10-05" in detail

    warning = api_world.warning
    url = reverse("declarations:acknowledge", args=[warning.pk])
    short = client.post(url, {f"f{warning.pk}-reason": "no"})
    assert short.status_code == 200
    assert f'id="id_f{warning.pk}-reason_errors"' in short.content.decode()
    warning.refresh_from_db()
    assert warning.acknowledged_at is None
    assert (
        client.post(url, {f"f{warning.pk}-reason": "agreed late with the SVB"}).status_code == 302
    )
    warning.refresh_from_db()
    assert warning.acknowledgement_reason == "agreed late with the SVB"

    export = client.post(
        reverse("declarations:batches", args=[api_world.mine.pk]), {"month": "2026-10"}
    )
    assert export.status_code == 302
    declaration.refresh_from_db()
    assert declaration.status == "exported"
    download = reverse("declarations:download", args=[declaration.batch_id, "xlsx"])
    first, second = client.get(download), client.get(download)
    assert first.content == second.content
    assert first["ETag"] == second["ETag"]
    nothing = client.post(
        reverse("declarations:batches", args=[api_world.mine.pk]), {"month": "2026-10"}
    )
    assert nothing.status_code == 200
    assert "errors" in nothing.content.decode()


def test_correct_an_exported_declaration(login, api_world):
    client = login("holder")
    response = client.post(reverse("declarations:correct", args=[api_world.exported.pk]))
    assert response.status_code == 302
    correction_url = response["Location"]
    assert correction_url != reverse("declarations:detail", args=[api_world.exported.pk])
    again = client.post(reverse("declarations:correct", args=[api_world.exported.pk]))
    assert again["Location"] == correction_url  # a double submit opens one correction


def test_weekly_totals_match_the_batch(login, api_world):
    page = login("holder").get(
        reverse("declarations:weekly_totals", args=[api_world.mine.pk, date(2026, 9, 1)])
    )
    html = page.content.decode()
    # weeks in words, not ISO codes: 31 August to 6 September and the week after
    assert "week 36 (31 aug – 6 sep)" in html
    assert "week 37 (7 – 13 sep)" in html
    assert "2026-W" not in html


def test_rules_page_in_both_languages(client, db):
    dutch = client.get(reverse("declarations:rules"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    english = client.get(reverse("declarations:rules"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "hours.day_over_24" in dutch
    assert "hours.day_over_24" in english
    assert dutch != english


@pytest.mark.parametrize("name", ["list", "batches", "detail"])
def test_list_pages_do_not_grow_with_rows(login, api_world, django_assert_max_num_queries, name):
    client = login("representative")
    url = pages(api_world)[name]
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    baseline = len(few.captured_queries)
    for day in range(2, 20):
        _grid(client, api_world, {day: "1"}, month=OCTOBER)
    client.post(reverse("declarations:draft", args=[api_world.mine.pk]), {"month": "2026-10"})
    with django_assert_max_num_queries(baseline + 2):
        assert client.get(url).status_code == 200
