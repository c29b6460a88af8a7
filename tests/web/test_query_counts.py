"""Every page's number of queries stays the same when the data behind it grows: more
agreements, providers, entries, costs and declarations for the holder. A query per row would
add at least one query per new agreement (four here); the slack of two allows for what a page
does once when a list stops being empty."""

import uuid
from datetime import date

from django.urls import reverse

import pytest

from declarations.services import declarations as declaration_services
from declarations.services import hours as hour_services
from reports.reminders.models import Notice

from ..conftest import _agreement
from ..factories import HolderProviderFactory

SEPTEMBER, OCTOBER, NOVEMBER = date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)
SLACK = 2


def _pages(w) -> list[tuple[str, str]]:
    agreement = w.mine_wmo_agreement.pk
    holder = w.mine.pk
    return [
        ("holder", reverse("home")),
        ("holder", reverse("budgets:dashboard", args=[holder])),
        ("holder", reverse("budgets:holder_details", args=[holder])),
        ("holder", reverse("budgets:grant", args=[holder, w.mine_wmo_budget.pk])),
        ("holder", reverse("budgets:year_statement", args=[holder, 2026])),
        ("holder", reverse("contracts:providers", args=[holder])),
        ("holder", reverse("contracts:provider_new", args=[holder])),
        ("holder", reverse("contracts:agreements", args=[holder])),
        ("holder", reverse("contracts:agreement_new", args=[holder])),
        ("holder", reverse("contracts:agreement", args=[agreement])),
        ("holder", reverse("contracts:invitations", args=[agreement])),
        ("holder", reverse("providers:review_list", args=[holder])),
        ("holder", reverse("declarations:hours", args=[agreement, NOVEMBER])),
        ("holder", reverse("declarations:week", args=[holder, date(2026, 10, 26)])),
        ("holder", reverse("declarations:fill", args=[agreement, NOVEMBER])),
        ("holder", reverse("declarations:costs", args=[agreement, NOVEMBER])),
        ("holder", reverse("declarations:list", args=[holder])),
        ("holder", reverse("declarations:detail", args=[w.draft.pk])),
        ("holder", reverse("declarations:batches", args=[holder])),
        ("holder", reverse("declarations:weekly_totals", args=[holder, OCTOBER])),
        ("holder", reverse("declarations:rules")),
        ("holder", reverse("declarations:import")),
        ("holder", reverse("reports:notices")),
        ("holder", reverse("reports:reminder_preferences")),
        ("bureau", reverse("declarations:bureau") + "?month=2026-10"),
        ("auditor_same", reverse("reports:audit")),
        ("auditor_same", reverse("reports:municipality", args=[w.the_hague.code])),
        ("auditor_same", reverse("budgets:dashboard", args=[holder])),
        ("auditor_same", reverse("budgets:holder_details", args=[holder])),
        ("auditor_same", reverse("budgets:year_statement", args=[holder, 2026])),
        ("auditor_same", reverse("declarations:week", args=[holder, date(2026, 10, 26)])),
        ("auditor_same", reverse("declarations:detail", args=[w.draft.pk])),
        ("auditor_same", reverse("reports:evidence_pack", args=[w.draft.pk])),
    ]


def _grow(w) -> None:
    """Four more agreements of the holder, each with a declared October; a full November and
    five costs on the measured agreement."""
    actor = w.users["representative"]
    for _ in range(4):
        link = HolderProviderFactory(holder=w.mine)
        agreement = _agreement(w.mine, link.provider, w.mine_wmo_budget)
        hour_services.time_entries_fill_month(
            actor=actor, agreement_id=agreement.pk, month=OCTOBER, pattern={0: "4", 3: "4"}
        )
    drafted = declaration_services.declarations_draft_period(
        actor=actor, month=OCTOBER, holder_id=w.mine.pk
    )
    declaration_services.declaration_validate(actor=actor, declaration_ids=[d.pk for d in drafted])
    hour_services.time_entries_fill_month(
        actor=actor,
        agreement_id=w.mine_wmo_agreement.pk,
        month=NOVEMBER,
        pattern={day: "1" for day in range(5)},
    )
    for month in range(1, 5):
        w.mine.admissions.create(kind="hospital", valid_from=date(2026, month, 1))
        w.mine_wmo_budget.indications.create(
            product=w.mine_wmo_budget.products.first(),
            hours="2.00",
            per="week",
            valid_from=date(2026, month, 1),
        )
    for number in range(5):  # reminders of the holder's (reports.reminders)
        Notice.objects.create(
            user=w.users["holder"],
            kind="grant_ending",
            occurrence=f"grown-{number}",
            holder=w.mine,
            params={"end": "2026-12-31"},
            link=reverse("budgets:dashboard", args=[w.mine.pk]),
            due_on=date(2026, 11, 23),
            run=uuid.uuid4(),
        )
    for day in range(2, 7):
        hour_services.expense_add(
            actor=actor,
            agreement_id=w.mine_wmo_agreement.pk,
            expense_date=date(2026, 11, day),
            kind="other",
            amount="3.00",
        )


def _counts(login, world, django_assert_max_num_queries) -> list[int]:
    counts = []
    for persona, url in _pages(world):
        client = login(persona)
        with django_assert_max_num_queries(200) as queries:
            assert client.get(url).status_code == 200, url
        counts.append(len(queries.captured_queries))
    return counts


def test_no_page_queries_per_row(login, api_world, django_assert_max_num_queries):
    before = _counts(login, api_world, django_assert_max_num_queries)
    _grow(api_world)
    after = _counts(login, api_world, django_assert_max_num_queries)
    grown = [
        (url, b, a)
        for (_persona, url), b, a in zip(_pages(api_world), before, after, strict=True)
        if a > b + SLACK
    ]
    assert grown == []


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_page_renders_in_both_languages(login, api_world, language):
    for persona, url in _pages(api_world):
        response = login(persona, language).get(url)
        assert response.status_code == 200, url
        if response["Content-Type"].startswith("text/html"):
            assert f'lang="{language}"' in response.content.decode()
