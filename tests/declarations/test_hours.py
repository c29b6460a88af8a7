"""Logging hours and costs: clear errors for bad input, nothing saved on error, and months
that lock once declared."""

from datetime import date, time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import translation

import pytest

from declarations.constants import DeclarationStatus
from declarations.models import Expense, TimeEntry
from declarations.services import declarations as declaration_services
from declarations.services import hours as hour_services
from pgb_admin.core.errors import NotFound

MARCH = date(2026, 3, 1)


@pytest.fixture
def agreement(world):
    return world.mine_wmo_agreement


@pytest.fixture
def actor(world):
    return world.users["holder"]


def _messages(error: ValidationError, field: str, language: str) -> str:
    with translation.override(language):
        return " ".join(error.message_dict[field])


def test_hours_in_quarters_are_stored_as_decimals(actor, agreement):
    entry = hour_services.time_entry_add(
        actor=actor, agreement_id=agreement.pk, care_date=date(2026, 3, 2), quantity="7,5"
    )
    entry.refresh_from_db()
    assert entry.quantity == Decimal("7.50")


@pytest.mark.parametrize(
    ("typed", "code", "english", "dutch"),
    [
        ("25", "more_than_a_day", "25 hours do not fit in one day", "25"),
        ("-1", "negative_value", "-1 is negative", "-1"),
        ("abc", "not_a_number", "abc is not a number", "abc"),
        ("1.3", "not_in_quarter_hours", "1.3 hours is not in quarter hours", "1.3"),
        ("1.255", "too_many_decimals", "more than two decimals", "1.255"),
    ],
)
def test_bad_hours_are_refused_by_name_and_value(actor, agreement, typed, code, english, dutch):
    with pytest.raises(ValidationError) as error:
        hour_services.time_entry_add(
            actor=actor, agreement_id=agreement.pk, care_date=date(2026, 3, 2), quantity=typed
        )
    assert [e.code for e in error.value.error_dict["quantity"]] == [code]
    assert english in _messages(error.value, "quantity", "en")
    dutch_message = _messages(error.value, "quantity", "nl")
    assert dutch in dutch_message
    assert dutch_message != _messages(error.value, "quantity", "en")
    assert not TimeEntry.objects.exists()


def test_a_date_outside_the_month_of_the_grid_is_refused(actor, agreement):
    with pytest.raises(ValidationError) as error:
        hour_services.time_entry_add(
            actor=actor,
            agreement_id=agreement.pk,
            care_date=date(2026, 4, 1),
            quantity="2",
            month=MARCH,
        )
    assert error.value.error_dict["care_date"][0].code == "date_outside_month"
    assert not TimeEntry.objects.exists()


def test_an_unknown_or_foreign_agreement_is_not_found(world, actor):
    for agreement_id in (world.theirs_agreement.pk, 999_999):
        with pytest.raises(NotFound):
            hour_services.time_entry_add(
                actor=actor, agreement_id=agreement_id, care_date=date(2026, 3, 2), quantity="2"
            )


def test_times_give_the_quantity_and_may_run_past_midnight(actor, agreement):
    day = hour_services.time_entry_add(
        actor=actor,
        agreement_id=agreement.pk,
        care_date=date(2026, 3, 2),
        start_time=time(9, 0),
        end_time=time(10, 20),
    )
    night = hour_services.time_entry_add(
        actor=actor,
        agreement_id=agreement.pk,
        care_date=date(2026, 3, 3),
        start_time=time(22, 0),
        end_time=time(6, 0),
    )
    assert (day.quantity, night.quantity) == (Decimal("1.33"), Decimal("8.00"))


def test_quantity_and_times_must_agree(actor, agreement):
    with pytest.raises(ValidationError) as error:
        hour_services.time_entry_add(
            actor=actor,
            agreement_id=agreement.pk,
            care_date=date(2026, 3, 2),
            quantity="3",
            start_time=time(9, 0),
            end_time=time(11, 0),
        )
    assert error.value.error_dict["quantity"][0].code == "quantity_does_not_match_times"
    with pytest.raises(ValidationError) as error:
        hour_services.time_entry_add(
            actor=actor, agreement_id=agreement.pk, care_date=date(2026, 3, 2), start_time=time(9)
        )
    assert error.value.error_dict["end_time"][0].code == "half_times"


def test_fill_a_month_from_a_weekly_pattern(actor, agreement):
    hour_services.time_entry_add(
        actor=actor, agreement_id=agreement.pk, care_date=date(2026, 3, 2), quantity="1"
    )
    created = hour_services.time_entries_fill_month(
        actor=actor, agreement_id=agreement.pk, month=MARCH, pattern={0: "4", 3: "3,5"}
    )
    mondays_and_thursdays = 5 + 4  # March 2026
    assert len(created) == mondays_and_thursdays - 1  # the 2nd already had an entry
    assert TimeEntry.objects.get(care_date=date(2026, 3, 2)).quantity == Decimal("1")
    replaced = hour_services.time_entries_fill_month(
        actor=actor, agreement_id=agreement.pk, month=MARCH, pattern={0: "4"}, replace=True
    )
    assert len(replaced) == TimeEntry.objects.count() == 5


