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

    @property
    def width(self) -> int:
        return self.valid.shape[1]

    def cells(self, budget_ids: np.ndarray, months: np.ndarray) -> "_Cells":
        """The grid cell of each (grant, month) pair."""
        row = pd.Index(self.ids).get_indexer(budget_ids)
        safe = np.maximum(row, 0)
        column = months - self.start[safe]
        inside = (row >= 0) & (column >= 0) & (column < self.span[safe])
        return _Cells(row=row, column=column, inside=inside, width=self.width)


@dataclass
class _Cells:
    """Rows of a frame placed on the grid: ``row`` is -1 for a grant not on it, ``inside`` is
    False for a month outside the grant."""

    row: np.ndarray
    column: np.ndarray
    inside: np.ndarray
    width: int

    def flat(self, where: np.ndarray) -> np.ndarray:
        """The flat cell index (row * width + column) of the rows ``where`` holds (inside only)."""
        chosen = where & self.inside
        return self.row[chosen] * self.width + self.column[chosen]


def _sums(index: np.ndarray, cents: np.ndarray, size: int) -> np.ndarray:
    """Exact int64 sums of ``cents`` per ``index`` (0 .. size-1). ``bincount`` adds in float64,
    which is exact while no sum can pass 2**53 cents; beyond that ``add.at`` adds as integers."""
    if len(cents) and int(np.abs(cents).sum()) >= 2**53:
        total = np.zeros(size, dtype=np.int64)
        np.add.at(total, index, cents)
        return total
    return np.rint(np.bincount(index, weights=cents, minlength=size)).astype(np.int64)


def _matrix(cells: _Cells, cents: np.ndarray, where: np.ndarray, n: int) -> np.ndarray:
    """The (grant, month) sums of the rows ``where`` holds that fall inside their grant."""
    chosen = where & cells.inside
    return _sums(cells.flat(where), cents[chosen], n * cells.width).reshape(n, cells.width)


class _Codes:
    """A text column as integer codes, so each status or kind test is a table look-up rather
    than string comparisons over every row."""

    def __init__(self, values: pd.Series) -> None:
        codes, uniques = pd.factorize(values)
        self.uniques = np.asarray(uniques, dtype=object)
        self.codes = np.where(codes < 0, len(self.uniques), codes)

    def picked(self, chosen) -> np.ndarray:
        """Which codes are among ``chosen``."""
        return np.isin(self.uniques, list(chosen))

    def among(self, chosen) -> np.ndarray:
        return np.append(self.picked(chosen), False)[self.codes]


def _per_grant_by_code(n: int, row: np.ndarray, cents: np.ndarray, codes: _Codes) -> np.ndarray:
    """Exact sums per grant and code (rows of no grant left out): a matrix, a column per code."""
    width = len(codes.uniques) + 1
    on_grant = row >= 0
    index = row[on_grant] * width + codes.codes[on_grant]
    return _sums(index, cents[on_grant], n * width).reshape(n, width)


def _grant_sum(by_code: np.ndarray, codes: _Codes, chosen) -> np.ndarray:
    """The per-grant sum of the codes among ``chosen``, from :func:`_per_grant_by_code`."""
    return by_code[:, : len(codes.uniques)][:, codes.picked(chosen)].sum(axis=1)


def _days_in_month(month: np.ndarray) -> np.ndarray:
    year, number = month // 12, month % 12
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    return DAYS[number] + ((number == 1) & leap)


def _month_start(month: np.ndarray) -> np.ndarray:
    """datetime64[D] of the first day of each month index."""
    return (month - 1970 * 12).astype("datetime64[M]").astype("datetime64[D]")


