"""Rules on the time entries behind a declaration: an entry made twice, times that overlap."""

from django.utils.translation import gettext_lazy as _

import numpy as np
import pandas as pd

from ..engine import Context
from ..registry import Param, rule
from ._common import ERROR, TREKKINGSRECHT, WARNING, cached, packed_keys

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
    # agreement and month as one integer key: a merge on one int64 column, not two
    (entry_key, run_key) = packed_keys(
        [keyed["agreement_id"].to_numpy(), months],
        [run["agreement_id"].to_numpy(), run["month"].to_numpy()],
    )
    joined = keyed.assign(_key=entry_key).merge(
        run[["declaration_id"]].assign(_key=run_key), on="_key"
    )
    return joined.drop(columns="_key")


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
    # only the entries that have a copy, found by hashing one packed key (no sort); a key
    # with a missing value is in no group, as groupby drops it
    (packed,) = packed_keys([entries[column].to_numpy() for column in key], ordered=False)
    twice = pd.Series(packed).duplicated(keep=False).to_numpy() & (packed >= 0)
    copies = entries[twice].groupby(key, as_index=False).size()
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
    (day_key,) = packed_keys([timed["declaration_id"].to_numpy(), timed["care_date"].to_numpy()])
    (start_key,) = packed_keys([day_key, timed["start_min"].to_numpy()])
    order = np.argsort(start_key, kind="stable")
    timed = timed.take(order)
    day_key = day_key[order]
    end = np.where(
        timed["end_min"] <= timed["start_min"], timed["end_min"] + MINUTES_A_DAY, timed["end_min"]
    ).astype(np.int64)
    same_day: np.ndarray = day_key[1:] == day_key[:-1]
    # the latest end so far within each day (a night shift of one day must not reach the
    # next): a running maximum over the days lifted apart by a step larger than any end
    day_number = np.cumsum(np.r_[True, ~same_day])
    lift = int(end.max(initial=0)) - int(end.min(initial=0)) + 1
    latest_end = np.maximum.accumulate(end + day_number * lift) - day_number * lift
    overlaps = same_day & (timed["start_min"].to_numpy()[1:] < latest_end[:-1])
    hits = timed.iloc[1:][overlaps]
    hits = hits.drop_duplicates(["declaration_id", "care_date"])
    found: pd.DataFrame = hits[["declaration_id", "care_date"]].assign(day=hits["care_date"])
    return found