def test_fill_only_on_days_the_agreement_runs(world, actor, agreement):
    from contracts.services import agreement_end

    agreement_end(actor=actor, agreement_id=agreement.pk, end_date=date(2026, 3, 15))
    created = hour_services.time_entries_fill_month(
        actor=actor, agreement_id=agreement.pk, month=MARCH, pattern=dict.fromkeys(range(7), "2")
    )
    assert [e.care_date.day for e in created] == list(range(1, 16))


def test_a_bad_pattern_creates_nothing(actor, agreement):
    with pytest.raises(ValidationError) as error:
        hour_services.time_entries_fill_month(
            actor=actor, agreement_id=agreement.pk, month=MARCH, pattern={0: "4", 2: "1.3"}
        )
    assert error.value.error_dict["pattern"][0].code == "not_in_quarter_hours"
    assert not TimeEntry.objects.exists()


def test_changing_hours_sends_a_validated_declaration_back_to_draft(actor, agreement):
    hour_services.time_entries_fill_month(
        actor=actor, agreement_id=agreement.pk, month=MARCH, pattern={0: "4"}
    )
    declaration = declaration_services.declaration_draft(
        actor=actor, agreement_id=agreement.pk, month=MARCH
    )
    declaration_services.declaration_validate(actor=actor, declaration_ids=[declaration.pk])
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.VALIDATED
    entry = TimeEntry.objects.first()
    hour_services.time_entry_update(actor=actor, entry_id=entry.pk, quantity="3")
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.DRAFT
    hour_services.time_entry_delete(actor=actor, entry_id=entry.pk)
    assert not TimeEntry.objects.filter(pk=entry.pk).exists()


def test_travel_costs_at_the_agreed_allowance(world, actor, agreement):
    from contracts.services import agreement_change

    with pytest.raises(ValidationError) as error:
        hour_services.expense_add(
            actor=actor,
            agreement_id=agreement.pk,
            expense_date=date(2026, 3, 5),
            kind="travel",
            kilometres="12",
        )
    assert error.value.error_dict["amount"][0].code == "required"
    agreement_change(
        actor=actor,
        agreement_id=agreement.pk,
        effective_from=date(2026, 3, 1),
        travel_allowance_per_km=Decimal("0.23"),
    )
    expense = hour_services.expense_add(
        actor=actor,
        agreement_id=agreement.pk,
        expense_date=date(2026, 3, 5),
        kind="travel",
        kilometres="12,5",
    )
    assert (expense.kilometres, expense.amount) == (Decimal("12.5"), Decimal("2.88"))
    other = hour_services.expense_add(
        actor=actor, agreement_id=agreement.pk, expense_date=date(2026, 3, 6), kind="other",
        amount="15.00", description="incontinentiemateriaal",
    )  # fmt: skip
    assert other.amount == Decimal("15.00")
    with pytest.raises(ValidationError):
        hour_services.expense_add(
            actor=actor, agreement_id=agreement.pk, expense_date=date(2026, 3, 6), kind="other",
            amount="-5",
        )  # fmt: skip
    assert Expense.objects.count() == 2


def test_fixed_monthly_pay_takes_no_hours(world, actor):
    from contracts.constants import AgreementType
    from contracts.services import agreement_create
    from pgb_admin.figures.constants import RateUnit

    fixed = agreement_create(
        actor=actor,
        holder_id=world.mine.pk,
        provider_id=world.mine_provider.pk,
        agreement_type=AgreementType.EMPLOYMENT_FIXED,
        budget_id=world.mine_wmo_budget.pk,
        product=world.mine_wmo_budget.products.get(),
        valid_from=date(2026, 1, 1),
        rate=Decimal("1500"),
        unit=RateUnit.MONTH,
        hours_per_week=Decimal("20"),
    )
    with pytest.raises(ValidationError) as error:
        hour_services.time_entry_add(
            actor=actor, agreement_id=fixed.pk, care_date=date(2026, 3, 2), quantity="4"
        )
    assert error.value.error_dict["agreement"][0].code == "monthly_pay_without_hours"


@pytest.mark.parametrize("persona", ["family", "auditor_same"])
def test_read_only_people_cannot_log_hours(world, agreement, persona):
    from pgb_admin.accounts.scoping import ReadOnlyAccess

    with pytest.raises(ReadOnlyAccess):
        hour_services.time_entry_add(
            actor=world.users[persona],
            agreement_id=agreement.pk,
            care_date=date(2026, 3, 2),
            quantity="2",
        )
    assert not TimeEntry.objects.exists()