def _grid(budgets: pd.DataFrame, reference) -> _Grid:
    start_dates = budgets["start"].to_numpy().astype("datetime64[D]")
    end_dates = budgets["end"].to_numpy().astype("datetime64[D]")
    start = month_index(budgets["start"]).to_numpy()
    span = np.maximum(month_index(budgets["end"]).to_numpy() - start + 1, 0)
    width = max(int(span.max()) if len(span) else 0, 1)
    columns = np.arange(width)
    month = start[:, None] + columns[None, :]
    valid = columns[None, :] < span[:, None]
    elapsed = valid & (month <= reference.year * 12 + reference.month - 1)
    # the few distinct months the grid holds, looked up rather than computed per cell
    first_month = int(month.min()) if month.size else 0
    offsets = month - first_month
    distinct = np.arange(first_month, first_month + (int(offsets.max()) + 1 if month.size else 1))
    month_days = _days_in_month(distinct)[offsets]
    first_day = (start_dates - start_dates.astype("datetime64[M]")).astype(np.int64) + 1
    last_day = (end_dates - end_dates.astype("datetime64[M]")).astype(np.int64) + 1
    covered = month_days.copy()
    covered[:, 0] -= first_day - 1
    last = np.maximum(span - 1, 0)
    rows = np.arange(len(span))
    covered[rows, last] -= month_days[rows, last] - last_day
    covered[rows, last] = np.where(span == 1, last_day - first_day + 1, covered[rows, last])
    covered_from = _month_start(distinct)[offsets]
    covered_from[:, 0] = start_dates
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
    cells = grid.cells(spend["budget_id"].to_numpy(), month_index(spend["month"]).to_numpy())
    cents = spend["cents"].to_numpy().astype(np.int64)
    everything = np.ones(len(cents), dtype=bool)
    actual = _matrix(cells, cents, everything, n)
    status = _Codes(spend["status"])
    by_status = _per_grant_by_code(n, cells.row, cents, status)
    result: dict[str, object] = {"budget_id": grid.ids, "granted": granted}
    paid = _grant_sum(by_status, status, PAID)
    unpaid = _grant_sum(by_status, status, UNPAID)
    reserved = _grant_sum(by_status, status, RESERVED)
    used = paid + unpaid + reserved
    result.update(paid=paid, validated_unpaid=unpaid, reserved=reserved, used=used)
    for extra in EXTRAS:
        result[f"used_{extra}"] = _grant_sum(by_status, status, (extra,))
    outside = used - actual.sum(axis=1)  # spend dated outside the grant
    result["drafts"] = (
        pd.Series(data.drafts, dtype=np.int64).reindex(grid.ids, fill_value=0).to_numpy()
    )

    agreed_rows = data.agreed
    a_cells = grid.cells(
        agreed_rows["budget_id"].to_numpy(), month_index(agreed_rows["month"]).to_numpy()
    )
    a_cents = agreed_rows["cents"].to_numpy().astype(np.int64)
    kind = _Codes(agreed_rows["kind"])
    by_kind = _per_grant_by_code(n, a_cells.row, a_cents, kind)
    fixed = _grant_sum(by_kind, kind, (FIXED_PAY,))
    hours = _grant_sum(by_kind, kind, (AGREED_HOURS,))
    result.update(committed_fixed=fixed, committed_agreed=hours)
    committed = fixed + hours
    for extra in EXTRAS:
        result[f"committed_{extra}"] = _grant_sum(by_kind, kind, (extra,))
        committed = committed + result[f"committed_{extra}"]
    result["committed"] = committed
    result["employer_costs_unknown"] = np.isin(grid.ids, list(data.employer_costs_unknown))
    remaining = granted - used
    result.update(remaining=remaining, free=remaining - committed)
    with np.errstate(divide="ignore", invalid="ignore"):
        result["used_pct"] = (
            pd.Series(np.where(granted > 0, 100 * used / granted, np.nan)).round(1).to_numpy()
        )

    future = grid.valid & ~grid.elapsed
    keep = a_cells.inside.copy()
    if n:
        keep &= future[np.maximum(a_cells.row, 0), np.clip(a_cells.column, 0, width - 1)]
    agreed = _matrix(a_cells, a_cents, keep, n)

    recent = _burn_rate(result, grid, actual)
    trend = np.round(recent[:, None] * grid.covered_days / grid.month_days).astype(np.int64)
    over = np.where(grid.elapsed, actual, 0)
    series = {
        "actual": over,
        "trend": np.where(future, trend, over),
        "agreed": np.where(future, agreed, over),
    }
    # the projections need their own running totals; the months (below) also the actual's
    cumulative = {
        name: values.cumsum(axis=1) + outside[:, None]
        for name, values in series.items()
        if with_months or name in PROJECTIONS
    }
    for name in PROJECTIONS:
        _project(result, grid, granted, series[name], cumulative[name], name)
    _alerts(result, granted, used, data.budgets["end"].to_numpy(), thresholds)
    grants = pd.DataFrame(result)
    if not with_months:
        return grants, None
    # the employment's extras apart, each month: actual while over, agreed ahead
    extras = {}
    for extra in EXTRAS:
        spent = _matrix(cells, cents, status.among((extra,)), n)
        ahead = _matrix(a_cells, a_cents, keep & kind.among((extra,)), n)
        extras[extra] = np.where(grid.elapsed, spent, np.where(future, ahead, 0))
    payouts = data.holiday_payouts
    p_cells = grid.cells(payouts["budget_id"].to_numpy(), month_index(payouts["month"]).to_numpy())
    p_cents = payouts["cents"].to_numpy().astype(np.int64)
    extras[f"{HOLIDAY_ALLOWANCE}_paid_out"] = _matrix(
        p_cells, p_cents, np.ones(len(p_cents), dtype=bool), n
    )
    return grants, _months(grid, series, cumulative, extras)


