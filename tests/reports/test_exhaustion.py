"""When grants run out: the €12,000 / €1,500 example, fixed monthly pay, and every edge a
holder meets (no spend, nothing granted, agreements that end early, a year without a grant),
plus property tests on synthetic frames."""

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.constants import AgreementType
from declarations.constants import DeclarationStatus
from declarations.models import Declaration
from pgb_admin.core.dates import format_date
from pgb_admin.figures.constants import RateUnit
from reports import selectors
from reports.exhaustion import Thresholds, exhaustion
from reports.frames import ReportData, frame, months

from ..factories import (
    AgreementVersionFactory,
    BudgetFactory,
    CareAgreementFactory,
    HolderProviderFactory,
)

THRESHOLDS = Thresholds(attention=75, nearly_exhausted=90)


def _declare(agreement, budget, month: date, total: str, status=DeclarationStatus.PAID):
    return Declaration.objects.create(
        agreement=agreement, budget=budget, month=month, status=status, total_amount=Decimal(total)
    )


def _grant(world, amount="12000.00", agreement_type=AgreementType.EMPLOYMENT_HOURLY, **version):
    budget = BudgetFactory(holder=world.mine, funder=world.the_hague, amount=Decimal(amount))
    link = HolderProviderFactory(holder=world.mine)
    agreement = CareAgreementFactory(
        holder=world.mine, provider=link.provider, agreement_type=agreement_type
    )
    AgreementVersionFactory(
        agreement=agreement, budget=budget, product=budget.products.first(), **version
    )
    return budget, agreement


def _report(world, budget, user="representative", year=2026):
    report = selectors.holder_exhaustion(
        user=world.users[user], holder_id=world.mine.pk, year=year
    ).as_dict()
    return next(g for g in report["grants"] if g["budget"] == budget.pk), report


def test_twelve_thousand_spent_at_fifteen_hundred_a_month_runs_out_end_of_august(world):
    budget, agreement = _grant(world, hours_per_week=None, unit=RateUnit.HOUR)
    with time_machine.travel(date(2026, 4, 10), tick=False):
        for month in (1, 2, 3):
            _declare(agreement, budget, date(2026, month, 1), "1500.00")
        grant, report = _report(world, budget, user="staff")  # the mandates start in May
    assert report["reference_month"] == "2026-03"
    assert (grant["used"], grant["remaining"]) == ("4500.00", "7500.00")
    assert grant["burn_rate"]["recent"] == "1500.00"
    assert grant["projection"]["trend"] == {"run_out": "2026-08-31", "balance_at_end": "-6000.00"}
    assert [a["code"] for a in grant["alerts"]] == ["runs_out_early"]
    assert format_date(date(2026, 8, 31)) in grant["alerts"][0]["message"]


def test_and_the_spend_so_far_tells_the_same_at_the_end_of_the_year(world):
    budget, agreement = _grant(world, hours_per_week=None)
    for month in range(1, 11):
        _declare(agreement, budget, date(2026, month, 1), "1500.00")
    grant, _ = _report(world, budget)
    assert grant["used"] == "15000.00"
    assert grant["projection"]["trend"]["run_out"] == "2026-08-31"
    assert grant["used_pct"] == 125.0
    assert [a["code"] for a in grant["alerts"]] == ["exhausted", "runs_out_early"]


def test_fixed_monthly_pay_is_paid_so_far_and_committed_for_the_rest(world):
    budget, _ = _grant(
        world,
        agreement_type=AgreementType.EMPLOYMENT_FIXED,
        unit=RateUnit.MONTH,
        rate=Decimal("1000.00"),
        hours_per_week=Decimal("20"),
        rate_includes_holiday_pay=True,  # the holiday allowance: tests/reports/test_grant_money
    )
    grant, _ = _report(world, budget)  # today: 23 November, October is the last month over
    assert (grant["paid"], grant["committed_fixed"], grant["committed"]) == (
        "10000.00",
        "2000.00",
        "2000.00",
    )
    assert grant["free"] == "0.00"
    assert grant["projection"]["agreed"] == {"run_out": "2026-12-31", "balance_at_end": "0.00"}
    assert grant["projection"]["trend"]["run_out"] == "2026-12-31"
    assert [a["code"] for a in grant["alerts"]] == ["attention"]


