"""A grant's declared total (``Budget.declared``): the database never lets it exceed the grant,
every change of a declaration keeps it equal to what counts against the grant, and a refusal
is a 409 with the code ``budget_exceeded``, never a 500."""

import importlib
from datetime import date
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import translation

import pytest

from contracts.constants import ApprovalStatus
from contracts.services import agreement_change, agreement_record_approval
from declarations.constants import DeclarationStatus
from declarations.grants import BudgetExceeded
from declarations.models import Declaration, TimeEntry
from declarations.services import batches as batch_services
from declarations.services import declarations as declaration_services
from declarations.services import hours as hour_services
from pgb_admin.budgets.models import Budget
from pgb_admin.figures.constants import RateUnit

from ..api.conftest import token_client
from ..factories import (
    AgreementVersionFactory,
    BudgetFactory,
    CareAgreementFactory,
    HolderProviderFactory,
)
from ..two_factor import verified_login

SEPTEMBER, OCTOBER = date(2026, 9, 1), date(2026, 10, 1)
CLEAN_WEEK = {0: "4", 3: "4"}  # the agreed 8 hours: October 9 days, € 666,00; September € 592,00
COUNTED = {"validated", "exported", "submitted", "paid"}
V1 = "/api/v1"


@pytest.fixture
def actor(world):
    return world.users["representative"]


def _draft(actor, agreement, month=OCTOBER) -> Declaration:
    hour_services.time_entries_fill_month(
        actor=actor, agreement_id=agreement.pk, month=month, pattern=CLEAN_WEEK
    )
    return declaration_services.declaration_draft(
        actor=actor, agreement_id=agreement.pk, month=month
    )


def _validate(actor, declaration) -> Declaration:
    declaration_services.declaration_validate(actor=actor, declaration_ids=[declaration.pk])
    declaration.refresh_from_db()
    return declaration


def _counted(budget) -> Decimal:
    """What counts against the grant, worked out here without the code under test."""
    replaced = {
        d.corrects_id
        for d in Declaration.objects.filter(corrects__isnull=False)
        if d.status in COUNTED
    }
    return sum(
        (
            d.total_amount
            for d in Declaration.objects.filter(budget=budget)
            if d.status in COUNTED and d.pk not in replaced
        ),
        Decimal("0.00"),
    )


def _assert_declared(budget, amount: str) -> None:
    declared = Budget.objects.get(pk=budget.pk).declared
    assert declared == _counted(budget) == Decimal(amount)


# --- the constraint -------------------------------------------------------------------------


@pytest.mark.parametrize("declared", [F("amount") + Decimal("0.01"), Decimal("-0.01")])
def test_the_database_refuses_a_declared_total_outside_the_grant(world, declared):
    budget = world.mine_wmo_budget
    with pytest.raises(IntegrityError), transaction.atomic():
        Budget.objects.filter(pk=budget.pk).update(declared=declared)
    Budget.objects.filter(pk=budget.pk).update(declared=F("amount"))  # the grant used up is fine
    assert Budget.objects.get(pk=budget.pk).declared == budget.amount


def test_a_grant_saved_from_an_old_copy_keeps_its_declared_total(world):
    budget = world.mine_wmo_budget
    stale = Budget.objects.get(pk=budget.pk)  # as the admin read it
    Budget.objects.filter(pk=budget.pk).update(declared=Decimal("100.00"))
    stale.decision_reference = "corrected"
    stale.save()
    assert Budget.objects.get(pk=budget.pk).declared == Decimal("100.00")


def test_a_grant_cannot_be_lowered_below_what_was_declared(world):
    Budget.objects.filter(pk=world.mine_wmo_budget.pk).update(declared=Decimal("100.00"))
    budget = Budget.objects.get(pk=world.mine_wmo_budget.pk)
    budget.amount = Decimal("99.99")
    with pytest.raises(ValidationError) as refused:
        budget.full_clean()
    assert refused.value.error_dict["amount"][0].code == "below_declared"


