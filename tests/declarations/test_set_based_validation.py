"""Validating many declarations is set-based: the declarations are locked in one statement (in
id order, the actor's scope resolved once), the lines and findings are written in one go (COPY
on PostgreSQL) and the grants' declared totals set in one UPDATE, so the number of statements
does not grow with the number of declarations. What one declaration refuses (out of scope,
read only, frozen) still refuses the whole validation, the first by id deciding, and nothing
is stored."""

from datetime import UTC, date, datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from declarations.constants import DeclarationStatus, Severity
from declarations.models import Declaration, DeclarationLine, Finding
from declarations.services import declarations as declaration_services
from declarations.services import hours as hour_services
from pgb_admin.accounts.scoping import ReadOnlyAccess
from pgb_admin.budgets.models import Budget
from pgb_admin.core.bulk import insert_rows, update_rows
from pgb_admin.core.errors import Conflict, NotFound

from ..factories import AgreementVersionFactory, CareAgreementFactory, HolderProviderFactory

OCTOBER = date(2026, 10, 1)
CLEAN_WEEK = {0: "4", 3: "4"}  # the agreed 8 hours a week

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has no row locks (no FOR UPDATE)"
)


@pytest.fixture
def actor(world):
    return world.users["representative"]


def _drafts(world, actor, count: int) -> list[Declaration]:
    """``count`` drafts of October on the Wmo grant of ``mine``, each of its own agreement."""
    budget = world.mine_wmo_budget
    drafts = []
    for _ in range(count):
        link = HolderProviderFactory(holder=world.mine)
        agreement = CareAgreementFactory(holder=world.mine, provider=link.provider)
        AgreementVersionFactory(agreement=agreement, budget=budget, product=budget.products.first())
        hour_services.time_entries_fill_month(
            actor=actor, agreement_id=agreement.pk, month=OCTOBER, pattern=CLEAN_WEEK
        )
        drafts.append(
            declaration_services.declaration_draft(
                actor=actor, agreement_id=agreement.pk, month=OCTOBER
            )
        )
    return drafts


def _statements(actor, ids: list[int]) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        declaration_services.declaration_validate(actor=actor, declaration_ids=ids)
    return [query["sql"] for query in queries.captured_queries]


def _stored(ids: list[int]) -> dict[int, tuple]:
    return {
        d.pk: (d.status, d.total_amount, d.findings.count(), d.lines.count())
        for d in Declaration.objects.filter(pk__in=ids)
    }


def test_the_statements_of_a_validation_do_not_grow_with_its_declarations(world, actor):
    few, many = _drafts(world, actor, 2), _drafts(world, actor, 7)
    _statements(actor, [few[0].pk])  # warm up what is read once per process
    assert len(_statements(actor, [d.pk for d in many])) == len(
        _statements(actor, [d.pk for d in few])
    )
    validated = Declaration.objects.filter(pk__in=[d.pk for d in few + many])
    assert set(validated.values_list("status", flat=True)) == {DeclarationStatus.VALIDATED}
    assert all(d.lines.count() == 9 for d in validated)  # October: 5 Mondays, 4 Thursdays
    grant = Budget.objects.get(pk=world.mine_wmo_budget.pk)
    assert grant.declared == sum(d.total_amount for d in validated) > 0


@on_postgresql
def test_the_declarations_are_locked_in_one_statement_in_id_order(world, actor):
    drafts = _drafts(world, actor, 4)
    statements = _statements(actor, [d.pk for d in reversed(drafts)])
    locks = [sql for sql in statements if "FOR UPDATE" in sql and "declarations_declaration" in sql]
    assert len(locks) == 1, locks
    assert locks[0].rstrip().endswith('ORDER BY "declarations_declaration"."id" ASC FOR UPDATE')


def test_one_declaration_out_of_scope_refuses_them_all_and_nothing_is_stored(world, actor):
    drafts = _drafts(world, actor, 3)
    theirs = Declaration.objects.create(agreement=world.theirs_agreement, month=OCTOBER)
    ids = [d.pk for d in drafts]
    before = _stored(ids)
    with pytest.raises(NotFound):
        declaration_services.declaration_validate(actor=actor, declaration_ids=[*ids, theirs.pk])
    assert _stored(ids) == before
    assert Declaration.objects.get(pk=theirs.pk).status == DeclarationStatus.DRAFT