def _burn_rate(result: dict, grid: _Grid, actual: np.ndarray) -> np.ndarray:
    """Cents a month: recently (the last months over), over the whole period so far, and the
    trend (least-squares slope of the monthly spend, cents per month per month). Returns the
    recent rate, which the trend projection goes on with."""
    n, width = actual.shape
    # the months over are the first ``k`` columns of each grant (its months are in order)
    k = grid.elapsed.sum(axis=1)
    running = np.zeros((n, width + 1), dtype=np.int64)
    np.cumsum(actual, axis=1, out=running[:, 1:])
    rows = np.arange(n)
    recent_n = np.minimum(k, RECENT_MONTHS)
    so_far = running[rows, k]
    recent_sum = so_far - running[rows, k - recent_n]
    recent = np.where(recent_n > 0, recent_sum / np.maximum(recent_n, 1), 0.0)
    overall = np.where(k > 0, so_far / np.maximum(k, 1), 0.0)
    # least squares over x = 0 .. k-1: the sums of x and x² in closed form, all exact integers
    weighted = np.cumsum(actual * np.arange(width), axis=1)
    sum_xy = np.where(k > 0, weighted[rows, np.maximum(k - 1, 0)], 0).astype(float)
    count, sum_y = k.astype(float), so_far.astype(float)
    sum_x = (k * (k - 1) // 2).astype(float)
    sum_xx = ((k - 1) * k * (2 * k - 1) // 6).astype(float)
    denominator = count * sum_xx - sum_x**2
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = np.where(denominator > 0, (count * sum_xy - sum_x * sum_y) / denominator, 0.0)
    result["months_elapsed"] = k
    result["burn_recent"] = recent
    result["burn_overall"] = overall
    result["burn_trend"] = slope
    return recent


def _project(result: dict, grid: _Grid, granted, values, cumulative, name: str) -> None:
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
    result[f"{name}_run_out"] = np.where(found, run_out, np.datetime64("NaT")).astype(
        "datetime64[ns]"
    )
    at_end = cumulative[rows, np.maximum(grid.span - 1, 0)]
    result[f"{name}_balance_end"] = (granted - at_end).astype(np.int64)


def _alerts(
    result: dict, granted: np.ndarray, used: np.ndarray, ends: np.ndarray, thresholds: Thresholds
) -> None:
    used_pct = np.nan_to_num(np.asarray(result["used_pct"], dtype=float), nan=0.0)
    for column, level in (
        ("alert_attention", thresholds.attention),
        ("alert_nearly_exhausted", thresholds.nearly_exhausted),
    ):
        result[column] = used_pct >= level if level is not None else np.zeros(len(used), bool)
    result["alert_exhausted"] = (granted > 0) & (used >= granted)
    ends = np.asarray(ends).astype("datetime64[ns]")
    result["alert_runs_out_early"] = (result["trend_run_out"] < ends) | (
        result["agreed_run_out"] < ends
    )
    result["no_budget"] = granted <= 0


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
