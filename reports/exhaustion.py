"""When does a grant run out? Per grant: what is granted, used (paid, and validated but not yet
paid), committed by the running agreements, and remaining; the burn rate; and the projected
run-out date and balance at the end of the grant, both from the trend (what is happening: the
average of the recent months goes on) and from the agreements (what is agreed). Vectorised over
all grants at once: one holder and a municipality take the same code path.

Money stays integer cents; only the burn-rate trend (a slope) is a float. A projection never
spends less than nothing, and a grant of €0 or without spend gives figures, not a division by
zero.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from declarations.constants import DeclarationStatus

from .frames import AGREED_HOURS, FIXED_PAY, ReportData, from_month_index, month_index

RECENT_MONTHS = 3  # the burn rate "recently": the average of the last three months that are over
PROJECTIONS = ("trend", "agreed")


@dataclass(frozen=True)
class Thresholds:
    """Alert levels, percent of the grant used (dated figures); None raises no alert."""

    attention: float | None
    nearly_exhausted: float | None


def grant_months(budgets: pd.DataFrame) -> pd.DataFrame:
    """One row per grant and calendar month of its period, with the days of the month that
    the grant covers."""
    first = month_index(budgets["start"])
    counts = (month_index(budgets["end"]) - first + 1).clip(lower=0).to_numpy()
    rows = budgets.loc[budgets.index.repeat(counts), ["budget_id", "start", "end"]].reset_index(
        drop=True
    )
    step = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    month = from_month_index(np.repeat(first.to_numpy(), counts) + step)
    month_last = month + pd.offsets.MonthEnd(0)
    covered_from = rows["start"].where(rows["start"] > month, month)
    covered_to = rows["end"].where(rows["end"] < month_last, month_last)
    return pd.DataFrame(
        {
            "budget_id": rows["budget_id"].to_numpy(),
            "month": month.to_numpy(),
            "covered_from": covered_from.to_numpy(),
            "covered_days": ((covered_to - covered_from).dt.days + 1).to_numpy(),
            "month_days": month.dt.days_in_month.to_numpy(),
        }
    )


def exhaustion(data: ReportData, thresholds: Thresholds) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The per-grant figures and the monthly series (actual and both projections)."""
    grants = data.budgets.set_index("budget_id")
    reference = pd.Timestamp(data.reference)
    grid = grant_months(data.budgets)
    grid["elapsed"] = grid["month"] <= reference

    actual = data.spend.groupby(["budget_id", "month"])["cents"].sum().rename("actual")
    grid = grid.merge(actual, how="left", left_on=["budget_id", "month"], right_index=True)
    grid["actual"] = grid["actual"].fillna(0).astype(np.int64)

    result = pd.DataFrame(index=grants.index)
    result["granted"] = grants["granted"]
    _sums(result, data)
    _burn_rate(result, grid)

    future = ~grid["elapsed"]
    recent = grid["budget_id"].map(result["burn_recent"]).to_numpy()
    trend = np.where(future, np.round(recent * grid["covered_days"] / grid["month_days"]), 0)
    agreed = data.agreed.groupby(["budget_id", "month"])["cents"].sum().rename("agreed_month")
    grid = grid.merge(agreed, how="left", left_on=["budget_id", "month"], right_index=True)
    grid["trend"] = np.where(future, trend, grid["actual"]).astype(np.int64)
    grid["agreed"] = np.where(future, grid["agreed_month"].fillna(0), grid["actual"]).astype(
        np.int64
    )
    grid = grid.drop(columns="agreed_month").sort_values(["budget_id", "month"], kind="stable")
    # what was spent outside the grant's months (a wrong date) still counts, from the start
    outside = result["used"] - grid.groupby("budget_id")["actual"].sum().reindex(
        result.index, fill_value=0
    )
    for name in ("actual", *PROJECTIONS):
        grid[f"{name}_cumulative"] = grid.groupby("budget_id")[name].cumsum() + grid[
            "budget_id"
        ].map(outside)
    for name in PROJECTIONS:
        _project(result, grid, name)
    _alerts(result, grants, thresholds)
    return result.reset_index(), grid.reset_index(drop=True)


