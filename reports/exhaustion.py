"""When does a grant run out? Per grant: what is granted, used (paid, and validated but not yet
paid), committed by the running agreements, and remaining; the burn rate; and the projected
run-out date and balance at the end of the grant, both from the trend (what is happening: the
average of the recent months goes on) and from the agreements (what is agreed).

Vectorised over all grants at once, so one holder and a municipality take the same code path:
the months of the grants are a matrix, a row per grant and a column per month from the grant's
first month on. Money stays integer cents; only the burn-rate trend (a slope) and the average
burn rate are floats. A projection never spends less than nothing, and a grant of €0 or
without spend gives figures, not a division by zero.
"""

from dataclasses import dataclass
from typing import Literal, overload

import numpy as np
import pandas as pd

from declarations.constants import DeclarationStatus

from .frames import (
    AGREED_HOURS,
    EMPLOYER_COSTS,
    FIXED_PAY,
    FREE_AMOUNT,
    HOLIDAY_ALLOWANCE,
    ReportData,
    month_index,
)

RECENT_MONTHS = 3  # the burn rate "recently": the average of the last three months that are over
PROJECTIONS = ("trend", "agreed")
PAID = (DeclarationStatus.PAID, FIXED_PAY, EMPLOYER_COSTS, FREE_AMOUNT)
RESERVED = (HOLIDAY_ALLOWANCE,)  # reserved by the SVB from the budget, paid out in May
# an employment's costs beside the wage, shown apart in the grant and each month
EXTRAS = (HOLIDAY_ALLOWANCE, EMPLOYER_COSTS)
UNPAID = (DeclarationStatus.VALIDATED, DeclarationStatus.EXPORTED, DeclarationStatus.SUBMITTED)
DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


@dataclass(frozen=True)
class Thresholds:
    """Alert levels, percent of the grant used (dated figures); None raises no alert."""

    attention: float | None
    nearly_exhausted: float | None


@dataclass
class _Grid:
    """The grants' months: ``valid[g, c]`` says column ``c`` is a month of grant ``g``."""

    ids: np.ndarray
    start: np.ndarray  # month index of each grant's first month
    span: np.ndarray  # months of each grant
    valid: np.ndarray
    elapsed: np.ndarray
    month: np.ndarray  # month index of each cell
    month_days: np.ndarray
    covered_days: np.ndarray  # days of the month inside the grant
    covered_from: np.ndarray  # datetime64[D]: the first day of the month inside the grant

    def rows_and_columns(self, budget_ids: np.ndarray, months: np.ndarray):
        """Cell of each (grant, month) pair; ``inside`` is False for a pair outside the grid."""
        row = pd.Index(self.ids).get_indexer(budget_ids)
        column = months - self.start[np.maximum(row, 0)]
        inside = (row >= 0) & (column >= 0) & (column < self.span[np.maximum(row, 0)])
        return row, column, inside


def _days_in_month(month: np.ndarray) -> np.ndarray:
    year, number = month // 12, month % 12
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    return DAYS[number] + ((number == 1) & leap)


def _grid(budgets: pd.DataFrame, reference) -> _Grid:
    start_dates, end_dates = budgets["start"], budgets["end"]
    start = month_index(start_dates).to_numpy()
    span = np.maximum(month_index(end_dates).to_numpy() - start + 1, 0)
    width = max(int(span.max()) if len(span) else 0, 1)
    columns = np.arange(width)
    month = start[:, None] + columns[None, :]
    valid = columns[None, :] < span[:, None]
    elapsed = valid & (month <= reference.year * 12 + reference.month - 1)
    month_days = _days_in_month(month)
    first_day = start_dates.dt.day.to_numpy()
    last_day = end_dates.dt.day.to_numpy()
    covered = month_days.copy()
    covered[:, 0] -= first_day - 1
    last = np.maximum(span - 1, 0)
    rows = np.arange(len(span))
    covered[rows, last] -= month_days[rows, last] - last_day
    covered[rows, last] = np.where(span == 1, last_day - first_day + 1, covered[rows, last])
    month_start = (month - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]")
    covered_from = month_start.copy()
    covered_from[:, 0] = start_dates.to_numpy().astype("datetime64[D]")
    return _Grid(
        ids=budgets["budget_id"].to_numpy(),
        start=start,
        span=span,
        valid=valid,
        elapsed=elapsed,
        month=month,
        month_days=month_days,
        covered_days=np.where(valid, covered, 0),
        covered_from=covered_from,
    )


@overload
def exhaustion(
    data: ReportData, thresholds: Thresholds, *, with_months: Literal[True] = True
) -> tuple[pd.DataFrame, pd.DataFrame]: ...


@overload
def exhaustion(
    data: ReportData, thresholds: Thresholds, *, with_months: Literal[False]
) -> tuple[pd.DataFrame, None]: ...


