"""Rules on pay: the statutory minimum wage for the provider's age."""

from datetime import date

from django.utils.translation import gettext_lazy as _

import numpy as np
import pandas as pd

from contracts.constants import AgreementType
from pgb_admin.figures.constants import FigureKind

from ..engine import Context, ages_on
from ..registry import Param, rule
from ._common import ERROR, INFO, cached, on_segments

# The SVB's minimum wage applies to these agreements (domain.md 3.2); to an assignment only when
# the provider is no entrepreneur for income tax.
MINIMUM_WAGE_TYPES = (AgreementType.EMPLOYMENT_HOURLY, AgreementType.FAMILY)


def _minimum_wage(ctx: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return cached(ctx, _find_minimum_wage)


def _find_minimum_wage(ctx: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per segment: whether the minimum wage applies, the minimum hourly rate in cents on the
    last day (with holiday allowance when the rate includes it; -1 if unknown) and the age."""
    s = ctx.segments
    applies = (
        s["has_version"]
        & (s["version_unit"] == "hour")
        & (
            s["agreement_type"].isin(MINIMUM_WAGE_TYPES)
            | ((s["agreement_type"] == AgreementType.ASSIGNMENT) & ~s["entrepreneur"].astype(bool))
        )
    )
    ages = ages_on(s["birth_date"], s["last_date"])
    wage = ctx.figure(FigureKind.MINIMUM_WAGE, s["last_date"], ages=ages)
    allowance = ctx.figure(FigureKind.HOLIDAY_ALLOWANCE_PCT, s["last_date"])
    with_allowance = (wage * (10_000 + np.maximum(allowance, 0)) + 5_000) // 10_000
    minimum = np.where(s["holiday_pay"].to_numpy(), with_allowance, wage)
    minimum = np.where((wage < 0) | (ages < 0), -1, minimum)
    return applies.to_numpy() & (ages >= 0), minimum, ages


@rule(
    code="wage.below_minimum",
    severity=ERROR,
    title=_("Pay below the minimum wage"),
    message=_(
        "The rate %(rate)s is below the statutory minimum of %(minimum)s an hour for a provider "
        "aged %(age)s on %(day)s."
    ),
    fix=_("Raise the rate to at least the minimum wage with a change of the agreement."),
    source="SVB: Minimumloon en vakantiegeld; Wet minimumloon (WML)",
    valid_from=date(2018, 1, 1),
    params={"rate": Param.MONEY, "minimum": Param.MONEY, "age": Param.NUMBER, "day": Param.DATE},
)
def below_minimum_wage(ctx: Context) -> pd.DataFrame:
    applies, minimum, ages = _minimum_wage(ctx)
    rate = ctx.segments["min_rate_cents"].to_numpy()
    mask = applies & (minimum >= 0) & (rate < minimum)
    return on_segments(ctx, mask, rate=rate, minimum=minimum, age=ages, day="last_date")


@rule(
    code="wage.minimum_unknown",
    severity=INFO,
    title=_("Minimum wage unknown"),
    message=_(
        "No statutory minimum wage is registered for %(day)s and age %(age)s; the rate was not "
        "checked against it."
    ),
    fix=_("Ask the back office to add the minimum wage of this period."),
    source="SVB: Minimumloon en vakantiegeld",
    valid_from=date(2018, 1, 1),
    params={"day": Param.DATE, "age": Param.NUMBER},
)
def minimum_wage_unknown(ctx: Context) -> pd.DataFrame:
    applies, minimum, ages = _minimum_wage(ctx)
    return on_segments(ctx, applies & (minimum < 0), day="last_date", age=ages)