def _agreement(world, budget):
    """An hourly agreement on ``budget`` with a provider of its own."""
    link = HolderProviderFactory(holder=world.mine)
    agreement = CareAgreementFactory(holder=world.mine, provider=link.provider)
    AgreementVersionFactory(
        agreement=agreement, budget=budget, product=budget.products.first(), unit=RateUnit.HOUR
    )
    return agreement


def test_a_violation_behind_the_engines_back_is_a_conflict_and_nothing_is_saved(world, actor):
    """A declaration made validated past the engine (as a bad import or a manual fix might):
    the next validation on the grant is refused with a conflict and rolls back whole."""
    budget = BudgetFactory(holder=world.mine, funder=world.the_hague, amount=Decimal("1000.00"))
    other = _validate(actor, _draft(actor, _agreement(world, budget)))
    assert other.status == DeclarationStatus.VALIDATED
    findings = sorted(other.findings.values_list("pk", "rule_code"))
    wrong = _draft(actor, _agreement(world, budget))
    Declaration.objects.filter(pk=wrong.pk).update(
        status=DeclarationStatus.VALIDATED, total_amount=Decimal("1100.00")
    )

    with pytest.raises(BudgetExceeded) as refused, translation.override("nl"):
        declaration_services.declaration_validate(actor=actor, declaration_ids=[other.pk])
    (error,) = refused.value.error_dict["budget"]
    assert error.code == "budget_exceeded"
    assert budget.decision_reference in error.message % error.params
    assert error.params["over"] == "€ 100,00"  # in the language of the request
    other.refresh_from_db()
    assert other.status == DeclarationStatus.VALIDATED
    assert sorted(other.findings.values_list("pk", "rule_code")) == findings
    assert Budget.objects.get(pk=budget.pk).declared == Decimal("666.00")

    response = token_client(actor).post(f"{V1}/declarations/{other.pk}/validate/")
    assert response.status_code == 409
    problem = response.json()
    assert (problem["code"], problem["invalid_params"][0]["name"]) == ("budget_exceeded", "budget")
    assert "€ 1,100.00 of the € 1,000.00 granted, € 100.00 more" in problem["detail"]
    assert Declaration.objects.get(pk=other.pk).status == DeclarationStatus.VALIDATED


# --- the refusal through the API and the pages ---------------------------------------------


def test_a_validation_that_exceeds_the_grant_is_a_409_and_the_draft_keeps_its_findings(
    world, actor
):
    budget = BudgetFactory(holder=world.mine, funder=world.the_hague, amount=Decimal("600.00"))
    declaration = _draft(actor, _agreement(world, budget))
    client = token_client(actor)

    response = client.post(f"{V1}/declarations/{declaration.pk}/validate/")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert (problem["status"], problem["code"]) == (409, "budget_exceeded")
    assert problem["type"] == "urn:pgb-admin:problem:budget_exceeded"
    assert problem["instance"] == f"{V1}/declarations/{declaration.pk}/validate/"
    assert problem["invalid_params"] == [
        {"name": "declaration", "code": "budget_exceeded", "reason": problem["detail"]}
    ]
    # the wage of € 666,00 and the 8 % holiday allowance the SVB adds for an employee, € 53,28
    assert problem["detail"] == (
        f"Declaration {declaration.pk} is not validated: with it, € 719.28 of grant "
        f"{budget} ({budget.decision_reference}) (€ 600.00) would be used, € 119.28 more than "
        "granted. It stays a draft; its findings say what to do."
    )
    dutch = token_client(actor, "nl").post(f"{V1}/declarations/{declaration.pk}/validate/")
    assert dutch.status_code == 409
    assert "€ 719,28" in dutch.json()["detail"]

    shown = client.get(f"{V1}/declarations/{declaration.pk}/").json()
    assert shown["status"] == "draft"
    assert "budget.exceeded" in {f["rule_code"] for f in shown["findings"]}
    _assert_declared(budget, "0.00")


