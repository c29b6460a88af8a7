"""What the rule modules share: severities, sources, and turning a mask over one of the
prepared frames into offences (the declaration, the day they concern and the figures)."""

from collections.abc import Callable, Mapping
from datetime import date
from typing import TypeVar, cast

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

import numpy as np
import numpy.typing as npt
import pandas as pd

from pgb_admin.figures.constants import FigureKind

from ...constants import Severity
from ..engine import Context

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
TREKKINGSRECHT = date(2015, 1, 1)  # the SVB pays on the holder's instruction since then
# titles of public pages and documents, the same in every language; a rule's source joins
# them to its translated details with :func:`source_of`
SVB_DECLARING = "SVB: Correct declareren; Declareren voor uw zorgverlener (svb.nl)"
# the model agreement is a document too, but its name reads in the page's language
SVB_MODEL = _("SVB model care agreement 40.007NT/0519")
ATW = _(
    "Arbeidstijdenwet art. 1:1 and 5:7 (arboportaal.nl): the limits hold for employees "
    "(arbeidsovereenkomst) only"
)


def source_of(title: "str | Promise", detail: Promise) -> "str | Promise":
    """A rule's source in the page's language: a fixed title and a translated detail."""
    return format_lazy("{}: {}", title, detail)


T = TypeVar("T")
# a figure of an offence: a column of the source frame (by name) or values aligned with it
Figure = str | npt.ArrayLike


