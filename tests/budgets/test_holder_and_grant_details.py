"""Issue 16's data entered by those who act for the holder: the holder's address, date of death,
CAK exemption and admissions; a grant's SVB payroll and indicated hours; a provider's SBI code.
Validators, forms and services (the API and the pages: tests/api, tests/web)."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError

import pytest

from contracts import services as contract_services
from pgb_admin.accounts.scoping import ReadOnlyAccess
from pgb_admin.budgets import services
from pgb_admin.budgets.constants import CakExemption
from pgb_admin.budgets.models import CareProduct, Funder
from pgb_admin.core.errors import NotFound
from pgb_admin.core.validators import normalize_postcode, normalize_sbi_code, validate_postcode
from reports.dashboard.forms import HolderDetailsForm, IndicationForm

from ..factories import BudgetFactory


def _not_granted(budget):
    return CareProduct.objects.exclude(budgets=budget).first()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("2514ab", "2514 AB"), (" 2514 AB ", "2514 AB"), ("9999zz", "9999 ZZ")],
)
def test_postcodes_are_normalised(typed, stored):
    assert normalize_postcode(typed) == stored
    validate_postcode(stored)


@pytest.mark.parametrize("postcode", ["0123 AB", "2514 SA", "2514 SD", "2514 SS", "251 AB", "ABCD"])
def test_postcodes_that_do_not_exist_are_refused(postcode):
    with pytest.raises(ValidationError) as caught:
        validate_postcode(normalize_postcode(postcode))
    assert caught.value.code == "invalid_postcode"


def test_sbi_code_keeps_digits_only():
    assert normalize_sbi_code("86.91") == "8691"
    assert normalize_sbi_code("88.10.1") == "88101"


def test_details_form_normalises_and_refuses():
    form = HolderDetailsForm(
        data={"postcode": "2514ab", "house_number": "17a", "cak_exemption": "wheelchair_only"}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["postcode"] == "2514 AB"
    assert form.cleaned_data["house_number"] == "17A"

    form = HolderDetailsForm(data={"postcode": "2514 SS", "house_number": "x"})
    assert not form.is_valid()
    assert form.has_error("postcode", "invalid_postcode")
    assert form.has_error("house_number", "invalid_house_number")


def test_indication_form_offers_only_the_grants_products(world):
    budget = world.mine_wmo_budget
    other = _not_granted(budget)
    form = IndicationForm(
        data={"product": other.pk, "hours": "0", "per": "week", "valid_from": "2026-02-01"},
        products=budget.products.all(),
    )
    assert not form.is_valid()
    assert form.has_error("product", "invalid_choice")
    assert form.has_error("hours", "min_value")


def test_holder_update_saves_the_details(world):
    holder = services.holder_update(
        actor=world.users["representative"],
        holder_id=world.mine.pk,
        postcode="2514ab",
        house_number="17",
        date_of_death=date(2026, 11, 1),
        cak_exemption=CakExemption.WHEELCHAIR_ONLY,
    )
    holder.refresh_from_db()
    assert (holder.postcode, holder.house_number) == ("2514 AB", "17")
    assert holder.date_of_death == date(2026, 11, 1)
    assert holder.cak_exemption == CakExemption.WHEELCHAIR_ONLY


def test_holder_update_refuses_bad_details(world):
    with pytest.raises(ValidationError) as caught:
        services.holder_update(
            actor=world.users["holder"],
            holder_id=world.mine.pk,
            postcode="2514 SA",
            date_of_death=date(2027, 1, 1),
        )
    assert set(caught.value.error_dict) == {"postcode", "date_of_death"}
    with pytest.raises(ValidationError) as caught:
        services.holder_update(
            actor=world.users["holder"], holder_id=world.mine.pk, date_of_death=date(1900, 1, 1)
        )
    assert caught.value.error_dict["date_of_death"][0].code == "death_before_birth"


def test_admissions_are_added_and_ended_by_who_acts_for_the_holder(world):
    admission = services.admission_create(
        actor=world.users["bureau"],
        holder_id=world.mine.pk,
        kind="hospital",
        valid_from=date(2026, 11, 1),
    )
    assert admission.valid_to is None
    services.admission_end(
        actor=world.users["bureau"], admission_id=admission.pk, valid_to=date(2026, 11, 10)
    )
    admission.refresh_from_db()
    assert admission.valid_to == date(2026, 11, 10)
    with pytest.raises(ValidationError):
        services.admission_end(
            actor=world.users["bureau"], admission_id=admission.pk, valid_to=date(2026, 10, 1)
        )
    with pytest.raises(ReadOnlyAccess):
        services.admission_create(
            actor=world.users["family"],
            holder_id=world.mine.pk,
            kind="hospital",
            valid_from=date(2026, 11, 1),
        )
    with pytest.raises(NotFound):
        services.admission_end(
            actor=world.users["stranger"], admission_id=admission.pk, valid_to=date(2026, 11, 9)
        )


def test_svb_payroll_only_on_a_zvw_grant(world):
    with pytest.raises(ValidationError) as caught:
        services.budget_update(
            actor=world.users["holder"], budget_id=world.mine_wmo_budget.pk, svb_payroll=True
        )
    assert caught.value.error_dict["svb_payroll"][0].code == "svb_payroll_not_zvw"
    zvw = BudgetFactory(holder=world.mine, funder=Funder.objects.get(code="ZV-CZ"), scheme="zvw")
    services.budget_update(actor=world.users["holder"], budget_id=zvw.pk, svb_payroll=True)
    zvw.refresh_from_db()
    assert zvw.svb_payroll


def test_indications_fit_the_grant(world):
    budget = world.mine_wmo_budget
    product = budget.products.get()
    indication = services.indication_create(
        actor=world.users["representative"],
        budget_id=budget.pk,
        product=product,
        hours=Decimal("3.00"),
        per="week",
        valid_from=budget.start_date,
    )
    assert budget.indications.get() == indication
    with pytest.raises(ValidationError) as caught:
        services.indication_create(
            actor=world.users["representative"],
            budget_id=budget.pk,
            product=_not_granted(budget),
            hours=Decimal("3.00"),
            per="week",
            valid_from=date(2025, 6, 1),
            valid_to=date(2027, 6, 1),
        )
    assert set(caught.value.error_dict) >= {"product", "valid_from", "valid_to"}
    # a grant shortened past its indications is refused
    with pytest.raises(ValidationError):
        services.budget_update(
            actor=world.users["holder"], budget_id=budget.pk, start_date=date(2026, 2, 1)
        )


def test_provider_sbi_code_is_normalised_and_checked(world):
    provider = contract_services.provider_create(
        actor=world.users["holder"],
        holder_id=world.mine.pk,
        relation="none",
        kind="organisation",
        name="Zorg BV",
        iban=world.mine_provider.iban,
        kvk_number="12345678",
        sbi_code="86.91",
    )
    assert provider.sbi_code == "8691"
    with pytest.raises(ValidationError) as caught:
        contract_services.provider_update(
            actor=world.users["holder"], provider_id=provider.pk, sbi_code="8"
        )
    assert caught.value.error_dict["sbi_code"][0].code == "invalid_sbi_code"
