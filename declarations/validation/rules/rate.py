"""Rules on the rate: as agreed, and within the funder's maximum tariff."""

from django.utils.translation import gettext_lazy as _

import numpy as np
import pandas as pd

from ..engine import Context
from ..registry import Param, rule
from ..tariffs import max_tariffs
from ._common import (
    ERROR,
    INFO,
    SVB_DECLARING,
    TREKKINGSRECHT,
    cached,
    on_segments,
    product_names,
    source_of,
)


@rule(
    code="rate.differs_from_agreement",
    severity=ERROR,
    title=_("Rate differs from the agreement"),
    message=_(
        "The declared rate %(declared)s differs from the agreed rate %(agreed)s (agreement "
        "version from %(start)s)."
    ),
    fix=_("Declare the agreed rate, or register the new rate as a change of the agreement."),
    source=source_of(SVB_DECLARING, _("tariffs must match the agreed amounts")),
    valid_from=TREKKINGSRECHT,
    params={"declared": Param.MONEY, "agreed": Param.MONEY, "start": Param.DATE},
)
def rate_differs(ctx: Context) -> pd.DataFrame:
    s = ctx.segments
    low, high, agreed = s["min_rate_cents"], s["max_rate_cents"], s["agreed_cents"]
    mask = (s["has_version"] & ((low != agreed) | (high != agreed))).to_numpy()
    declared = np.where(low != agreed, low, high)
    return on_segments(ctx, mask, declared=declared, agreed=agreed.to_numpy(), start="valid_from")


def _run_starts_mask(keys: np.ndarray) -> np.ndarray:
    """True where a run of equal consecutive ``keys`` starts."""
    change = np.ones(len(keys), dtype=bool)
    change[1:] = keys[1:] != keys[:-1]
    return change


def _max_tariffs(ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """Per segment: the funder's maximum (cents) for the case on the segment's last day, and
    its source; -1 where no maximum is known. Funder and product rows beat general ones."""
    return cached(ctx, _find_max_tariffs)


def _find_max_tariffs(ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    s = ctx.segments
    cases = pd.DataFrame(
        {
            "scheme": s["scheme"],
            "carer_class": s["carer_class"],
            "unit": s["version_unit"],
            "funder_id": s["funder_id"],
            "product_id": s["product_id"],
            "on": s["last_date"],
        }
    )
    return max_tariffs(ctx.inp.tariffs, cases)


@rule(
    code="rate.above_maximum",
    severity=ERROR,
    title=_("Rate above the maximum tariff"),
    message=_(
        "The agreed rate %(rate)s is above the funder's maximum of %(maximum)s for %(class)s "
        "(%(source)s)."
    ),
    fix=_(
        "Lower the rate to the maximum with a change of the agreement; a holder who pays more "
        "tops it up from their own money."
    ),
    source=_("Funder's maximum tariffs (tarieventabel); Regeling langdurige zorg for Wlz"),
    valid_from=TREKKINGSRECHT,
    params={
        "rate": Param.MONEY,
        "maximum": Param.MONEY,
        "class": Param.CARER_CLASS,
        "source": Param.TEXT,
    },
)
def rate_above_maximum(ctx: Context) -> pd.DataFrame:
    s = ctx.segments
    maximum, source = _max_tariffs(ctx)
    mask = s["has_version"].to_numpy() & (maximum >= 0) & (s["agreed_cents"].to_numpy() > maximum)
    return on_segments(
        ctx, mask, rate="agreed_cents", maximum=maximum, **{"class": "carer_class"}, source=source
    )


@rule(
    code="rate.maximum_unknown",
    severity=INFO,
    title=_("No maximum tariff known"),
    message=_(
        "No maximum tariff of the funder is registered for %(product)s, %(class)s, from "
        "%(start)s to %(end)s; the rate of this agreement version was not checked against one."
    ),
    fix=_("Ask the back office to add the funder's tariff table for this period."),
    source=_("Funder's maximum tariffs (tarieventabel)"),
    valid_from=TREKKINGSRECHT,
    params={
        "product": Param.PRODUCT,
        "product_nl": Param.TEXT,
        "product_en": Param.TEXT,
        "class": Param.CARER_CLASS,
        "start": Param.DATE,
        "end": Param.DATE,
    },
)
def maximum_unknown(ctx: Context) -> pd.DataFrame:
    """One notice per declaration and agreement version without a maximum (not per day or
    per run of days): the product and the days of the declaration under that version. The
    segments run by declaration and day, so a pair's first segment holds its first day and
    its last segment its last."""
    s = ctx.segments
    maximum, _source = _max_tariffs(ctx)
    rows = np.flatnonzero(s["has_version"].to_numpy() & (maximum < 0))
    # the pairs by first appearance; the segments of a declaration are consecutive
    declaration = np.cumsum(_run_starts_mask(s["declaration_id"].to_numpy()))[rows]
    version, versions = pd.factorize(s["version_id"].to_numpy()[rows])
    pair, _pairs = pd.factorize(declaration * (len(versions) + 1) + version)
    _ids, first = np.unique(pair, return_index=True)
    _ids, from_end = np.unique(pair[::-1], return_index=True)
    once, last = rows[first], rows[len(rows) - 1 - from_end]
    product, name_nl, name_en = product_names(ctx, s["product_id"].iloc[once])
    start = s["first_date"].to_numpy()[once]
    return pd.DataFrame(
        {
            "declaration_id": s["declaration_id"].to_numpy()[once],
            "care_date": start,
            "month": s["month"].to_numpy()[once],
            "product": product,
            "product_nl": name_nl,
            "product_en": name_en,
            "class": s["carer_class"].to_numpy()[once],
            "start": start,
            "end": s["last_date"].to_numpy()[last],
        }
    )
