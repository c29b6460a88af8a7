"""Care agreements change by new dated versions; history is never edited."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError

import pytest

from contracts import services
from contracts.constants import AgreementType, ApprovalStatus, Relation
from contracts.models import AgreementVersion, CareAgreement
from pgb_admin.figures.constants import RateUnit


@pytest.fixture
def agreement(world):
    return services.agreement_create(
        actor=world.users["representative"],
        holder_id=world.mine.pk,
        provider_id=world.mine_provider.pk,
        agreement_type=AgreementType.EMPLOYMENT_HOURLY,
        budget_id=world.mine_wmo_budget.pk,
        product=world.mine_wmo_budget.products.get(),
        valid_from=date(2026, 1, 1),
        rate=Decimal("18.00"),
        unit=RateUnit.HOUR,
        hours_per_week=Decimal("6"),
    )


def test_rate_change_from_a_date_keeps_both_versions_readable_by_date(world, agreement):
    actor = world.users["representative"]
    services.agreement_change(
        actor=actor,
        agreement_id=agreement.pk,
        effective_from=date(2026, 7, 1),
        reason="indexatie",
        rate=Decimal("18.90"),
    )

    before = agreement.version_on(date(2026, 6, 30))
    after = agreement.version_on(date(2026, 7, 1))
    assert (before.rate, before.valid_from, before.valid_to) == (
        Decimal("18.00"),
        date(2026, 1, 1),
        date(2026, 6, 30),
    )
    assert (after.rate, after.valid_from, after.valid_to) == (
        Decimal("18.90"),
        date(2026, 7, 1),
        None,
    )
    # the new version carries everything else over, and awaits the funder's approval again
    assert after.hours_per_week == before.hours_per_week == Decimal("6")
    assert after.approval_status == ApprovalStatus.PENDING
    assert agreement.version_on(date(2025, 12, 31)) is None


def test_as_of_read_is_one_query(world, agreement, django_assert_num_queries):
    with django_assert_num_queries(1):
        version = agreement.version_on(date(2026, 3, 1))
    assert version.rate == Decimal("18.00")


def test_all_agreements_as_of_a_date_in_one_query(world, agreement, django_assert_num_queries):
    with django_assert_num_queries(1):
        versions = list(AgreementVersion.objects.valid_on(date(2026, 3, 1)))
    assert agreement.pk in {version.agreement_id for version in versions}


def test_version_content_changes_only_by_a_new_version(world, agreement):
    first = agreement.versions.get()
    services.agreement_change(
        actor=world.users["holder"],
        agreement_id=agreement.pk,
        effective_from=date(2026, 4, 1),
        hours_per_week=Decimal("8"),
    )
    first.refresh_from_db()
    assert (first.rate, first.hours_per_week) == (Decimal("18.00"), Decimal("6"))
    assert agreement.versions.count() == 2


@pytest.mark.parametrize("effective_from", [date(2026, 1, 1), date(2025, 12, 1)])
def test_change_that_would_rewrite_history_is_refused(world, agreement, effective_from):
    with pytest.raises(ValidationError) as error:
        services.agreement_change(
            actor=world.users["holder"],
            agreement_id=agreement.pk,
            effective_from=effective_from,
            rate=Decimal("30"),
        )
    assert error.value.error_dict["effective_from"][0].code == "change_rewrites_history"
    assert agreement.versions.count() == 1


def test_failed_change_leaves_nothing_half_written(world, agreement):
    """The new version is invalid (outside the grant): the old one keeps its open end."""
    with pytest.raises(ValidationError):
        services.agreement_change(
            actor=world.users["holder"],
            agreement_id=agreement.pk,
            effective_from=date(2026, 9, 1),
            valid_to=date(2027, 3, 31),
        )
    version = agreement.versions.get()
    assert version.valid_to is None


def test_end_shortens_the_latest_version_only(world, agreement):
    actor = world.users["bureau"]
    services.agreement_end(actor=actor, agreement_id=agreement.pk, end_date=date(2026, 10, 31))
    assert agreement.versions.get().valid_to == date(2026, 10, 31)
    with pytest.raises(ValidationError) as error:
        services.agreement_end(actor=actor, agreement_id=agreement.pk, end_date=date(2026, 11, 30))
    assert error.value.error_dict["end_date"][0].code == "end_extends_agreement"


def test_renewal_after_a_gap_starts_open_ended(world, agreement):
    actor = world.users["holder"]
    services.agreement_end(actor=actor, agreement_id=agreement.pk, end_date=date(2026, 3, 31))
    renewed = services.agreement_change(
        actor=actor, agreement_id=agreement.pk, effective_from=date(2026, 6, 1)
    )
    assert (renewed.valid_from, renewed.valid_to) == (date(2026, 6, 1), None)
    assert agreement.version_on(date(2026, 5, 1)) is None


def test_overlapping_version_is_refused_by_validation(world, agreement):
    overlapping = AgreementVersion(
        agreement=agreement,
        budget=world.mine_wmo_budget,
        product=world.mine_wmo_budget.products.get(),
        valid_from=date(2026, 5, 1),
        rate=Decimal("19"),
        unit=RateUnit.HOUR,
        hours_per_week=Decimal("6"),
    )
    with pytest.raises(ValidationError) as error:
        overlapping.full_clean()
    assert error.value.error_dict["valid_from"][0].code == "overlapping_version"


def test_record_approval(world, agreement):
    version = agreement.versions.get()
    services.agreement_record_approval(
        actor=world.users["holder"],
        version_id=version.pk,
        status=ApprovalStatus.APPROVED,
        decided_on=date(2025, 12, 20),
        evidence="PGB Portaal, bericht van 20 december 2025",
    )
    version.refresh_from_db()
    assert version.is_approved
    assert version.approval_date == date(2025, 12, 20)


def test_agreement_period_comes_from_its_versions(world, agreement):
    services.agreement_change(
        actor=world.users["holder"],
        agreement_id=agreement.pk,
        effective_from=date(2026, 7, 1),
        valid_to=date(2026, 12, 31),
    )
    annotated = CareAgreement.objects.with_period().get(pk=agreement.pk)
    assert (annotated.start_date, annotated.end_date) == (date(2026, 1, 1), date(2026, 12, 31))
    open_ended = CareAgreement.objects.with_period().get(pk=world.theirs_agreement.pk)
    assert open_ended.end_date is None


def test_family_provider_needs_the_family_agreement(world):
    actor = world.users["holder"]
    mother = services.provider_create(
        actor=actor,
        holder_id=world.mine.pk,
        relation=Relation.PARENT,
        kind="person",
        name="M. Mijn",
        date_of_birth=date(1960, 1, 1),
        iban="NL91 ABNA 0417 1643 00",
    )
    arguments = dict(
        actor=actor,
        holder_id=world.mine.pk,
        provider_id=mother.pk,
        budget_id=world.mine_wmo_budget.pk,
        product=world.mine_wmo_budget.products.get(),
        valid_from=date(2026, 2, 1),
        rate=Decimal("20"),
        unit=RateUnit.HOUR,
        hours_per_week=Decimal("4"),
    )
    with pytest.raises(ValidationError) as error:
        services.agreement_create(agreement_type=AgreementType.EMPLOYMENT_HOURLY, **arguments)
    assert error.value.error_dict["agreement_type"][0].code == "family_needs_family_agreement"
    agreement = services.agreement_create(agreement_type=AgreementType.FAMILY, **arguments)
    assert agreement.holder_link().carer_class == "informal"
    assert mother.iban == "NL91ABNA0417164300"


def test_a_failed_agreement_leaves_no_agreement_row(world):
    before = CareAgreement.objects.count()
    with pytest.raises(ValidationError):
        services.agreement_create(
            actor=world.users["holder"],
            holder_id=world.mine.pk,
            provider_id=world.mine_provider.pk,
            agreement_type=AgreementType.EMPLOYMENT_HOURLY,
            budget_id=world.mine_wmo_budget.pk,
            product=world.mine_wmo_budget.products.get(),
            valid_from=date(2026, 1, 1),
            rate=Decimal("18"),
            unit=RateUnit.DAY_PART,  # a private person is paid per hour
            hours_per_week=Decimal("6"),
        )
    assert CareAgreement.objects.count() == before


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"valid_from": date(2025, 12, 31)}, "valid_from", "agreement_outside_budget"),
        ({"valid_to": date(2027, 1, 31)}, "valid_to", "agreement_outside_budget"),
        ({"valid_to": date(2025, 12, 1)}, "valid_to", "period_end_before_start"),
        ({"unit": RateUnit.DAY}, "unit", "unit_not_allowed"),
        ({"hours_per_week": None}, "hours_per_week", "hours_per_week_required"),
        ({"hours_per_week": Decimal("170")}, "hours_per_week", "hours_per_week_out_of_range"),
        ({"rate": Decimal("-1")}, "rate", "negative_value"),
    ],
)
def test_bad_versions_are_refused_with_a_field_error(world, changes, field, code):
    arguments = dict(
        actor=world.users["holder"],
        holder_id=world.mine.pk,
        provider_id=world.mine_provider.pk,
        agreement_type=AgreementType.EMPLOYMENT_HOURLY,
        budget_id=world.mine_wmo_budget.pk,
        product=world.mine_wmo_budget.products.get(),
        valid_from=date(2026, 1, 1),
        rate=Decimal("18"),
        unit=RateUnit.HOUR,
        hours_per_week=Decimal("6"),
    )
    arguments.update(changes)
    with pytest.raises(ValidationError) as error:
        services.agreement_create(**arguments)
    assert [e.code for e in error.value.error_dict[field]] == [code]


def test_product_outside_the_grant_is_refused(world):
    from pgb_admin.budgets.models import CareProduct

    with pytest.raises(ValidationError) as error:
        services.agreement_create(
            actor=world.users["holder"],
            holder_id=world.mine.pk,
            provider_id=world.mine_provider.pk,
            agreement_type=AgreementType.EMPLOYMENT_HOURLY,
            budget_id=world.mine_wmo_budget.pk,
            product=CareProduct.objects.get(code="verpleging"),
            valid_from=date(2026, 1, 1),
            rate=Decimal("18"),
            unit=RateUnit.HOUR,
            hours_per_week=Decimal("6"),
        )
    assert error.value.error_dict["product"][0].code == "product_not_in_budget"


def test_another_holders_grant_is_not_found(world):
    from pgb_admin.core.errors import NotFound

    with pytest.raises(NotFound):
        services.agreement_create(
            actor=world.users["holder"],
            holder_id=world.mine.pk,
            provider_id=world.mine_provider.pk,
            agreement_type=AgreementType.EMPLOYMENT_HOURLY,
            budget_id=world.theirs_budget.pk,
            product=world.theirs_budget.products.get(),
            valid_from=date(2026, 1, 1),
            rate=Decimal("18"),
            unit=RateUnit.HOUR,
            hours_per_week=Decimal("6"),
        )


def test_ending_before_start_of_latest_version_is_refused(world, agreement):
    with pytest.raises(ValidationError) as error:
        services.agreement_end(
            actor=world.users["holder"],
            agreement_id=agreement.pk,
            end_date=date(2026, 1, 1) - timedelta(days=1),
        )
    assert error.value.error_dict["end_date"][0].code == "end_rewrites_history"
