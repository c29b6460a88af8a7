"""Rules on the hours: quarter hours, the hours a day has, the Working Hours Act, the agreed
hours a week and the days a week of an employee."""

from datetime import date

from django.utils.translation import gettext_lazy as _

import numpy as np
import pandas as pd

from contracts.constants import EMPLOYMENT_TYPES
from pgb_admin.figures.constants import FigureKind

from ..engine import Context, iso_week
from ..registry import Param, rule
from ._common import (
    ATW,
    ERROR,
    SVB_MODEL,
    TREKKINGSRECHT,
    WARNING,
    age_of_majority,
    cached,
    on_lines,
    source_of,
    sums_at,
)


@rule(
    code="hours.not_quarter",
    severity=ERROR,
    title=_("Hours not in quarter hours"),
    message=_("%(hours)s hours on %(day)s is not in quarter hours (steps of %(step)s)."),
    fix=_("Round to quarter hours: 15 minutes is 0.25, 30 minutes is 0.50."),
    source=source_of(SVB_MODEL, _("declare hours in quarters")),
    valid_from=TREKKINGSRECHT,
    params={"day": Param.DATE, "hours": Param.HOURS, "step": Param.HOURS},
)
def not_quarter(ctx: Context) -> pd.DataFrame:
    lines = ctx.lines
    step = ctx.figure(FigureKind.HOURS_INCREMENT, lines["care_date"])
    quantity = lines["quantity_c"].to_numpy()
    mask = lines["is_hour"].to_numpy() & (step > 0) & (quantity % np.maximum(step, 1) != 0)
    return on_lines(ctx, mask, hours=quantity, step=step)


def _day_hours(ctx: Context) -> pd.DataFrame:
    return cached(ctx, _find_day_hours)


def _find_day_hours(ctx: Context) -> pd.DataFrame:
    """For each line (aligned with ``ctx.lines``): the provider's hours that day for the
    line's holder (``holder_c``), over all holders (``total_c``) and over all holders under
    employment agreements (``employment_c``), each over their hourly agreements."""
    lines = ctx.lines
    days = ctx.inp.provider_days
    if days.empty or lines.empty:
        zero = np.zeros(len(lines), dtype=np.int64)
        return pd.DataFrame({"holder_c": zero, "total_c": zero, "employment_c": zero})
    provider, holder, day = (
        days[column].to_numpy() for column in ("provider_id", "holder_id", "care_date")
    )
    on_provider, on_holder, on_day = (
        lines[column].to_numpy() for column in ("provider_id", "holder_id", "care_date")
    )
    hours, employment = days["hours_c"].to_numpy(), days["employment_c"].to_numpy()
    (own,) = sums_at([provider, holder, day], [hours], [on_provider, on_holder, on_day])
    total, employed = sums_at([provider, day], [hours, employment], [on_provider, on_day])
    return pd.DataFrame({"holder_c": own, "total_c": total, "employment_c": employed})


@rule(
    code="hours.day_over_24",
    severity=ERROR,
    title=_("More than 24 hours on a day"),
    message=_(
        "%(hours)s hours on %(day)s with this provider over your agreements: a day has "
        "%(maximum)s hours."
    ),
    fix=_("Correct the hours of that day."),
    source=_("The calendar: a day has 24 hours"),
    valid_from=TREKKINGSRECHT,
    params={"day": Param.DATE, "hours": Param.HOURS, "maximum": Param.HOURS},
)
def day_over_24(ctx: Context) -> pd.DataFrame:
    """The holder's own hours with the provider that day, over all their agreements with them
    (a single agreement's line at least)."""
    lines = ctx.lines
    maximum = ctx.figure(FigureKind.MAX_HOURS_PER_DAY, lines["care_date"])
    quantity = lines["quantity_c"].to_numpy()
    own = np.maximum(quantity, _day_hours(ctx)["holder_c"].to_numpy())
    mask = lines["is_hour"].to_numpy() & (maximum > 0) & (own > maximum)
    return on_lines(ctx, mask, hours=own, maximum=maximum)


@rule(
    code="hours.provider_day_over_24",
    severity=WARNING,
    title=_("Provider declared for more than 24 hours on a day"),
    message=_(
        "On %(day)s the provider is declared in pgb-admin for more than %(maximum)s hours over "
        "all their agreements, also with other budget holders; a day has %(maximum)s hours."
    ),
    fix=_(
        "Check your hours of that day with the provider; the hours for others are not shown to you."
    ),
    source=_("The calendar: a day has 24 hours; the hours in pgb-admin"),
    valid_from=TREKKINGSRECHT,
    params={"day": Param.DATE, "maximum": Param.HOURS},
)
def provider_day_over_24(ctx: Context) -> pd.DataFrame:
    """Only a warning, and without the others' hours: holder A cannot correct (nor may see)
    holder B's entries. Over 24 with the holder's own agreements is hours.day_over_24."""
    lines = ctx.lines
    hours = _day_hours(ctx)
    maximum = ctx.figure(FigureKind.MAX_HOURS_PER_DAY, lines["care_date"])
    own = np.maximum(lines["quantity_c"].to_numpy(), hours["holder_c"].to_numpy())
    total = hours["total_c"].to_numpy()
    mask = lines["is_hour"].to_numpy() & (maximum > 0) & (total > maximum) & (own <= maximum)
    return on_lines(ctx, mask, maximum=maximum)


_EMPLOYMENT = sorted(kind.value for kind in EMPLOYMENT_TYPES)