def product_names(
    ctx: Context, product_ids: pd.Series
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The products' codes and their Dutch and English names, stored with a finding so that
    it reads in either language without a query (the id where the product is unknown)."""
    products = ctx.inp.products.set_index("product_id")
    fallback = product_ids.astype("int64").astype(str)
    return tuple(  # type: ignore[return-value]
        product_ids.map(products[column]).fillna(fallback).to_numpy()
        for column in ("product_code", "name_nl", "name_en")
    )


def per_line(ctx: Context, column: str) -> np.ndarray:
    """A segment column repeated for each of its lines (segments are runs of lines)."""
    return np.repeat(ctx.segments[column].to_numpy(), ctx.segments["days"].to_numpy())


def age_of_majority(ctx: Context, on: npt.ArrayLike) -> np.ndarray:
    """The age of majority on each date in ``on`` (-1 where no figure holds): the age band of
    the limits that hold for adults."""
    return ctx.figure(FigureKind.AGE_OF_MAJORITY, on) // 100


def cached(ctx: Context, compute: Callable[[Context], T]) -> T:
    """``compute(ctx)``, once per run: for what several rules derive from the same frames."""
    if compute not in ctx.cache:
        ctx.cache[compute] = compute(ctx)
    # the cache holds what ``compute`` returned under ``compute`` itself
    return cast(T, ctx.cache[compute])


_DAY_NS = 24 * 60 * 60 * 10**9


def packed_keys(*frames: list[np.ndarray], ordered: bool = True) -> list[np.ndarray]:
    """Rows of several key columns as one int64 key each, for every list of aligned columns
    in ``frames`` (the same columns in each): equal rows get equal keys, and (``ordered``)
    the keys sort as the rows do column by column; -1 where a value is missing."""
    packed = [np.zeros(len(columns[0]), dtype=np.int64) for columns in frames]
    missing = [np.zeros(len(columns[0]), dtype=bool) for columns in frames]
    room = 1
    for position in range(len(frames[0])):
        columns = [np.asarray(columns[position]) for columns in frames]
        codes, width = _joint_codes(columns)
        if room * width >= 2**62:  # keep the key within int64, in the same order
            joint, _values = pd.factorize(np.concatenate(packed), sort=ordered)
            packed = _split(joint.astype(np.int64), packed)
            room = int(joint.max(initial=0)) + 1
        for index, column_codes in enumerate(codes):
            missing[index] |= column_codes < 0
            packed[index] = packed[index] * width + column_codes
        room *= width
    return [np.where(gap, -1, key) for key, gap in zip(packed, missing, strict=True)]


def _split(values: np.ndarray, like: list[np.ndarray]) -> list[np.ndarray]:
    bounds = np.cumsum([len(part) for part in like])[:-1]
    return list(np.split(values, bounds))


def _joint_codes(columns: list[np.ndarray]) -> tuple[list[np.ndarray], int]:
    """Columns of one key as non-negative codes of one order-keeping numbering and its
    size; -1 for a missing value. Integers and whole days by their range (no hashing),
    other values (floats with gaps, text) by one joint factorisation."""
    if all(column.dtype.kind == "M" for column in columns):
        columns = [column.astype("datetime64[ns]").view(np.int64) for column in columns]
        both = np.concatenate(columns)
        if (both != np.iinfo(np.int64).min).all() and not (both % _DAY_NS).any():
            columns = [column // _DAY_NS for column in columns]
    sizes = [len(column) for column in columns]
    if all(column.dtype.kind in "iu" for column in columns) and all(sizes):
        low = min(int(column.min()) for column in columns)
        width = max(int(column.max()) for column in columns) - low + 1
        if width < 2**62:
            return [column.astype(np.int64) - low for column in columns], width
    codes, values = pd.factorize(np.concatenate(columns), sort=True)
    return _split(codes.astype(np.int64), columns), max(len(values), 1)


def sums_at(
    table: list[np.ndarray], values: list[np.ndarray], query: list[np.ndarray]
) -> list[np.ndarray]:
    """For each key of ``query`` (key columns aligned with ``table``'s), the sums of each of
    ``values`` over the rows of ``table`` with that key; 0 where none. A groupby sum and a
    left merge on several columns, done as one packed integer key, one sort and a binary
    search."""
    size = len(query[0])
    packed_table, packed_query = packed_keys(table, query)
    keep = packed_table >= 0
    packed_table = packed_table[keep]
    if not len(packed_table) or not size:
        return [np.zeros(size, dtype=np.int64) for _column in values]
    order = np.argsort(packed_table, kind="stable")
    ordered = packed_table[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    keys = ordered[starts]
    slot = np.minimum(np.searchsorted(keys, packed_query), len(keys) - 1)
    found = (keys[slot] == packed_query) & (packed_query >= 0)
    return [
        np.where(found, np.add.reduceat(np.asarray(column)[keep][order], starts)[slot], 0)
        for column in values
    ]


def offences_of(
    source: pd.DataFrame,
    mask: npt.ArrayLike,
    day_column: str | None,
    params: Mapping[str, Figure],
) -> pd.DataFrame:
    """Rows of ``source`` where ``mask`` holds, as offences: the declaration, the day they
    concern (``day_column``, or none) and the figures. A figure is a column of ``source`` (by
    name) or an array aligned with ``source``."""
    mask = np.asarray(mask, dtype=bool)
    rows = source.loc[mask]
    offences = pd.DataFrame(
        {
            "declaration_id": rows["declaration_id"].to_numpy(),
            "care_date": rows[day_column].to_numpy() if day_column else pd.NaT,
            "month": rows["month"].to_numpy() if "month" in rows else pd.NaT,
        }
    )
    for name, values in params.items():
        column = rows[values] if isinstance(values, str) else np.asarray(values)[mask]
        offences[name] = np.asarray(column)
    return offences


def on_lines(ctx: Context, mask: npt.ArrayLike, **params: Figure) -> pd.DataFrame:
    """Offences on single days: the figure ``day`` is the care date."""
    return offences_of(ctx.lines, mask, "care_date", {"day": "care_date", **params})


def on_segments(ctx: Context, mask: npt.ArrayLike, **params: Figure) -> pd.DataFrame:
    """Offences on a run of days under one agreement version, dated on its first day."""
    return offences_of(ctx.segments, mask, "first_date", params)


def on_declarations(ctx: Context, mask: npt.ArrayLike, **params: Figure) -> pd.DataFrame:
    """Offences on a whole declaration."""
    return offences_of(ctx.declarations, mask, None, params)