def exhaustion(
    data: ReportData, thresholds: Thresholds, *, with_months: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The per-grant figures and (``with_months``) the monthly series: actual and both
    projections, each also cumulative."""
    grid = _grid(data.budgets, data.reference)
    n, width = grid.valid.shape
    granted = data.budgets["granted"].to_numpy().astype(np.int64)

    spend = data.spend
    row, column, inside = grid.rows_and_columns(
        spend["budget_id"].to_numpy(), month_index(spend["month"]).to_numpy()
    )
    cents = spend["cents"].to_numpy().astype(np.int64)
    actual = np.zeros((n, width), dtype=np.int64)
    np.add.at(actual, (row[inside], column[inside]), cents[inside])
    status = spend["status"].to_numpy()
    result = pd.DataFrame({"budget_id": grid.ids, "granted": granted})
    result["paid"] = _per_grant(n, row, cents, np.isin(status, PAID))
    result["validated_unpaid"] = _per_grant(n, row, cents, np.isin(status, UNPAID))
    result["reserved"] = _per_grant(n, row, cents, np.isin(status, RESERVED))
    result["used"] = result["paid"] + result["validated_unpaid"] + result["reserved"]
    for extra in EXTRAS:
        result[f"used_{extra}"] = _per_grant(n, row, cents, status == extra)
    outside = result["used"].to_numpy() - actual.sum(axis=1)  # spend dated outside the grant
    result["drafts"] = (
        pd.Series(data.drafts, dtype=np.int64).reindex(grid.ids, fill_value=0).to_numpy()
    )

    agreed_rows = data.agreed
    a_row, a_column, a_inside = grid.rows_and_columns(
        agreed_rows["budget_id"].to_numpy(), month_index(agreed_rows["month"]).to_numpy()
    )
    a_cents = agreed_rows["cents"].to_numpy().astype(np.int64)
    kind = agreed_rows["kind"].to_numpy()
    result["committed_fixed"] = _per_grant(n, a_row, a_cents, kind == FIXED_PAY)
    result["committed_agreed"] = _per_grant(n, a_row, a_cents, kind == AGREED_HOURS)
    for extra in EXTRAS:
        result[f"committed_{extra}"] = _per_grant(n, a_row, a_cents, kind == extra)
    result["committed"] = (
        result["committed_fixed"]
        + result["committed_agreed"]
        + sum(result[f"committed_{extra}"] for extra in EXTRAS)
    )
    result["employer_costs_unknown"] = np.isin(grid.ids, list(data.employer_costs_unknown))
    result["remaining"] = result["granted"] - result["used"]
    result["free"] = result["remaining"] - result["committed"]
    result["used_pct"] = (
        100 * result["used"] / result["granted"].where(result["granted"] > 0)
    ).round(1)

    future = grid.valid & ~grid.elapsed
    agreed = np.zeros((n, width), dtype=np.int64)
    keep = a_inside.copy()
    if n:
        keep &= future[np.maximum(a_row, 0), np.clip(a_column, 0, width - 1)]
    np.add.at(agreed, (a_row[keep], a_column[keep]), a_cents[keep])

    recent = _burn_rate(result, grid, actual)
    trend = np.round(recent[:, None] * grid.covered_days / grid.month_days).astype(np.int64)
    series = {
        "actual": np.where(grid.elapsed, actual, 0),
        "trend": np.where(grid.elapsed, actual, np.where(future, trend, 0)),
        "agreed": np.where(grid.elapsed, actual, np.where(future, agreed, 0)),
    }
    cumulative = {name: values.cumsum(axis=1) + outside[:, None] for name, values in series.items()}
    for name in PROJECTIONS:
        _project(result, grid, granted, series[name], cumulative[name], name)
    _alerts(result, data.budgets["end"].to_numpy(), thresholds)
    if not with_months:
        return result, None
    # the employment's extras apart, each month: actual while over, agreed ahead
    extras = {}
    for extra in EXTRAS:
        spent = np.zeros((n, width), dtype=np.int64)
        chosen = inside & (status == extra)
        np.add.at(spent, (row[chosen], column[chosen]), cents[chosen])
        ahead = np.zeros((n, width), dtype=np.int64)
        chosen = keep & (kind == extra)
        np.add.at(ahead, (a_row[chosen], a_column[chosen]), a_cents[chosen])
        extras[extra] = np.where(grid.elapsed, spent, np.where(future, ahead, 0))
    payouts = data.holiday_payouts
    p_row, p_column, p_inside = grid.rows_and_columns(
        payouts["budget_id"].to_numpy(), month_index(payouts["month"]).to_numpy()
    )
    paid_out = np.zeros((n, width), dtype=np.int64)
    np.add.at(
        paid_out,
        (p_row[p_inside], p_column[p_inside]),
        payouts["cents"].to_numpy().astype(np.int64)[p_inside],
    )
    extras[f"{HOLIDAY_ALLOWANCE}_paid_out"] = paid_out
    return result, _months(grid, series, cumulative, extras)


def _per_grant(n: int, row: np.ndarray, cents: np.ndarray, where: np.ndarray) -> np.ndarray:
    """Exact int64 sums per grant of the rows ``where`` holds (rows of no grant left out)."""
    total = np.zeros(n, dtype=np.int64)
    chosen = where & (row >= 0)
    np.add.at(total, row[chosen], cents[chosen])
    return total


def _burn_rate(result: pd.DataFrame, grid: _Grid, actual: np.ndarray) -> np.ndarray:
    """Cents a month: recently (the last months over), over the whole period so far, and the
    trend (least-squares slope of the monthly spend, cents per month per month). Returns the
    recent rate, which the trend projection goes on with."""
    n, width = actual.shape
    elapsed_months = grid.elapsed.sum(axis=1)
    running = np.concatenate([np.zeros((n, 1), np.int64), actual.cumsum(axis=1)], axis=1)
    rows = np.arange(n)
    recent_n = np.minimum(elapsed_months, RECENT_MONTHS)
    recent_sum = running[rows, elapsed_months] - running[rows, elapsed_months - recent_n]
    recent = np.where(recent_n > 0, recent_sum / np.maximum(recent_n, 1), 0.0)
    overall = np.where(
        elapsed_months > 0, running[rows, elapsed_months] / np.maximum(elapsed_months, 1), 0.0
    )
    x = np.broadcast_to(np.arange(width, dtype=float), actual.shape) * grid.elapsed
    y = actual * grid.elapsed
    count = elapsed_months.astype(float)
    sum_x, sum_y = x.sum(axis=1), y.sum(axis=1).astype(float)
    sum_xy, sum_xx = (x * y).sum(axis=1), (x * x).sum(axis=1)
    denominator = count * sum_xx - sum_x**2
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(denominator > 0, (count * sum_xy - sum_x * sum_y) / denominator, 0.0)
    result["months_elapsed"] = elapsed_months
    result["burn_recent"] = recent
    result["burn_overall"] = overall
    result["burn_trend"] = slope
    return recent


def _project(result, grid: _Grid, granted, values, cumulative, name: str) -> None:
    """The run-out date (the day the cumulative spend reaches the grant) and the balance at
    the end of the grant, for one projection."""
    n = len(granted)
    rows = np.arange(n)
    crossing = grid.valid & (cumulative >= granted[:, None]) & (values > 0)
    crossing &= (granted > 0)[:, None]
    found = crossing.any(axis=1)
    first = crossing.argmax(axis=1)
    amount = values[rows, first]
    before = cumulative[rows, first] - amount
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.clip((granted - before) / np.maximum(amount, 1), 0, 1)
    day = np.maximum(np.ceil(fraction * grid.covered_days[rows, first]), 1).astype(np.int64)
    run_out = grid.covered_from[rows, first] + (day - 1).astype("timedelta64[D]")
    result[f"{name}_run_out"] = pd.to_datetime(
        np.where(found, run_out, np.datetime64("NaT"))
    ).astype("datetime64[ns]")
    at_end = cumulative[rows, np.maximum(grid.span - 1, 0)]
    result[f"{name}_balance_end"] = (granted - at_end).astype(np.int64)


def _alerts(result: pd.DataFrame, ends: np.ndarray, thresholds: Thresholds) -> None:
    used = result["used_pct"].fillna(0)
    for column, level in (
        ("alert_attention", thresholds.attention),
        ("alert_nearly_exhausted", thresholds.nearly_exhausted),
    ):
        result[column] = used >= level if level is not None else False
    result["alert_exhausted"] = (result["granted"] > 0) & (result["used"] >= result["granted"])
    ends = pd.Series(pd.to_datetime(ends)).to_numpy()
    result["alert_runs_out_early"] = (result["trend_run_out"].to_numpy() < ends) | (
        result["agreed_run_out"].to_numpy() < ends
    )
    result["no_budget"] = result["granted"] <= 0


def _months(grid: _Grid, series: dict, cumulative: dict, extras: dict) -> pd.DataFrame:
    """The matrix as rows: one per grant and month of its period."""
    rows, columns = np.nonzero(grid.valid)
    months = pd.DataFrame(
        {
            "budget_id": grid.ids[rows],
            "month": (grid.month[rows, columns] - 1970 * 12)
            .astype("datetime64[M]")
            .astype("datetime64[ns]"),
            "elapsed": grid.elapsed[rows, columns],
            "covered_from": grid.covered_from[rows, columns].astype("datetime64[ns]"),
            "covered_days": grid.covered_days[rows, columns],
            "month_days": grid.month_days[rows, columns],
        }
    )
    for name, values in series.items():
        months[name] = values[rows, columns]
        months[f"{name}_cumulative"] = cumulative[name][rows, columns]
    for name, values in extras.items():
        months[name] = values[rows, columns]
    return months
