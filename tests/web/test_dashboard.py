"""The holder's dashboard and the holder switcher."""

import html as html_lib
from datetime import date

from django.urls import reverse

import pytest

from declarations.services import hours as hour_services

from ..factories import BudgetFactory


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("holder", 200),
        ("representative", 200),
        ("bureau", 200),
        ("family", 200),
        ("auditor_same", 200),
        ("auditor_other", 404),
        ("expired", 404),
        ("stranger", 404),
        ("staff", 200),
    ],
)
def test_dashboard_per_persona(login, api_world, persona, status):
    response = login(persona).get(reverse("budgets:dashboard", args=[api_world.mine.pk]))
    assert response.status_code == status


def test_dashboard_shows_grants_and_what_is_due(login, api_world):
    html = login("holder").get(reverse("budgets:dashboard", args=[api_world.mine.pk])).content
    html = html.decode()
    assert 'class="budget-bar' in html
    assert reverse("declarations:detail", args=[api_world.draft.pk]) in html  # August, not sent


def test_dashboard_for_an_auditor_masks_the_bsn_and_is_logged(login, api_world):
    from pgb_admin.audit.models import AccessEvent

    reads = AccessEvent.objects.filter(
        holder_pk=api_world.mine.pk, username="auditor_same", what="page:dashboard"
    )
    before = reads.count()
    html = login("auditor_same").get(reverse("budgets:dashboard", args=[api_world.mine.pk]))
    html = html.content.decode()
    assert api_world.mine.bsn not in html
    assert api_world.mine.masked_bsn in html
    assert reads.count() == before + 1


def test_switcher_goes_to_the_chosen_holder(login, api_world):
    client = login("representative")
    response = client.get(reverse("budgets:switch"), {"holder": api_world.sibling.pk})
    assert response["Location"] == reverse("budgets:dashboard", args=[api_world.sibling.pk])
    assert client.get(reverse("budgets:switch"), {"holder": "x"}).status_code == 404
    page = client.get(reverse("budgets:dashboard", args=[api_world.mine.pk])).content.decode()
    # the header's menu switches in one step: a link per holder
    assert f'{reverse("budgets:switch")}?holder={api_world.sibling.pk}"' in page


def test_dashboard_queries_do_not_grow_with_grants(login, api_world, django_assert_max_num_queries):
    client = login("holder")
    url = reverse("budgets:dashboard", args=[api_world.mine.pk])
    # 70: the report, what is due and the weeks without hours, besides the page's own
    with django_assert_max_num_queries(70) as few:
        client.get(url)
    for _ in range(6):
        BudgetFactory(holder=api_world.mine, funder=api_world.the_hague)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def _page(client, holder_id: int) -> str:
    return html_lib.unescape(
        client.get(reverse("budgets:dashboard", args=[holder_id])).content.decode()
    )


def _week(holder_id: int, monday: date) -> str:
    return reverse("declarations:week", args=[holder_id, monday])


def test_the_to_do_list_asks_for_the_hours_of_weeks_that_are_over(login, api_world):
    """Today is Monday 23 November 2026; October is declared, November has no hours yet."""
    mine = api_world.mine.pk
    page = _page(login("holder"), mine)
    assert page.index("Te doen") < page.index("Toekenningen")  # the to-do list comes first
    for monday, number in ((date(2026, 11, 2), 45), (date(2026, 11, 9), 46)):
        assert f'href="{_week(mine, monday)}"' in page
        assert f"Vul de uren van week {number} in" in page
    assert "9 – 15 november 2026" in page  # the week's days in words
    assert _week(mine, date(2026, 10, 26)) not in page  # week 44 has hours
    assert _week(mine, date(2026, 11, 23)) not in page  # this week is not over
    assert _week(mine, date(2026, 11, 30)) not in page  # the future
    assert reverse("declarations:week_now", args=[mine]) in page

    hour_services.time_entry_add(
        actor=api_world.users["representative"],
        agreement_id=api_world.mine_wmo_agreement.pk,
        care_date=date(2026, 11, 17),
        quantity="3",
    )
    page = _page(login("holder"), mine)
    assert _week(mine, date(2026, 11, 16)) not in page  # week 47 has hours now
    assert _week(mine, date(2026, 11, 9)) in page


@pytest.mark.parametrize(
    ("language", "texts"),
    [
        (
            "nl",
            [
                "Controleer en exporteer augustus",
                "De termijn was 9 november: dien augustus zo snel mogelijk in.",
                "Te laat",
                "Exporteer oktober en dien de declaratie in",
                "Dien oktober uiterlijk 9 januari 2027 in.",
                "Uw toekenning eindigt op 31 december 2026: vraag op tijd een nieuwe "
                "beschikking aan",
            ],
        ),
        (
            "en",
            [
                "Check and export August",
                "The deadline was 9 November: submit August as soon as possible.",
                "Export October and submit the declaration",
                "Submit October by 9 January 2027.",
                "Your grant ends on 31 December 2026: ask for a new decision in time",
            ],
        ),
    ],
)
def test_the_to_do_list_says_the_deadlines(login, api_world, language, texts):
    page = _page(login("holder", language), api_world.mine.pk)
    for text in texts:
        assert text in page


def test_with_nothing_to_do_the_list_says_so(login, api_world):
    page = _page(login("representative"), api_world.sibling.pk)  # no grant, no agreement
    assert "Er is nu niets te doen." in page


def test_who_only_reads_gets_no_to_do_list(login, api_world):
    page = _page(login("auditor_same"), api_world.mine.pk)
    assert "Te doen" not in page
    assert "Toekenningen" in page


@pytest.mark.parametrize(
    ("language", "wmo", "wlz", "sentence"),
    [
        (
            "nl",
            "Wmo 2015 · 's-Gravenhage (Den Haag) · 1 januari – 31 december 2026",
            "Wlz · Zorgkantoor Haaglanden · 1 januari – 31 december 2026",
            "In het huidige tempo houdt u €\u00a0",
        ),
        (
            "en",
            "Wmo 2015 · 's-Gravenhage (Den Haag) · 1 January – 31 December 2026",
            "Wlz · Zorgkantoor Haaglanden · 1 January – 31 December 2026",
            "At the current pace you keep €\u00a0",
        ),
    ],
)
def test_each_grant_in_words(login, api_world, language, wmo, wlz, sentence):
    page = _page(login("holder", language), api_world.mine.pk)
    assert f">{wmo}</a></h3>" in page
    assert f">{wlz}</a></h3>" in page
    assert sentence in page
    assert "12.000,00" in page if language == "nl" else "12,000.00" in page
    for code in (
        "GM0518",
        "ZK-HAAGLANDEN",
        "2026-01-01",
        "WMO ·",
        f"#{api_world.mine_wmo_budget.pk}",
    ):
        assert code not in page
    assert 'class="utrecht-data-list pgb-summary"' in page  # granted, used, committed, free


def test_the_overview_of_several_holders_writes_the_grants_in_words(login, api_world):
    response = login("representative").get(reverse("home"))
    assert response.status_code == 200  # two holders: no redirect
    page = html_lib.unescape(response.content.decode())
    assert (
        "Wmo 2015 · 's-Gravenhage (Den Haag) · 1 januari – 31 december 2026 · €\u00a012.000,00"
        in page
    )
    assert "Geen toekenningen geregistreerd." in page  # the sibling has none