def _employed(agreement_types: pd.Series) -> np.ndarray:
    return agreement_types.isin(_EMPLOYMENT).to_numpy()


@rule(
    code="atw.day_over_12",
    severity=WARNING,
    title=_("Working-hours law: more than 12 hours on a day"),
    message=_(
        "On %(day)s the employee works %(hours)s hours over all their employment agreements; "
        "the Working Hours Act allows employees at most %(maximum)s hours a shift."
    ),
    fix=_("Check the hours; spread the care over more people or days."),
    source=ATW,
    valid_from=date(2016, 1, 1),
    params={"day": Param.DATE, "hours": Param.HOURS, "maximum": Param.HOURS},
)
def atw_day(ctx: Context) -> pd.DataFrame:
    """Only for employment agreements: the Working Hours Act covers employees
    (arbeidsovereenkomst), not the self-employed, family or institutions (Atw art. 1:1)."""
    lines = ctx.lines
    total = _day_hours(ctx)["employment_c"].to_numpy()
    # the limits for adult employees, summed over the employee's employment agreements
    adults = age_of_majority(ctx, lines["care_date"])
    maximum = ctx.figure(FigureKind.ATW_MAX_SHIFT_HOURS, lines["care_date"], ages=adults)
    employed = _employed(lines["agreement_type"])
    mask = employed & lines["is_hour"].to_numpy() & (maximum > 0) & (total > maximum)
    return on_lines(ctx, mask, hours=total, maximum=maximum)


@rule(
    code="atw.week_over_60",
    severity=WARNING,
    title=_("Working-hours law: more than 60 hours in a week"),
    message=_(
        "In %(week)s the employee works %(hours)s hours over all their employment "
        "agreements; the Working Hours Act allows employees at most %(maximum)s hours a week."
    ),
    fix=_("Check the hours of that week with the provider."),
    source=ATW,
    valid_from=date(2016, 1, 1),
    params={"week": Param.WEEK, "hours": Param.HOURS, "maximum": Param.HOURS},
)
def atw_week(ctx: Context) -> pd.DataFrame | None:
    days = ctx.inp.provider_days
    if days.empty or ctx.weeks.empty:
        return None
    d = ctx.declarations
    row = pd.Index(d["declaration_id"]).get_indexer(ctx.weeks["declaration_id"])
    weeks = ctx.weeks.assign(provider_id=d["provider_id"].to_numpy()[row])
    (employment,) = sums_at(
        [days["provider_id"].to_numpy(), iso_week(days["care_date"])],
        [days["employment_c"].to_numpy()],
        [weeks["provider_id"].to_numpy(), weeks["week"].to_numpy()],
    )
    weeks["employment_c"] = employment
    adults = age_of_majority(ctx, weeks["first_date"])
    maximum = ctx.figure(FigureKind.ATW_MAX_WEEK_HOURS, weeks["first_date"], ages=adults)
    total = weeks["employment_c"].fillna(0).to_numpy().astype(np.int64)
    employed = _employed(weeks["agreement_type"])
    mask = employed & (maximum > 0) & (total > maximum) & (weeks["hours_c"].to_numpy() > 0)
    offences = weeks.loc[mask, ["declaration_id", "first_date", "week"]]
    return offences.rename(columns={"first_date": "care_date"}).assign(
        hours=total[mask], maximum=maximum[mask]
    )


@rule(
    code="hours.week_above_agreement",
    severity=WARNING,
    title=_("More hours than agreed in a week"),
    message=_("In %(week)s %(hours)s hours are declared; the agreement says %(agreed)s."),
    fix=_("Check the hours, or acknowledge with the reason (e.g. extra care agreed)."),
    source=_("The care agreement (hours per week)"),
    valid_from=TREKKINGSRECHT,
    params={"week": Param.WEEK, "hours": Param.HOURS, "agreed": Param.HOURS},
)
def week_above_agreement(ctx: Context) -> pd.DataFrame:
    w = ctx.weeks
    mask = ((w["agreed_hours_c"] > 0) & (w["hours_c"] > w["agreed_hours_c"])).to_numpy()
    offences = w.loc[mask, ["declaration_id", "first_date", "week", "hours_c", "agreed_hours_c"]]
    return offences.rename(
        columns={"first_date": "care_date", "hours_c": "hours", "agreed_hours_c": "agreed"}
    )


@rule(
    code="employment.four_days_a_week",
    severity=WARNING,
    title=_("Employee works 4 or more days a week"),
    message=_(
        "In %(week)s the employee works %(days)s days: the Regeling dienstverlening aan "
        "huis no longer applies, with full employer obligations."
    ),
    fix=_("Check the employer obligations with the SVB, or spread the care over fewer days."),
    source=_(
        "Regeling dienstverlening aan huis (Wet op de loonbelasting 1964, Wet financiering "
        "sociale verzekeringen; rijksoverheid.nl): fewer than 4 days a week. The bill to end "
        "it (Kamerstuk 36744) is pending and not applied."
    ),
    valid_from=TREKKINGSRECHT,
    params={"week": Param.WEEK, "days": Param.NUMBER},
)
def four_days(ctx: Context) -> pd.DataFrame:
    w = ctx.weeks
    limit = ctx.figure(FigureKind.HOME_SERVICE_DAYS_A_WEEK, w["first_date"]) // 100
    employed = w["agreement_type"].isin(_EMPLOYMENT).to_numpy()
    mask = employed & (limit > 0) & (w["days"].to_numpy() >= limit)
    return w.loc[mask, ["declaration_id", "first_date", "week", "days"]].rename(
        columns={"first_date": "care_date"}
    )
