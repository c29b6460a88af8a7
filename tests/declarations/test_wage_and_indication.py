"""The minimum wage for fixed monthly pay, a missing minimum wage said once per declaration, a
missing maximum tariff once per agreement version, and the hours of a product against the grant
decision's indicated hours. The base case is that of test_rules: March 2026, 4 hours on Monday
and Wednesday (36 hours), an adult (41) minimum wage of € 14,71, holiday allowance 8 %."""

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from contracts import services as contract_services
from contracts.constants import AgreementType, ApprovalStatus, Relation
from declarations.constants import Severity
from declarations.validation.rules.indication import indicated_hours_c
from declarations.validation.rules.wage import hourly_from_monthly
from pgb_admin.budgets.constants import IndicationPeriod
from pgb_admin.budgets.models import Indication
from pgb_admin.figures.constants import FigureKind, RateUnit
from pgb_admin.figures.models import StatutoryFigure

from ..factories import FunderFactory
from .test_rules import FEBRUARY, MARCH, actor, assert_figures, build, findings_of  # noqa: F401


def codes(declaration) -> list[str]:
    return [f.rule_code for f in findings_of(declaration)]


# --- pure arithmetic --------------------------------------------------------------------------


def test_a_monthly_wage_is_divided_by_the_hours_of_52_12_weeks_rounded_half_up():
    # 36 hours a week are 156 hours a month
    hourly = hourly_from_monthly([229_440, 247_805, 247_806, 100], [3600, 3600, 3600, -1])
    assert hourly.tolist() == [
        1471,  # 14.7077 -> 14.71
        1588,  # 15.88494 -> 15.88
        1589,  # 15.885 -> 15.89 (half up)
        -1,  # no hours: cannot be checked
    ]


def test_indicated_hours_of_a_month_by_week_month_and_year_pro_rata():
    march, end = pd.Timestamp("2026-03-01"), pd.Timestamp("2026-03-31")
    rows = pd.DataFrame(
        {
            "indication_c": [800, 4000, 36_500, 800, 4000],
            "per": ["week", "month", "year", "week", "month"],
            "valid_from": pd.to_datetime(["2026-01-01"] * 3 + ["2026-03-17", "2026-04-01"]),
            "valid_to": pd.to_datetime([None, None, None, None, None]),
        }
    )
    months = pd.Series([march] * 5)
    indicated, days, _period = indicated_hours_c(rows, months, pd.Series([end] * 5))
    # 8 a week: x 31/7; 40 a month: 40; 365 a year: x 31/365; from the 17th: 15 days of 8/7;
    # from April: none
    assert indicated.tolist() == [3543, 4000, 3100, 1714, 0]
    assert days.tolist() == [31, 31, 31, 15, 0]


# --- fixed monthly pay ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "holiday_pay", "hourly", "minimum"),
    [
        ("2294.40", False, None, None),  # 14.71 an hour for 36 hours: the minimum, quiet
        ("2292.00", False, "14.69", "14.71"),
        # a wage that includes the holiday allowance: at least 14.71 x 1.08 = 15.89
        ("2294.40", True, "14.71", "15.89"),
        ("2478.06", True, None, None),
    ],
)
def test_fixed_monthly_pay_of_an_employee_against_the_minimum_wage(
    build,  # noqa: F811
    rate,
    holiday_pay,
    hourly,
    minimum,
):
    case = build(
        agreement_type=AgreementType.EMPLOYMENT_FIXED,
        unit=RateUnit.MONTH,
        rate=rate,
        hours_per_week="36",
        holiday_pay=holiday_pay,
        amount="40000.00",
    )
    declaration = case.declare()
    found = [f for f in findings_of(declaration) if f.rule_code == "wage.monthly_below_minimum"]
    if hourly is None:
        assert found == []
        return
    assert len(found) == 1
    assert found[0].params["hourly"] == hourly
    assert found[0].params["minimum"] == minimum
    assert found[0].severity == Severity.ERROR
    assert_figures(found[0], [f"€ {hourly}", f"€ {minimum}"], [hourly.replace(".", ",")])


def test_a_family_member_paid_by_the_hour_is_held_to_the_minimum_with_holiday_allowance(
    build,  # noqa: F811
):
    case = build(agreement_type=AgreementType.FAMILY, relation=Relation.PARENT, rate="15.00")
    case.fill()
    found = [f for f in findings_of(case.declare()) if f.rule_code == "wage.below_minimum"]
    assert [f.params["minimum"] for f in found] == ["15.89"]


def test_the_holiday_allowance_comes_from_the_dated_figure(build):  # noqa: F811
    StatutoryFigure.objects.filter(kind=FigureKind.HOLIDAY_ALLOWANCE_PCT).update(
        value=Decimal("10.00")
    )
    case = build(agreement_type=AgreementType.ASSIGNMENT, rate="16.00")
    case.fill()
    found = [f for f in findings_of(case.declare()) if f.rule_code == "wage.below_minimum"]
    assert [f.params["minimum"] for f in found] == ["16.18"]  # 14.71 x 1.10


# --- said once --------------------------------------------------------------------------------