def test_agreed_hours_commit_the_months_ahead_pro_rata(world):
    budget, _ = _grant(world, rate=Decimal("20.00"), hours_per_week=Decimal("7"))
    grant, _ = _report(world, budget)
    # November and December: 7 hours a week at € 20 over 30 and 31 days
    assert grant["committed_agreed"] == str(Decimal("20.00") * 7 * (30 + 31) / 7)
    # the forecast of an hourly employee adds the 8 % holiday allowance the SVB adds
    agreed = {m["month"]: m["agreed"] for m in grant["months"] if not m["elapsed"]}
    assert agreed == {"2026-11": "648.00", "2026-12": "669.60"}


def test_agreements_that_end_before_the_grant_commit_nothing_after_they_end(world):
    budget, agreement = _grant(
        world, rate=Decimal("20.00"), hours_per_week=Decimal("7"), valid_to=date(2026, 9, 30)
    )
    _declare(agreement, budget, date(2026, 9, 1), "600.00")
    grant, _ = _report(world, budget)
    assert grant["committed"] == "0.00"
    assert grant["projection"]["agreed"] == {"run_out": None, "balance_at_end": "11400.00"}


def test_a_grant_without_spend_and_a_grant_of_nothing(world):
    empty, _ = _grant(world, hours_per_week=None)
    nothing, agreement = _grant(world, amount="0.00", hours_per_week=None)
    _declare(agreement, nothing, date(2026, 3, 1), "10.00", status=DeclarationStatus.VALIDATED)
    report = selectors.holder_exhaustion(
        user=world.users["holder"], holder_id=world.mine.pk, year=2026
    ).as_dict()
    grants = {g["budget"]: g for g in report["grants"]}
    assert grants[empty.pk]["used_pct"] == 0.0
    assert grants[empty.pk]["burn_rate"] == {
        "recent": "0.00", "overall": "0.00", "trend_per_month": "0.00", "months": 10,
    }  # fmt: skip
    assert grants[empty.pk]["projection"]["trend"] == {
        "run_out": None,
        "balance_at_end": "12000.00",
    }
    assert grants[nothing.pk]["used_pct"] is None
    assert grants[nothing.pk]["validated_unpaid"] == "10.00"
    assert [a["code"] for a in grants[nothing.pk]["alerts"]] == ["no_budget"]


def test_a_year_without_a_grant_says_so(world):
    report = selectors.holder_exhaustion(
        user=world.users["holder"], holder_id=world.mine.pk, year=2031
    ).as_dict()
    assert report["grants"] == []
    assert report["message"]


def test_drafts_rejections_and_replaced_declarations_do_not_count(world):
    budget, agreement = _grant(world, hours_per_week=None)
    _declare(agreement, budget, date(2026, 1, 1), "100.00", status=DeclarationStatus.DRAFT)
    _declare(agreement, budget, date(2026, 2, 1), "200.00", status=DeclarationStatus.REJECTED)
    original = _declare(agreement, budget, date(2026, 3, 1), "300.00")
    correction = _declare(
        agreement, budget, date(2026, 3, 1), "350.00", DeclarationStatus.VALIDATED
    )
    correction.corrects = original
    correction.save()
    grant, _ = _report(world, budget)
    assert (grant["used"], grant["paid"], grant["validated_unpaid"], grant["drafts"]) == (
        "350.00",
        "0.00",
        "350.00",
        "100.00",
    )


def test_an_auditor_sees_only_their_funders_grants(world):
    report = selectors.holder_exhaustion(
        user=world.users["auditor_same"], holder_id=world.mine.pk
    ).as_dict()
    assert {g["budget"] for g in report["grants"]} == {world.mine_wmo_budget.pk}


STATUSES = st.sampled_from(list(DeclarationStatus))


