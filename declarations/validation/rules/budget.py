"""Rules on the grant: care within its period and product, and not beyond it. A grant that is
nearly used up is no finding on a declaration: the holder's dashboard shows it per grant
(:mod:`reports.holders`, the dated figure BUDGET_NEARLY_EXHAUSTED_PCT)."""

from django.utils.translation import gettext_lazy as _

import numpy as np
import pandas as pd

from contracts.constants import AgreementType
from pgb_admin.core.money import percent_of_cents
from pgb_admin.figures.constants import FigureKind

from ..engine import Context, run_starts
from ..registry import Param, rule
from ._common import (
    ERROR,
    SVB_DECLARING,
    TREKKINGSRECHT,
    cached,
    on_lines,
    on_segments,
    per_line,
    source_of,
)


@rule(
    code="budget.outside_period",
    severity=ERROR,
    title=_("Care outside the grant"),
    message=_("On %(day)s the grant did not run: it covers %(start)s to %(end)s."),
    fix=_("Remove the care of that day, or link the agreement to the grant of that period."),
    source=source_of(SVB_DECLARING, _("enough budget in the granted period")),
    valid_from=TREKKINGSRECHT,
    params={"day": Param.DATE, "start": Param.DATE, "end": Param.DATE},
)
def outside_budget(ctx: Context) -> pd.DataFrame:
    day = ctx.lines["care_date"].to_numpy()
    start, end = per_line(ctx, "budget_start"), per_line(ctx, "budget_end")
    has_version = per_line(ctx, "has_version")
    mask = has_version & ((day < start) | (day > end))
    return on_lines(ctx, mask, start=start, end=end)


@rule(
    code="budget.product_not_granted",
    severity=ERROR,
    title=_("Care product not in the grant"),
    message=_("The grant does not cover the care product of the agreement version from %(start)s."),
    fix=_("Link the agreement to a grant for this product, or ask the funder to grant it."),
    source=_("SVB: Declareren voor uw zorgverlener (which budget); the grant decision"),
    valid_from=TREKKINGSRECHT,
    params={"start": Param.DATE},
)
def product_not_granted(ctx: Context) -> pd.DataFrame:
    s = ctx.segments
    mask = (s["has_version"] & (s["budget_id"] != -1) & ~s["product_in_budget"]).to_numpy()
    return on_segments(ctx, mask, start="valid_from")


def _budget_use(ctx: Context) -> pd.DataFrame:
    return cached(ctx, _find_budget_use)


def hourly_employment_extras(ctx: Context, d: pd.DataFrame) -> np.ndarray:
    """Per declaration of ``d`` (columns declaration_id, month, scheme): the cents the SVB adds
    to it for an employment paid per hour (SVB "Minimumloon en vakantiegeld"): the holiday
    allowance (dated figure on the month) of its hour lines under a version whose rate does
    not include it, and the employer costs of all its hour lines where a figure holds (else
    nothing: unknown). Each rounded half up per declaration, as
    ``declarations.selectors.monthly_pay.employment_extras`` does for the reports."""
    lines = ctx.lines  # the lines of the run, by declaration
    s = ctx.segments
    # a line counts under a version the input knows (as an inner join with the versions)
    known = np.repeat(
        s["version_id"].isin(ctx.inp.versions["version_id"]).to_numpy(), s["days"].to_numpy()
    )
    counted = (
        lines["is_hour"].to_numpy()
        & (lines["agreement_type"] == AgreementType.EMPLOYMENT_HOURLY).to_numpy()
        & known
    )
    amount = np.where(counted, lines["amount_cents"].to_numpy(), 0).astype(np.int64)
    holiday = np.where(per_line(ctx, "holiday_pay"), 0, amount)
    wages = {
        "amount_cents": _per_declaration(lines, amount, d),
        "holiday": _per_declaration(lines, holiday, d),
    }
    on, schemes = d["month"].to_numpy(), d["scheme"].to_numpy()
    extras = np.zeros(len(d), dtype=np.int64)
    for kind, wage in (
        (FigureKind.HOLIDAY_ALLOWANCE_PCT, wages["holiday"]),
        (FigureKind.EMPLOYER_COSTS_PCT, wages["amount_cents"]),
    ):
        pct = ctx.figure(kind, on, schemes=schemes)
        extras += np.where(pct >= 0, percent_of_cents(wage, np.maximum(pct, 0)), 0)
    return extras


def _per_declaration(lines: pd.DataFrame, values: np.ndarray, d: pd.DataFrame) -> np.ndarray:
    """The sum of ``values`` (aligned with the lines, which run by declaration) for each
    declaration of ``d``; 0 for one without lines."""
    decl = lines["declaration_id"].to_numpy()
    wanted = d["declaration_id"].to_numpy()
    if not len(decl):
        return np.zeros(len(wanted), dtype=np.int64)
    starts = run_starts(decl)
    ids = decl[starts]
    slot = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
    sums: np.ndarray = np.where(ids[slot] == wanted, np.add.reduceat(values, starts)[slot], 0)
    return sums


def _find_budget_use(ctx: Context) -> pd.DataFrame:
    """Per declaration: cents of the grant used including it (other declarations with what the
    SVB adds to them, fixed monthly pay and the run's earlier months), and the grant. An
    employment's declaration counts with its holiday allowance and employer costs
    (:func:`hourly_employment_extras`)."""
    d = ctx.declarations[["declaration_id", "budget_id", "month", "total_cents"]]
    d = d[d["budget_id"] != -1].merge(ctx.inp.budgets, on="budget_id")
    d = d.sort_values(["budget_id", "month", "declaration_id"], kind="stable")
    d = d.assign(total_cents=d["total_cents"] + hourly_employment_extras(ctx, d))
    running = d.groupby("budget_id")["total_cents"].cumsum()
    return d.assign(used=(d["used_cents"] + d["fixed_cents"] + running).astype(np.int64))


@rule(
    code="budget.exceeded",
    severity=ERROR,
    title=_("Grant exceeded"),
    message=_(
        "With this declaration %(used)s of the grant of %(granted)s is used (declarations, "
        "fixed monthly pay, holiday allowance and employer costs): %(over)s more than granted."
    ),
    fix=_(
        "Declare less, or ask the funder for more budget: the SVB does not pay beyond the grant."
    ),
    source=_("SVB: the SVB cannot pay more than the total budget (valkenburg.nl pgb FAQ)"),
    valid_from=TREKKINGSRECHT,
    params={"used": Param.MONEY, "granted": Param.MONEY, "over": Param.MONEY},
)
def budget_exceeded(ctx: Context) -> pd.DataFrame:
    use = _budget_use(ctx)
    mask = (use["used"] > use["budget_cents"]).to_numpy()
    use = use[mask]
    return pd.DataFrame(
        {
            "declaration_id": use["declaration_id"],
            "care_date": pd.NaT,
            "month": use["month"],
            "used": use["used"],
            "granted": use["budget_cents"],
            "over": use["used"] - use["budget_cents"],
        }
    )
