"""Validating redrafts the declarations, but writes only what changed: the lines of a
declaration whose lines differ from those stored, the totals of one whose totals differ. The
outcome is the same as rewriting them all."""

from datetime import date
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from declarations.constants import DeclarationStatus
from declarations.models import Declaration, DeclarationLine, TimeEntry
from declarations.services import declarations as declaration_services
from pgb_admin.budgets.models import Budget

from .test_set_based_validation import OCTOBER, _drafts


@pytest.fixture
def actor(world):
    return world.users["representative"]


def _lines(declaration: Declaration) -> dict[date, tuple[int, Decimal]]:
    return {
        line.care_date: (line.pk, line.quantity)
        for line in DeclarationLine.objects.filter(declaration=declaration)
    }


def _validate(actor, ids: list[int]) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        declaration_services.declaration_validate(actor=actor, declaration_ids=ids)
    return [query["sql"] for query in queries.captured_queries]


def _writes(statements: list[str]) -> list[str]:
    """The statements that write lines, or the totals of declarations."""
    return [
        sql
        for sql in statements
        if (sql.startswith(("DELETE", "INSERT", "COPY")) and "declarations_declarationline" in sql)
        or (sql.startswith("UPDATE") and "care_quantity" in sql)
    ]


def test_unchanged_drafts_are_validated_without_writing_lines_or_totals(world, actor):
    drafts = _drafts(world, actor, 3)
    before = {d.pk: (_lines(d), d.total_amount) for d in drafts}
    assert _writes(_validate(actor, [d.pk for d in drafts])) == []
    for draft in drafts:
        draft.refresh_from_db()
        assert draft.status == DeclarationStatus.VALIDATED
        assert (_lines(draft), draft.total_amount) == before[draft.pk]  # the same rows


def test_a_changed_declaration_is_redrafted_and_the_others_are_left_alone(world, actor):
    changed, same = _drafts(world, actor, 2)
    same_lines = _lines(same)
    day = date(2026, 10, 5)  # a Monday
    # an hour changed behind the services' back (an older registration): only the validation's
    # redraft brings it into the declaration
    TimeEntry.objects.filter(agreement_id=changed.agreement_id, care_date=day).update(
        quantity=Decimal("6")
    )
    _validate(actor, [changed.pk, same.pk])
    changed.refresh_from_db()
    same.refresh_from_db()
    assert _lines(same) == same_lines
    assert _lines(changed)[day][1] == Decimal("6.00")
    rate = changed.lines.first().rate
    assert changed.care_quantity == Decimal("38")  # 9 days of 4 hours, one of them now 6
    assert changed.care_amount == changed.total_amount == Decimal("38") * rate
    assert {changed.status, same.status} == {DeclarationStatus.VALIDATED}
    grant = Budget.objects.get(pk=world.mine_wmo_budget.pk)
    assert grant.declared == changed.total_amount + same.total_amount


def test_a_validated_declaration_whose_hours_changed_moves_its_grant(world, actor):
    (draft,) = _drafts(world, actor, 1)
    declaration_services.declaration_validate(actor=actor, declaration_ids=[draft.pk])
    draft.refresh_from_db()
    grant = Budget.objects.get(pk=world.mine_wmo_budget.pk)
    assert grant.declared == draft.total_amount
    TimeEntry.objects.filter(agreement_id=draft.agreement_id, care_date=date(2026, 10, 5)).update(
        quantity=Decimal("2")
    )
    again = declaration_services.declaration_draft(
        actor=actor, agreement_id=draft.agreement_id, month=OCTOBER
    )
    assert again.pk == draft.pk
    assert again.status == DeclarationStatus.DRAFT
    assert again.care_quantity == Decimal("34")
    grant.refresh_from_db()
    assert grant.declared == 0  # a draft again: it no longer counts