def test_a_read_only_user_is_refused_as_for_one_declaration(world, actor):
    drafts = _drafts(world, actor, 2)
    with pytest.raises(ReadOnlyAccess):
        declaration_services.declaration_validate(
            actor=world.users["family"], declaration_ids=[d.pk for d in drafts]
        )
    assert set(Declaration.objects.filter(pk__in=[d.pk for d in drafts]).values_list(
        "status", flat=True
    )) == {DeclarationStatus.DRAFT}  # fmt: skip


def test_a_frozen_declaration_among_them_is_a_conflict(world, actor):
    drafts = _drafts(world, actor, 3)
    Declaration.objects.filter(pk=drafts[1].pk).update(status=DeclarationStatus.EXPORTED)
    with pytest.raises(Conflict) as refused:
        declaration_services.declaration_validate(
            actor=actor, declaration_ids=[d.pk for d in drafts]
        )
    assert refused.value.error_dict["status"][0].code == "declaration_frozen"
    assert refused.value.error_dict["status"][0].params["id"] == drafts[1].pk
    assert Declaration.objects.get(pk=drafts[0].pk).status == DeclarationStatus.DRAFT


def test_the_first_refusal_by_id_decides(world, actor):
    frozen, other = _drafts(world, actor, 2)
    Declaration.objects.filter(pk=frozen.pk).update(status=DeclarationStatus.EXPORTED)
    theirs = Declaration.objects.create(agreement=world.theirs_agreement, month=OCTOBER)
    assert frozen.pk < theirs.pk
    with pytest.raises(Conflict):
        declaration_services.declaration_validate(
            actor=actor, declaration_ids=[theirs.pk, other.pk, frozen.pk]
        )


def test_in_chunks_what_is_out_of_scope_or_frozen_is_left_out(world, actor):
    drafts = _drafts(world, actor, 3)
    Declaration.objects.filter(pk=drafts[0].pk).update(status=DeclarationStatus.EXPORTED)
    theirs = Declaration.objects.create(agreement=world.theirs_agreement, month=OCTOBER)
    summary = declaration_services.declarations_validate_in_chunks(
        actor=actor, declaration_ids=[d.pk for d in drafts] + [theirs.pk]
    )
    assert summary == {"declarations": 4, "validated": 2, "with_errors": 0}
    statuses = dict(Declaration.objects.values_list("pk", "status"))
    assert statuses[drafts[0].pk] == DeclarationStatus.EXPORTED
    assert statuses[theirs.pk] == DeclarationStatus.DRAFT
    assert {statuses[d.pk] for d in drafts[1:]} == {DeclarationStatus.VALIDATED}


def test_rows_written_in_bulk_read_back_as_written(world, actor):
    (draft,) = _drafts(world, actor, 1)
    acknowledged_at = datetime(2026, 11, 3, 12, 30, tzinfo=UTC)
    inserted = insert_rows(
        Finding,
        ("declaration_id", "rule_code", "severity", "care_date", "params", "created_at",
         "acknowledged_at", "acknowledged_by_id", "acknowledgement_reason"),
        [
            (draft.pk, "hours.above_agreed", Severity.WARNING, date(2026, 10, 5),
             {"hours": "9.50", "agreed": 8, "names": ["ä", "ü"]}, acknowledged_at,
             acknowledged_at, actor.pk, "agreed with the municipality"),
            (draft.pk, "declaration.empty", Severity.ERROR, None, {}, acknowledged_at,
             None, None, ""),
        ],
    )  # fmt: skip
    assert inserted == 2
    found = {f.rule_code: f for f in Finding.objects.filter(declaration=draft)}
    assert found["hours.above_agreed"].params == {"hours": "9.50", "agreed": 8, "names": ["ä", "ü"]}
    assert found["hours.above_agreed"].care_date == date(2026, 10, 5)
    assert found["hours.above_agreed"].acknowledged_at == acknowledged_at
    assert found["hours.above_agreed"].acknowledged_by_id == actor.pk
    assert found["declaration.empty"].care_date is None
    assert found["declaration.empty"].acknowledged_at is None

    update_rows(
        Declaration,
        ("total_amount", "travel_kilometres", "budget_id", "status", "validated_at"),
        [(draft.pk, Decimal("1234.56"), Decimal("12.5"), None, "validated", acknowledged_at)],
    )
    draft.refresh_from_db()
    assert (
        draft.total_amount,
        draft.travel_kilometres,
        draft.budget_id,
        draft.status,
        draft.validated_at,
    ) == (Decimal("1234.56"), Decimal("12.5"), None, "validated", acknowledged_at)
    assert update_rows(Declaration, ("status",), []) == 0
    assert DeclarationLine.objects.filter(declaration=draft).count() == 9
