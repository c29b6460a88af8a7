"""Sick and recovery reports (ziek- en herstelmelding) of an employment agreement, and the
continued pay of a sickness from the dated figures (BW 7:629)."""

import threading
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection

import pytest

from contracts import selectors, services
from contracts.constants import AgreementType
from contracts.models import SickReport
from pgb_admin.accounts.scoping import ReadOnlyAccess
from pgb_admin.core.errors import NotFound
from pgb_admin.figures.constants import FigureKind
from pgb_admin.figures.models import StatutoryFigure

from ..conftest import _agreement


def _codes(error: ValidationError) -> set[str]:
    return {e.code for errors in error.error_dict.values() for e in errors}


@pytest.fixture
def actor(world):
    return world.users["representative"]


def test_report_sick_and_recovered(world, actor):
    agreement = world.mine_wmo_agreement
    report = services.sick_report(
        actor=actor,
        agreement_id=agreement.pk,
        sick_from=date(2026, 3, 9),
        reported_on=date(2026, 3, 9),
    )
    assert (report.sick_from, report.recovered_on) == (date(2026, 3, 9), None)
    recovered = services.recovery_report(
        actor=actor, agreement_id=agreement.pk, recovered_on=date(2026, 3, 16)
    )
    assert recovered.pk == report.pk
    report.refresh_from_db()
    assert (report.recovered_on, report.reported_on) == (date(2026, 3, 16), date(2026, 3, 9))
    # a later sickness is a new report
    services.sick_report(actor=actor, agreement_id=agreement.pk, sick_from=date(2026, 4, 1))
    assert agreement.sick_reports.count() == 2


def test_recovery_before_the_first_day_of_sickness_is_refused(world, actor):
    agreement = world.mine_wmo_agreement
    services.sick_report(actor=actor, agreement_id=agreement.pk, sick_from=date(2026, 3, 9))
    with pytest.raises(ValidationError) as refused:
        services.recovery_report(
            actor=actor, agreement_id=agreement.pk, recovered_on=date(2026, 3, 8)
        )
    assert _codes(refused.value) == {"recovery_before_sick"}
    assert "recovered_on" in refused.value.error_dict
    assert SickReport.objects.get(agreement=agreement).recovered_on is None


def test_no_recovery_without_an_open_report(world, actor):
    with pytest.raises(ValidationError) as refused:
        services.recovery_report(
            actor=actor, agreement_id=world.mine_wmo_agreement.pk, recovered_on=date(2026, 3, 8)
        )
    assert _codes(refused.value) == {"sick_none_open"}


@pytest.mark.parametrize(
    ("sick_from", "code"),
    [
        (date(2026, 3, 12), "sick_overlaps"),  # inside the closed report 9-15 March
        (date(2026, 3, 9), "sick_overlaps"),
        (date(2026, 3, 1), "sick_overlaps"),  # open from before it: would cover it
    ],
)
def test_overlapping_reports_are_refused(world, actor, sick_from, code):
    agreement = world.mine_wmo_agreement
    services.sick_report(actor=actor, agreement_id=agreement.pk, sick_from=date(2026, 3, 9))
    services.recovery_report(actor=actor, agreement_id=agreement.pk, recovered_on=date(2026, 3, 16))
    with pytest.raises(ValidationError) as refused:
        services.sick_report(actor=actor, agreement_id=agreement.pk, sick_from=sick_from)
    assert _codes(refused.value) == {code}
    assert agreement.sick_reports.count() == 1
    # the day of recovery is free again
    services.sick_report(actor=actor, agreement_id=agreement.pk, sick_from=date(2026, 3, 16))


def test_a_second_open_report_is_refused(world, actor):
    agreement = world.mine_wmo_agreement
    services.sick_report(actor=actor, agreement_id=agreement.pk, sick_from=date(2026, 3, 9))
    with pytest.raises(ValidationError) as refused:
        services.sick_report(actor=actor, agreement_id=agreement.pk, sick_from=date(2026, 4, 1))
    assert _codes(refused.value) == {"sick_still_open"}


