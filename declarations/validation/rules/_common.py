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
