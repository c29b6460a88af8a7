"""Rules on the time entries behind a declaration: an entry made twice, times that overlap."""

from django.utils.translation import gettext_lazy as _

import numpy as np
import pandas as pd

from ..engine import Context
from ..registry import Param, rule
from ._common import ERROR, TREKKINGSRECHT, WARNING, cached

MINUTES_A_DAY = 24 * 60  # a shift that ends before it starts runs past midnight


def _entries_of_run(ctx: Context) -> pd.DataFrame:
    return cached(ctx, _join_entries)


def _join_entries(ctx: Context) -> pd.DataFrame:
    entries = ctx.inp.entries
    if entries.empty:
        return entries.assign(declaration_id=pd.Series(dtype=np.int64))
    # the first day of each entry's month
    months = entries["care_date"].to_numpy().astype("datetime64[M]").astype("datetime64[ns]")
    keyed = entries.assign(month=months)
    run = ctx.declarations[["declaration_id", "agreement_id", "month"]]
    return keyed.merge(run, on=["agreement_id", "month"])


@rule(
    code="entry.duplicate",
    severity=WARNING,
    title=_("The same entry twice"),
    message=_(
        "%(day)s has %(count)s identical entries (same hours and times): the same care may be "
        "entered twice."
    ),
    fix=_(
        "Delete the double entry; if both visits were given, acknowledge the warning with the "
        "reason."
    ),
    source=_("PGB Portaal: care per day; several visits a day are normal"),
    valid_from=TREKKINGSRECHT,
    params={"day": Param.DATE, "count": Param.NUMBER},
)
def duplicate(ctx: Context) -> pd.DataFrame | None:
    """Only an exact duplicate: the same agreement, day, quantity and start and end time.
    Several entries a day (several visits) are normal."""
    entries = _entries_of_run(ctx)
    if entries.empty:
        return None
    key = ["declaration_id", "care_date", "quantity_c", "start_min", "end_min"]
    copies = entries.groupby(key, as_index=False).size()
    copies = copies[copies["size"] > 1]
    # one finding a day: the largest group of copies
    copies = copies.sort_values("size", ascending=False, kind="stable").drop_duplicates(
        ["declaration_id", "care_date"]
    )
    return pd.DataFrame(
        {
            "declaration_id": copies["declaration_id"].to_numpy(),
            "care_date": copies["care_date"].to_numpy(),
            "day": copies["care_date"].to_numpy(),
            "count": copies["size"].to_numpy(),
        }
    )


@rule(
    code="entry.times_overlap",
    severity=ERROR,
    title=_("Overlapping times"),
    message=_("On %(day)s two entries overlap in time (one starts before the other ends)."),
    fix=_("Correct the times, or delete one of the entries."),
    source=_("PGB Portaal: care per day"),
    valid_from=TREKKINGSRECHT,
    params={"day": Param.DATE},
)
def times_overlap(ctx: Context) -> pd.DataFrame | None:
    entries = _entries_of_run(ctx)
    timed = entries[entries["start_min"] >= 0]
    if timed.empty:
        return None
    timed = timed.sort_values(["declaration_id", "care_date", "start_min"], kind="stable")
    end = np.where(
        timed["end_min"] <= timed["start_min"], timed["end_min"] + MINUTES_A_DAY, timed["end_min"]
    )
    same_day: np.ndarray = (
        timed["declaration_id"].to_numpy()[1:] == timed["declaration_id"].to_numpy()[:-1]
    ) & (timed["care_date"].to_numpy()[1:] == timed["care_date"].to_numpy()[:-1])
    # the latest end so far within each day (a night shift of one day must not reach the next)
    latest_end = (
        pd.Series(end, index=timed.index)
        .groupby([timed["declaration_id"], timed["care_date"]])
        .cummax()
        .to_numpy()
    )
    overlaps = same_day & (timed["start_min"].to_numpy()[1:] < latest_end[:-1])
    hits = timed.iloc[1:][overlaps]
    hits = hits.drop_duplicates(["declaration_id", "care_date"])
    return hits[["declaration_id", "care_date"]].assign(day=hits["care_date"])