def test_only_an_employment_agreement_has_sick_reports(world, actor):
    family = _agreement(
        world.mine, world.mine_provider, world.mine_wmo_budget, AgreementType.FAMILY
    )
    with pytest.raises(ValidationError) as refused:
        services.sick_report(actor=actor, agreement_id=family.pk, sick_from=date(2026, 3, 9))
    assert _codes(refused.value) == {"sick_not_employment"}
    assert not SickReport.objects.filter(agreement=family).exists()


def test_sickness_outside_the_agreement_is_refused(world, actor):
    with pytest.raises(ValidationError) as refused:
        services.sick_report(
            actor=actor, agreement_id=world.mine_wmo_agreement.pk, sick_from=date(2025, 12, 31)
        )
    assert _codes(refused.value) == {"sick_outside_agreement"}


def test_access_read_only_is_refused_and_out_of_scope_is_not_found(world):
    agreement = world.mine_wmo_agreement
    with pytest.raises(ReadOnlyAccess):
        services.sick_report(
            actor=world.users["family"], agreement_id=agreement.pk, sick_from=date(2026, 3, 9)
        )
    with pytest.raises(NotFound):
        services.sick_report(
            actor=world.users["stranger"], agreement_id=agreement.pk, sick_from=date(2026, 3, 9)
        )
    assert not SickReport.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_reports_at_once_make_one_open_report(world, actor):
    """The check and the write are one transaction on the locked agreement: two people
    reporting the same sickness at once leave one open report, the other is refused."""
    agreement = world.mine_wmo_agreement
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def report(day: date) -> None:
        try:
            barrier.wait()
            services.sick_report(actor=actor, agreement_id=agreement.pk, sick_from=day)
            outcomes.append("saved")
        except ValidationError as error:
            outcomes.extend(_codes(error))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=report, args=(day,))
        for day in (date(2026, 3, 9), date(2026, 3, 20))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) in (["saved", "sick_overlaps"], ["saved", "sick_still_open"])
    assert SickReport.objects.filter(agreement=agreement, recovered_on__isnull=True).count() == 1


# --- continued pay ------------------------------------------------------------------------


def test_continued_pay_from_the_figures(db, reference_data):
    from ..conftest import restore_reference_data

    restore_reference_data(reference_data)
    pay = selectors.continued_pay(date(2026, 3, 9))
    assert pay is not None
    assert pay.pct == Decimal("70")
    assert pay.days_limit == 4
    assert (pay.household_weeks, pay.household_until) == (6, date(2026, 4, 19))
    assert (pay.weeks, pay.until) == (104, date(2028, 3, 5))
    assert (pay.minimum_wage_weeks, pay.minimum_wage_until) == (52, date(2027, 3, 7))
    assert pay.scheme == "unknown"
    assert selectors.continued_pay(date(2026, 3, 9), days_a_week=3).scheme == "household"
    assert selectors.continued_pay(date(2026, 3, 9), days_a_week=4).scheme == "general"


def test_continued_pay_follows_a_dated_change_of_the_figures(db, reference_data):
    from ..conftest import restore_reference_data

    restore_reference_data(reference_data)
    row = StatutoryFigure.objects.get(kind=FigureKind.SICK_PAY_WEEKS_HOUSEHOLD)
    row.valid_to = date(2026, 12, 31)
    row.save()
    StatutoryFigure.objects.create(
        kind=FigureKind.SICK_PAY_WEEKS_HOUSEHOLD,
        unit=row.unit,
        value=Decimal("8"),
        valid_from=date(2027, 1, 1),
        source="test",
        verified=False,
    )
    assert selectors.continued_pay(date(2026, 12, 31)).household_weeks == 6
    assert selectors.continued_pay(date(2027, 1, 4)).household_until == date(2027, 2, 28)
    StatutoryFigure.objects.filter(kind=FigureKind.SICK_PAY_PCT).delete()
    assert selectors.continued_pay(date(2026, 3, 9)) is None