@settings(max_examples=25)
@given(
    declarations=st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=10),  # months that are over (a rule of the SVB)
            st.integers(min_value=0, max_value=250_000),
            STATUSES,
        ),
        max_size=15,
    )
)
def test_the_totals_are_the_sum_of_the_counted_declarations(world, declarations):
    Declaration.objects.all().delete()
    budget, agreement = world.mine_wmo_budget, world.mine_wmo_agreement
    for month, cents, status in declarations:
        _declare(agreement, budget, date(2026, month, 1), f"{cents / 100:.2f}", status=status)
    grant, report = _report(world, budget)
    counted = {"validated", "exported", "submitted", "paid"}
    expected = sum(Decimal(c) / 100 for _, c, status in declarations if status in counted)
    paid = sum(Decimal(c) / 100 for _, c, status in declarations if status == "paid")
    assert Decimal(grant["used"]) == expected
    assert Decimal(grant["paid"]) == paid
    assert Decimal(report["totals"]["used"]) == expected
    assert sum(Decimal(m["actual"]) for m in grant["months"]) == expected


# --- properties on synthetic frames ------------------------------------------------------

MONTH_SPEND = st.lists(st.integers(min_value=0, max_value=500_000), min_size=1, max_size=12)


def _frames(spend_cents: list[int], granted: int = 1_200_000, reference_month: int = 10):
    budgets = frame(
        "budgets",
        [(1, 1, 1, "wmo", pd.Timestamp("2026-01-01"), pd.Timestamp("2026-12-31"), granted)],
    )
    spend = frame(
        "spend",
        [
            (1, index, 1, 1, 1, 1, date(2026, index + 1, 1), "paid", cents, 0)
            for index, cents in enumerate(spend_cents[:reference_month])
        ],
    )
    spend["month"] = months(spend["month"])
    agreed = frame("agreed", [])
    return ReportData(
        budgets=budgets,
        spend=spend,
        agreed=agreed,
        versions=frame("versions", []),
        providers=frame("providers", []),
        drafts={},
        reference=date(2026, reference_month, 1),
    )


@settings(max_examples=80)
@given(spend=MONTH_SPEND, granted=st.integers(min_value=0, max_value=6_000_000))
def test_the_projection_never_spends_less_than_nothing(spend, granted):
    result, grid = exhaustion(_frames(spend, granted), THRESHOLDS)
    for name in ("actual", "trend", "agreed"):
        assert (grid[name] >= 0).all()
        assert grid[f"{name}_cumulative"].is_monotonic_increasing
    assert result.loc[0, "used"] == sum(spend[:10])


@settings(max_examples=80)
@given(
    spend=MONTH_SPEND,
    month=st.integers(min_value=0, max_value=9),
    more=st.integers(min_value=1, max_value=300_000),
)
def test_more_spend_never_moves_the_run_out_later(spend, month, more):
    spend = spend + [0] * (12 - len(spend))
    higher = list(spend)
    higher[month] += more
    before, _ = exhaustion(_frames(spend), THRESHOLDS)
    after, _ = exhaustion(_frames(higher), THRESHOLDS)
    for name in ("trend", "agreed"):
        was, now = before.loc[0, f"{name}_run_out"], after.loc[0, f"{name}_run_out"]
        if not pd.isna(was):
            assert not pd.isna(now)
            assert now <= was
        assert after.loc[0, f"{name}_balance_end"] <= before.loc[0, f"{name}_balance_end"]


@pytest.mark.parametrize("granted", [0, 1, 1_200_000])
def test_the_run_out_day_is_where_the_cumulative_spend_reaches_the_grant(granted):
    result, grid = exhaustion(_frames([150_000] * 3, granted, reference_month=3), THRESHOLDS)
    run_out = result.loc[0, "trend_run_out"]
    if granted == 0:
        assert pd.isna(run_out)
        return
    month = grid[grid["month"] == run_out.to_period("M").to_timestamp()].iloc[0]
    assert month["trend_cumulative"] >= granted > month["trend_cumulative"] - month["trend"]
