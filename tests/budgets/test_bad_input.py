"""Model validation refuses bad input with a field error in Dutch and English, and the services
that use it save nothing."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import translation

import pytest

from contracts.constants import ProviderKind, Relation
from contracts.models import Provider
from contracts.services import provider_create
from pgb_admin.budgets.constants import Scheme
from pgb_admin.budgets.models import Budget, BudgetHolder
from pgb_admin.budgets.services import budget_create

from ..conftest import TODAY


def _field_errors(error: ValidationError, language: str) -> dict[str, list[str]]:
    with translation.override(language):
        return {field: [str(m) for m in messages] for field, messages in error.message_dict.items()}


@pytest.mark.parametrize(
    ("field", "value", "code", "dutch", "english"),
    [
        ("bsn", "123456789", "invalid_bsn", "geen geldig BSN", "not a valid BSN"),
        ("svb_client_number", "12", "invalid_svb_client_number", "SVB", "8 or 9 digits"),
        ("date_of_birth", TODAY + timedelta(days=1), "birth_in_future", "toekomst", "future"),
    ],
)
def test_holder_field_errors(world, field, value, code, dutch, english):
    holder = BudgetHolder(
        initials="A.", surname="Test", bsn="999996708", date_of_birth=date(1990, 1, 1)
    )
    setattr(holder, field, value)
    with pytest.raises(ValidationError) as error:
        holder.full_clean()
    assert [e.code for e in error.value.error_dict[field]] == [code]
    assert dutch in " ".join(_field_errors(error.value, "nl")[field])
    assert english in " ".join(_field_errors(error.value, "en")[field])


def test_a_bsn_is_stored_once(world):
    duplicate = BudgetHolder(
        initials="B.", surname="Dubbel", bsn=world.mine.bsn, date_of_birth=date(1990, 1, 1)
    )
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert error.value.error_dict["bsn"][0].code == "unique"


@pytest.mark.parametrize(
    ("changes", "field", "code", "english"),
    [
        (
            {"end_date": date(2025, 12, 31)},
            "end_date",
            "period_end_before_start",
            "lies before the start date",
        ),
        ({"amount": Decimal("-1.00")}, "amount", "negative_amount", "cannot be negative"),
        ({"amount": Decimal("1234567890123")}, "amount", "max_digits", "digits"),
        ({"scheme": Scheme.WLZ}, "funder", "scheme_funder_mismatch", "care office"),
    ],
)
def test_budget_field_errors_and_nothing_saved(world, changes, field, code, english):
    arguments = dict(
        actor=world.users["holder"],
        holder_id=world.mine.pk,
        funder=world.the_hague,
        scheme=Scheme.WMO,
        products=[],
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        amount=Decimal("5000"),
        decision_date=date(2025, 12, 1),
        decision_reference="KENMERK-1",
    )
    arguments.update(changes)
    before = Budget.objects.count()
    with pytest.raises(ValidationError) as error:
        budget_create(**arguments)
    assert [e.code for e in error.value.error_dict[field]] == [code]
    assert english in " ".join(_field_errors(error.value, "en")[field])
    assert _field_errors(error.value, "nl")[field] != _field_errors(error.value, "en")[field]
    assert Budget.objects.count() == before


def test_the_database_refuses_a_negative_amount_too(world):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Budget.objects.filter(pk=world.mine_wmo_budget.pk).update(amount=Decimal("-5"))


def test_a_grant_of_zero_is_allowed(world):
    budget = budget_create(
        actor=world.users["holder"],
        holder_id=world.mine.pk,
        funder=world.the_hague,
        scheme=Scheme.JEUGDWET,
        products=[],
        start_date=date(2026, 1, 1),
        end_date=date(2026, 12, 31),
        amount=Decimal("0"),
        decision_date=date(2025, 12, 1),
        decision_reference="NUL-1",
    )
    assert budget.amount == 0


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"iban": "NL91ABNA0417164301"}, "iban", "invalid_iban"),
        ({"agb_code": "1234567"}, "agb_code", "invalid_agb_code"),
        ({"kvk_number": "1234567A"}, "kvk_number", "invalid_kvk_number"),
        ({"big_number": "123"}, "big_number", "invalid_big_number"),
        ({"date_of_birth": None}, "date_of_birth", "birth_date_required"),
    ],
)
def test_provider_field_errors_and_nothing_saved(world, fields, field, code):
    arguments = dict(
        kind=ProviderKind.PERSON,
        name="P. Test",
        date_of_birth=date(1980, 1, 1),
        iban="NL91ABNA0417164300",
    )
    arguments.update(fields)
    before = Provider.objects.count()
    with pytest.raises(ValidationError) as error:
        provider_create(
            actor=world.users["holder"],
            holder_id=world.mine.pk,
            relation=Relation.NONE,
            **arguments,
        )
    assert [e.code for e in error.value.error_dict[field]] == [code]
    assert Provider.objects.count() == before


def test_an_organisation_needs_a_kvk_number_and_no_family_relation(world):
    organisation = dict(kind=ProviderKind.ORGANISATION, name="Zorg BV", iban="NL91ABNA0417164300")
    with pytest.raises(ValidationError) as error:
        provider_create(
            actor=world.users["holder"],
            holder_id=world.mine.pk,
            relation=Relation.NONE,
            **organisation,
        )
    assert error.value.error_dict["kvk_number"][0].code == "kvk_number_required"
    with pytest.raises(ValidationError) as error:
        provider_create(
            actor=world.users["holder"],
            holder_id=world.mine.pk,
            relation=Relation.PARTNER,
            kvk_number="12345678",
            **organisation,
        )
    assert error.value.error_dict["relation"][0].code == "organisation_with_relation"
    assert not Provider.objects.filter(name="Zorg BV").exists()


def test_objection_deadline_is_six_weeks_after_the_decision(world):
    budget = world.mine_wmo_budget
    assert budget.decision_date == date(2025, 12, 1)
    assert budget.objection_deadline == date(2026, 1, 12)


def test_objection_deadline_follows_the_dated_figure(world):
    from pgb_admin.figures.constants import FigureKind
    from pgb_admin.figures.models import StatutoryFigure

    current = StatutoryFigure.objects.get(kind=FigureKind.OBJECTION_WEEKS)
    current.valid_to = date(2025, 11, 30)
    current.save()
    StatutoryFigure.objects.create(
        kind=FigureKind.OBJECTION_WEEKS,
        unit="weeks",
        value=Decimal("8"),
        valid_from=date(2025, 12, 1),
        source="hypothetical amendment",
    )
    assert world.mine_wmo_budget.objection_deadline == date(2026, 1, 26)


def test_funder_codes(world):
    from pgb_admin.budgets.constants import FunderKind
    from pgb_admin.budgets.models import Funder

    with pytest.raises(ValidationError) as error:
        Funder(code="GM51", name="X", kind=FunderKind.MUNICIPALITY).full_clean()
    assert error.value.error_dict["code"][0].code == "invalid_municipality_code"
    with pytest.raises(ValidationError) as error:
        Funder(code="zk haaglanden", name="X", kind=FunderKind.CARE_OFFICE).full_clean()
    assert error.value.error_dict["code"][0].code == "invalid_funder_code"
    Funder(code="ZK-UTRECHT", name="Zorgkantoor Utrecht", kind=FunderKind.CARE_OFFICE).full_clean()


def test_budget_correction_keeps_agreements_inside_the_grant(world):
    from pgb_admin.budgets.services import budget_update

    actor = world.users["representative"]
    budget = world.mine_wmo_budget
    budget_update(actor=actor, budget_id=budget.pk, amount=Decimal("13000"))
    budget.refresh_from_db()
    assert budget.amount == Decimal("13000")
    with pytest.raises(ValidationError) as error:
        budget_update(actor=actor, budget_id=budget.pk, start_date=date(2026, 3, 1))
    assert error.value.error_dict["valid_from"][0].code == "agreement_outside_budget"
    with pytest.raises(ValidationError) as error:
        budget_update(actor=actor, budget_id=budget.pk, products=[])
    assert error.value.error_dict["product"][0].code == "product_not_in_budget"
    budget.refresh_from_db()
    assert (budget.start_date, budget.products.count()) == (date(2026, 1, 1), 1)