def _sums(result: pd.DataFrame, data: ReportData) -> None:
    paid = [DeclarationStatus.PAID, FIXED_PAY]
    unpaid = [DeclarationStatus.VALIDATED, DeclarationStatus.EXPORTED, DeclarationStatus.SUBMITTED]
    by_status = _pivot(data.spend, "status", paid + unpaid, result.index)
    result["paid"] = by_status[paid].sum(axis=1)
    result["validated_unpaid"] = by_status[unpaid].sum(axis=1)
    result["used"] = result["paid"] + result["validated_unpaid"]
    result["drafts"] = pd.Series(data.drafts, dtype=np.int64).reindex(result.index, fill_value=0)
    committed = _pivot(data.agreed, "kind", [FIXED_PAY, AGREED_HOURS], result.index)
    result["committed_fixed"] = committed[FIXED_PAY]
    result["committed_agreed"] = committed[AGREED_HOURS]
    result["committed"] = result["committed_fixed"] + result["committed_agreed"]
    result["remaining"] = result["granted"] - result["used"]
    result["free"] = result["remaining"] - result["committed"]
    granted = result["granted"].where(result["granted"] > 0)
    result["used_pct"] = (100 * result["used"] / granted).round(1)


def _pivot(rows: pd.DataFrame, column: str, values: list, index) -> pd.DataFrame:
    """Cents per grant (rows) and value of ``column`` (columns), zero where there are none."""
    table = rows.pivot_table(
        index="budget_id", columns=column, values="cents", aggfunc="sum", fill_value=0
    )
    return table.reindex(index=index, columns=values, fill_value=0).astype(np.int64)


def _burn_rate(result: pd.DataFrame, grid: pd.DataFrame) -> None:
    """Cents a month: recently (the last months over), over the whole period so far, and the
    trend (least-squares slope of the monthly spend, cents per month per month)."""
    elapsed = grid[grid["elapsed"]].sort_values(["budget_id", "month"], kind="stable")
    per_grant = elapsed.groupby("budget_id")
    months = per_grant.size().reindex(result.index, fill_value=0)
    from_end = per_grant.cumcount(ascending=False)
    last = elapsed[from_end < RECENT_MONTHS].groupby("budget_id")["actual"]
    recent_sum = last.sum().reindex(result.index, fill_value=0)
    recent_n = last.size().reindex(result.index, fill_value=0)
    result["months_elapsed"] = months
    result["burn_recent"] = np.where(recent_n > 0, recent_sum / recent_n.clip(lower=1), 0)
    total = per_grant["actual"].sum().reindex(result.index, fill_value=0)
    result["burn_overall"] = np.where(months > 0, total / months.clip(lower=1), 0)
    x = per_grant.cumcount().astype(float)
    y = elapsed["actual"].astype(float)
    sums = (
        pd.DataFrame({"budget_id": elapsed["budget_id"], "x": x, "y": y, "xy": x * y, "xx": x * x})
        .groupby("budget_id")
        .sum()
        .reindex(result.index, fill_value=0)
    )
    n = months.astype(float)
    denominator = n * sums["xx"] - sums["x"] ** 2
    slope = (n * sums["xy"] - sums["x"] * sums["y"]) / denominator.where(denominator > 0)
    result["burn_trend"] = slope.fillna(0.0)


def _project(result: pd.DataFrame, grid: pd.DataFrame, name: str) -> None:
    """The run-out date (the day the cumulative spend reaches the grant) and the balance at
    the end of the grant, for one projection."""
    cumulative = grid[f"{name}_cumulative"]
    granted = grid["budget_id"].map(result["granted"])
    crossing = grid[(cumulative >= granted) & (granted > 0) & (grid[name] > 0)]
    first = crossing.groupby("budget_id").head(1)
    before = first[f"{name}_cumulative"] - first[name]
    need = first["budget_id"].map(result["granted"]) - before
    fraction = (need / first[name]).clip(0, 1)
    day = np.ceil(fraction * first["covered_days"]).clip(lower=1).astype(int)
    run_out = first["covered_from"] + pd.to_timedelta(day - 1, unit="D")
    result[f"{name}_run_out"] = pd.Series(
        run_out.to_numpy(), index=first["budget_id"].to_numpy()
    ).reindex(result.index)
    spent_by_end = grid.groupby("budget_id")[f"{name}_cumulative"].last()
    result[f"{name}_balance_end"] = (
        result["granted"] - spent_by_end.reindex(result.index).fillna(result["used"])
    ).astype(np.int64)


def _alerts(result: pd.DataFrame, grants: pd.DataFrame, thresholds: Thresholds) -> None:
    used = result["used_pct"].fillna(0)
    for column, level in (
        ("alert_attention", thresholds.attention),
        ("alert_nearly_exhausted", thresholds.nearly_exhausted),
    ):
        result[column] = used >= level if level is not None else False
    result["alert_exhausted"] = (result["granted"] > 0) & (result["used"] >= result["granted"])
    ends = grants["end"]
    result["alert_runs_out_early"] = (result["trend_run_out"] < ends) | (
        result["agreed_run_out"] < ends
    )
    result["no_budget"] = result["granted"] <= 0
