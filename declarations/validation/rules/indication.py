"""Rules on the indicated hours: the hours of a product declared in a month against the hours
the grant decision indicates for that product (``Indication`` rows of the grant).

The indicated hours of a month, from each indication row that holds on days of the month, pro
rata by day (rounded half up to the hundredth of an hour):

- per week: hours x (days of the month it holds) / 7, so a whole month of 31 days has
  31/7 = 4.43 weeks of hours;
- per month: hours x (days it holds) / (days of the month), the whole hours for a whole month;
- per year: hours x (days it holds) / (days of the year, 365 or 366).

Declared hours are the hour lines of the product on the grant in the run's declarations of the
month, plus the hours of the same grant, product and month in other declarations that count
against the grant (``product_hours`` of the input).
"""

from django.utils.translation import gettext_lazy as _

import numpy as np
import pandas as pd

from ..engine import Context
from ..registry import Param, rule
from ._common import TREKKINGSRECHT, WARNING, packed_keys, per_line, product_names

DAYS_A_WEEK = 7


def _month_hours(ctx: Context) -> pd.DataFrame:
    """Hours declared per grant, product and month in the run, with the declarations."""
    lines = ctx.lines
    hour = lines["is_hour"].to_numpy()
    if not hour.any():
        return pd.DataFrame(
            columns=["budget_id", "product_id", "month", "hours_c", "declaration_id"]
        )
    frame = pd.DataFrame(
        {
            "declaration_id": lines["declaration_id"].to_numpy()[hour],
            "budget_id": per_line(ctx, "budget_id")[hour],
            "product_id": per_line(ctx, "product_id")[hour],
            "month": _month_start(lines["care_date"].to_numpy()[hour]),
            "hours_c": lines["quantity_c"].to_numpy()[hour],
        }
    )
    frame = frame[(frame["budget_id"] >= 0) & frame["product_id"].notna()]
    frame["product_id"] = frame["product_id"].astype(np.int64)
    return frame


def _month_start(days: np.ndarray) -> np.ndarray:
    """The first day of each day's month, in the days' own unit."""
    month_start: np.ndarray = days.astype("datetime64[M]").astype(days.dtype)
    return month_start


def indicated_hours_c(
    indications: pd.DataFrame, month: pd.Series, month_end: pd.Series
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of ``indications`` (one indication each, its hours in ``indication_c``) joined
    with a month: the indicated
    hundredths of hours for the days of the month it holds (0 where none), and its first and
    last day in force (the last day NaT when open)."""
    start = indications["valid_from"].where(indications["valid_from"] > month, month)
    end = indications["valid_to"].where(
        indications["valid_to"].notna() & (indications["valid_to"] < month_end), month_end
    )
    days = ((end - start).dt.days + 1).clip(lower=0).to_numpy().astype(np.int64)
    in_month = month_end.dt.day.to_numpy().astype(np.int64)
    in_year = np.where(month.dt.is_leap_year.to_numpy(), 366, 365)
    per = indications["per"].to_numpy()
    period = np.select([per == "week", per == "month"], [DAYS_A_WEEK, in_month], in_year)
    hours = indications["indication_c"].to_numpy().astype(np.int64)
    # hours_c x days / period, rounded half up
    indicated = (2 * hours * days + period) // (2 * period)
    return indicated, days, period


@rule(
    code="hours.above_indication",
    severity=WARNING,
    title=_("More hours than indicated"),
    message=_(
        "%(declared)s hours of %(product)s are declared for this month; the grant decision "
        "indicates %(indicated)s hours for it (decision from %(start)s to %(end)s)."
    ),
    fix=_(
        "Check the hours; care above the indication needs a new decision of the funder, or "
        "acknowledge with the reason."
    ),
    source=_(
        "The grant decision's indicated hours (Wmo 2015 art. 2.3.6; Wlz art. 3.3.3: the pgb "
        "pays the care that is indicated)"
    ),
    valid_from=TREKKINGSRECHT,
    params={
        "declared": Param.HOURS,
        "indicated": Param.HOURS,
        "product": Param.PRODUCT,
        "product_nl": Param.TEXT,
        "product_en": Param.TEXT,
        "start": Param.DATE,
        "end": Param.DATE,
    },
)
def above_indication(ctx: Context) -> pd.DataFrame | None:
    indications = ctx.inp.indications
    declared = _month_hours(ctx)
    if indications.empty or declared.empty:
        return None
    keys = ["budget_id", "product_id", "month"]
    in_run = declared.groupby(keys, as_index=False)["hours_c"].sum()
    other = ctx.inp.product_hours.groupby(keys, as_index=False)["hours_c"].sum()
    totals = in_run.merge(other, on=keys, how="left", suffixes=("", "_other"))
    totals["hours_c"] += totals["hours_c_other"].fillna(0).astype(np.int64)
    totals["month_end"] = totals["month"] + pd.offsets.MonthEnd(0)
    pairs = totals.merge(
        indications.rename(columns={"hours_c": "indication_c"}), on=["budget_id", "product_id"]
    )
    indicated, days, _period = indicated_hours_c(pairs, pairs["month"], pairs["month_end"])
    pairs["indicated_c"] = indicated
    pairs = pairs[days > 0]
    if pairs.empty:
        return None
    budget_end = ctx.segments.drop_duplicates("budget_id").set_index("budget_id")["budget_end"]
    pairs = pairs.assign(valid_to=pairs["valid_to"].fillna(pairs["budget_id"].map(budget_end)))
    per_month = pairs.groupby(keys, as_index=False).agg(
        hours_c=("hours_c", "first"),
        indicated_c=("indicated_c", "sum"),
        start=("valid_from", "min"),
        end=("valid_to", "max"),
    )
    over = per_month[per_month["hours_c"] > per_month["indicated_c"]]
    if over.empty:
        return None
    # one warning for each declaration in the run with hours of that product and month
    # the declarations of each such month once, in the order of their lines
    declared_key, over_key = packed_keys(
        [declared[column].to_numpy() for column in keys],
        [over[column].to_numpy() for column in keys],
    )
    (pair,) = packed_keys([declared["declaration_id"].to_numpy(), declared_key])
    first = ~pd.Series(pair).duplicated().to_numpy()
    row = pd.Index(over_key).get_indexer(declared_key[first])
    found = over.iloc[row[row >= 0]].assign(
        declaration_id=declared["declaration_id"].to_numpy()[first][row >= 0]
    )
    product, name_nl, name_en = product_names(ctx, found["product_id"])
    return pd.DataFrame(
        {
            "declaration_id": found["declaration_id"].to_numpy(),
            "care_date": pd.NaT,
            "month": found["month"].to_numpy(),
            "declared": found["hours_c"].to_numpy(),
            "indicated": found["indicated_c"].to_numpy(),
            "product": product,
            "product_nl": name_nl,
            "product_en": name_en,
            "start": found["start"].to_numpy(),
            "end": found["end"].to_numpy(),
        }
    )