def _two_versions(case) -> None:
    version = contract_services.agreement_change(
        actor=case.actor,
        agreement_id=case.agreement.pk,
        effective_from=date(2026, 3, 16),
        reason="new rate",
        rate=Decimal("19.00"),
    )
    contract_services.agreement_record_approval(
        actor=case.actor,
        version_id=version.pk,
        status=ApprovalStatus.APPROVED,
        decided_on=date(2026, 3, 10),
        evidence="PGB Portaal",
    )


def test_a_missing_minimum_wage_is_one_notice_per_declaration(build):  # noqa: F811
    StatutoryFigure.objects.filter(
        kind=FigureKind.MINIMUM_WAGE, valid_from__gte=date(2026, 1, 1)
    ).delete()
    case = build()
    _two_versions(case)
    case.fill()
    declaration = case.declare()
    found = [f for f in findings_of(declaration) if f.rule_code == "wage.minimum_unknown"]
    assert len(found) == 1
    assert found[0].params == {"start": "2026-01-01"}
    assert found[0].severity == Severity.INFO
    assert_figures(found[0], ["from 1 Jan 2026", "Staff must add it"], ["1-1-2026", "toevoegen"])


def test_a_missing_maximum_tariff_is_one_notice_per_agreement_version(build):  # noqa: F811
    case = build(funder=FunderFactory())  # a municipality without tariffs
    _two_versions(case)
    case.fill()
    found = [f for f in findings_of(case.declare()) if f.rule_code == "rate.maximum_unknown"]
    assert [(f.params["start"], f.params["end"]) for f in found] == [
        ("2026-03-02", "2026-03-11"),
        ("2026-03-16", "2026-03-30"),
    ]
    assert all(f.params["product"] == "begeleiding_individueel" for f in found)


# --- indicated hours --------------------------------------------------------------------------


def _indicate(case, hours, per, start=date(2026, 1, 1), end=None) -> None:
    Indication.objects.create(
        budget=case.budget,
        product=case.agreement.versions.first().product,
        hours=Decimal(hours),
        per=per,
        valid_from=start,
        valid_to=end,
    )


@pytest.mark.parametrize(
    ("indications", "indicated"),
    [
        ([("35.99", IndicationPeriod.MONTH)], "35.99"),
        ([("36.00", IndicationPeriod.MONTH)], None),
        ([("423.00", IndicationPeriod.YEAR)], "35.93"),  # 423 x 31/365
        ([("424.00", IndicationPeriod.YEAR)], None),  # 36.01
        ([], None),  # no indication: nothing to compare with
    ],
)
def test_hours_of_a_month_against_the_indication(build, indications, indicated):  # noqa: F811
    case = build()
    case.fill()
    for hours, per in indications:
        _indicate(case, hours, per)
    found = [f for f in findings_of(case.declare()) if f.rule_code == "hours.above_indication"]
    if indicated is None:
        assert found == []
        return
    assert [(f.params["declared"], f.params["indicated"]) for f in found] == [("36.00", indicated)]
    assert found[0].severity == Severity.WARNING


def test_an_indication_that_starts_in_the_month_counts_its_days(build):  # noqa: F811
    case = build()
    case.fill()
    # 8 a week for 2-15 March (14 days: 16 hours) and 12 a week from 16 March (16 days)
    _indicate(case, "8", IndicationPeriod.WEEK, end=date(2026, 3, 15))
    _indicate(case, "12", IndicationPeriod.WEEK, start=date(2026, 3, 16))
    found = [f for f in findings_of(case.declare()) if f.rule_code == "hours.above_indication"]
    assert found == []  # 8 x 15/7 + 12 x 16/7 = 17.14 + 27.43 = 44.57 hours


def test_hours_of_the_product_on_other_agreements_of_the_grant_count(build):  # noqa: F811
    first = build()
    first.fill()
    _indicate(first, "60", IndicationPeriod.MONTH)
    assert "hours.above_indication" not in codes(first.declare())  # 36 of 60
    second = build(holder_id=first.holder_id, budget=first.budget)
    second.fill()
    found = [f for f in findings_of(second.declare()) if f.rule_code == "hours.above_indication"]
    assert [(f.params["declared"], f.params["indicated"]) for f in found] == [("72.00", "60.00")]
    assert_figures(
        found[0],
        ["72 hours of Individual support (begeleiding)", "indicates 60 hours",
         "from 1 Jan 2026 to 31 Dec 2026"],
        ["72", "Individuele begeleiding", "60"],
    )  # fmt: skip


def test_a_missing_adult_row_is_a_gap_not_the_lower_youth_minimum(build):  # noqa: F811
    StatutoryFigure.objects.filter(
        kind=FigureKind.MINIMUM_WAGE, valid_from=date(2026, 1, 1), age_min=21
    ).delete()
    case = build(rate="12.00")  # above the 20-year-old's € 11,77, below the adult € 14,71
    case.fill()
    found = findings_of(case.declare())
    assert "wage.below_minimum" not in {f.rule_code for f in found}
    unknown = [f for f in found if f.rule_code == "wage.minimum_unknown"]
    assert [f.params for f in unknown] == [{"start": "2026-01-01"}]