def test_other_findings_still_answer_200(world, actor):
    declaration = _draft(actor, world.mine_wmo_agreement)
    TimeEntry.objects.filter(
        agreement=world.mine_wmo_agreement, care_date=date(2026, 10, 5)
    ).update(quantity=Decimal("30"))  # more than a day: an error, not about the grant
    response = token_client(actor).post(f"{V1}/declarations/{declaration.pk}/validate/")
    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    assert "budget.exceeded" not in {f["rule_code"] for f in response.json()["findings"]}


def test_the_page_shows_the_refusal(world, actor):
    budget = BudgetFactory(holder=world.mine, funder=world.the_hague, amount=Decimal("600.00"))
    declaration = _draft(actor, _agreement(world, budget))
    client = verified_login(Client(HTTP_ACCEPT_LANGUAGE="en"), actor)
    response = client.post(reverse("declarations:validate", args=[declaration.pk]), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Declaration {declaration.pk} is not validated" in page
    assert "€ 119.28 more than granted" in page  # with the holiday allowance
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.DRAFT


def test_drafting_a_month_lists_who_the_grant_refused(world, actor):
    budget = BudgetFactory(holder=world.mine, funder=world.the_hague, amount=Decimal("1000.00"))
    first, second = _agreement(world, budget), _agreement(world, budget)
    for agreement in (first, second):
        hour_services.time_entries_fill_month(
            actor=actor, agreement_id=agreement.pk, month=OCTOBER, pattern=CLEAN_WEEK
        )
    client = verified_login(Client(HTTP_ACCEPT_LANGUAGE="en"), actor)
    response = client.post(
        reverse("declarations:draft", args=[world.mine.pk]), {"month": "2026-10"}, follow=True
    )
    page = response.content.decode()
    assert "declarations are drafted and checked" in page
    refused = Declaration.objects.get(agreement=second, month=OCTOBER)
    assert refused.status == DeclarationStatus.DRAFT
    assert f"Declaration {refused.pk} is not validated" in page
    _assert_declared(budget, "666.00")


# --- the declared total through a declaration's life -----------------------------------------


def test_declared_follows_a_declaration_through_its_life(world, actor):
    budget, agreement = world.mine_wmo_budget, world.mine_wmo_agreement
    october = _validate(actor, _draft(actor, agreement))
    assert october.status == DeclarationStatus.VALIDATED
    _assert_declared(budget, "666.00")

    # an edit of the costs puts it back to draft: it no longer counts
    cost = _cost(actor, agreement, "12.50")
    october.refresh_from_db()
    assert october.status == DeclarationStatus.DRAFT
    _assert_declared(budget, "0.00")
    october = _validate(actor, october)
    assert october.status == DeclarationStatus.VALIDATED
    _assert_declared(budget, "678.50")

    # drafting it again makes it a draft
    declaration_services.declaration_draft(actor=actor, agreement_id=agreement.pk, month=OCTOBER)
    _assert_declared(budget, "0.00")
    october = _validate(actor, october)
    _assert_declared(budget, "678.50")

    # exported and submitted it still counts, once
    batch_services.batch_export(actor=actor, month=OCTOBER, holder_id=world.mine.pk)
    declaration_services.declaration_submit(actor=actor, declaration_id=october.pk)
    _assert_declared(budget, "678.50")

    # a correction counts once validated, instead of the original
    correction = declaration_services.declaration_correct(actor=actor, declaration_id=october.pk)
    _assert_declared(budget, "678.50")
    hour_services.expense_delete(actor=actor, expense_id=cost.pk)
    _assert_declared(budget, "678.50")
    correction = _validate(actor, correction)
    assert correction.status == DeclarationStatus.VALIDATED
    _assert_declared(budget, "666.00")
    # back to draft, the original counts again
    _cost(actor, agreement, "5.00")
    _assert_declared(budget, "678.50")
    correction = _validate(actor, correction)
    _assert_declared(budget, "671.00")

    # the SVB rejects the correction: the original counts again; paid, it stays
    batch_services.batch_export(actor=actor, month=OCTOBER, holder_id=world.mine.pk)
    declaration_services.declaration_settle(
        actor=actor,
        declaration_id=correction.pk,
        paid=False,
        rejection_reason="Dubbel",
        evidence="PGB Portaal",
    )
    _assert_declared(budget, "678.50")
    declaration_services.declaration_settle(
        actor=actor, declaration_id=october.pk, paid=True, evidence="PGB Portaal"
    )
    _assert_declared(budget, "678.50")

    # a validated month thrown away no longer counts
    september = _validate(actor, _draft(actor, agreement, SEPTEMBER))
    assert september.status == DeclarationStatus.VALIDATED
    _assert_declared(budget, "1270.50")
    declaration_services.declaration_delete(actor=actor, declaration_id=september.pk)
    _assert_declared(budget, "678.50")


def _cost(actor, agreement, amount: str):
    return hour_services.expense_add(
        actor=actor,
        agreement_id=agreement.pk,
        expense_date=date(2026, 10, 6),
        kind="other",
        amount=amount,
        description="incontinentiemateriaal",
    )


def test_back_to_draft_of_many_months_at_once(world, actor):
    budget, agreement = world.mine_wmo_budget, world.mine_wmo_agreement
    for month in (SEPTEMBER, OCTOBER):
        _validate(actor, _draft(actor, agreement, month))
    _assert_declared(budget, "1258.00")
    with transaction.atomic():
        declaration_services.back_to_draft_many(
            {(agreement.pk, SEPTEMBER), (agreement.pk, OCTOBER)}
        )
    _assert_declared(budget, "0.00")


def test_a_validated_declaration_drafted_again_at_a_new_rate_moves_the_total(world, actor):
    budget, agreement = world.mine_wmo_budget, world.mine_wmo_agreement
    _validate(actor, _draft(actor, agreement))
    agreement_change(
        actor=actor, agreement_id=agreement.pk, effective_from=date(2026, 10, 15),
        rate=Decimal("19.25"),
    )  # fmt: skip
    (redrafted,) = declaration_services.declarations_draft_period(
        actor=actor, month=OCTOBER, holder_id=world.mine.pk
    )
    assert redrafted.status == DeclarationStatus.VALIDATED
    _assert_declared(budget, "681.00")  # 16 hours at € 18,50 and 20 at € 19,25


def test_a_declaration_that_moves_to_another_grant_leaves_the_first(world, actor):
    agreement = world.mine_wmo_agreement
    first = world.mine_wmo_budget
    second = BudgetFactory(
        holder=world.mine, funder=world.the_hague, products=list(first.products.all())
    )
    declaration = _validate(actor, _draft(actor, agreement))
    _assert_declared(first, "666.00")
    version = agreement_change(
        actor=actor, agreement_id=agreement.pk, effective_from=date(2026, 10, 15),
        budget_id=second.pk,
    )  # fmt: skip
    agreement_record_approval(
        actor=actor,
        version_id=version.pk,
        status=ApprovalStatus.APPROVED,
        decided_on=OCTOBER,
        evidence="PGB Portaal",
    )
    declaration = _validate(actor, declaration)
    assert (declaration.status, declaration.budget_id) == (DeclarationStatus.VALIDATED, second.pk)
    _assert_declared(first, "0.00")
    _assert_declared(second, "666.00")


def test_the_migration_fills_the_declared_totals(world, actor):
    budget = world.mine_wmo_budget
    _validate(actor, _draft(actor, world.mine_wmo_agreement))
    Budget.objects.update(declared=0)
    migration = importlib.import_module("pgb_admin.budgets.migrations.0003_budget_declared")
    migration.fill_declared(apps, None)
    _assert_declared(budget, "666.00")
    assert set(Budget.objects.exclude(pk=budget.pk).values_list("declared", flat=True)) == {0}
