"""Rules on the hours: quarter hours, the hours a day has, the Working Hours Act, the agreed
hours a week and the days a week of an employee."""

from datetime import date

from django.utils.translation import gettext_lazy as _

import numpy as np
import pandas as pd

from pgb_admin.figures.constants import FigureKind

from ..engine import Context, iso_week
from ..registry import Param, rule
from ._common import (
    ATW,
    EMPLOYMENT_TYPES,
    ERROR,
    SVB_MODEL,
    TREKKINGSRECHT,
    WARNING,
    age_of_majority,
    on_lines,
)


@rule(
    code="hours.not_quarter",
    severity=ERROR,
    title=_("Hours not in quarter hours"),
    message=_("%(hours)s hours on %(day)s is not in quarter hours (steps of %(step)s)."),
    fix=_("Round to quarter hours: 15 minutes is 0.25, 30 minutes is 0.50."),
    source=SVB_MODEL + ": declare hours in quarters",
    valid_from=TREKKINGSRECHT,
    params={"day": Param.DATE, "hours": Param.HOURS, "step": Param.HOURS},
)
def not_quarter(ctx: Context) -> pd.DataFrame:
    lines = ctx.lines
    step = ctx.figure(FigureKind.HOURS_INCREMENT, lines["care_date"])
    quantity = lines["quantity_c"].to_numpy()
    mask = lines["is_hour"].to_numpy() & (step > 0) & (quantity % np.maximum(step, 1) != 0)
    return on_lines(ctx, mask, hours=quantity, step=step)


@rule(
    code="hours.day_over_24",
    severity=ERROR,
    title=_("More than 24 hours on a day"),
    message=_("%(hours)s hours on %(day)s: a day has %(maximum)s hours."),
    fix=_("Correct the hours of that day."),
    source="the calendar",
    valid_from=TREKKINGSRECHT,
    params={"day": Param.DATE, "hours": Param.HOURS, "maximum": Param.HOURS},
)
def day_over_24(ctx: Context) -> pd.DataFrame:
    lines = ctx.lines
    maximum = ctx.figure(FigureKind.MAX_HOURS_PER_DAY, lines["care_date"])
    quantity = lines["quantity_c"].to_numpy()
    mask = lines["is_hour"].to_numpy() & (maximum > 0) & (quantity > maximum)
    return on_lines(ctx, mask, hours=quantity, maximum=maximum)


def provider_day_hours(ctx: Context) -> np.ndarray:
    """For each line, the provider's hours that day over all their hourly agreements."""
    days = ctx.inp.provider_days
    if days.empty or ctx.lines.empty:
        return np.zeros(len(ctx.lines), dtype=np.int64)
    day_number = days["care_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    keys = days["provider_id"].to_numpy() * 1_000_000 + day_number
    order = np.argsort(keys)
    keys, hours = keys[order], days["hours_c"].to_numpy()[order]
    line_days = ctx.lines["care_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    wanted = ctx.lines["provider_id"].to_numpy() * 1_000_000 + line_days
    position = np.clip(np.searchsorted(keys, wanted), 0, len(keys) - 1)
    return np.where(keys[position] == wanted, hours[position], 0)


@rule(
    code="hours.provider_day_over_24",
    severity=ERROR,
    title=_("Provider over 24 hours on a day"),
    message=_(
        "On %(day)s the provider is declared for %(hours)s hours over all their pgb agreements; "
        "a day has %(maximum)s hours."
    ),
    fix=_("Check the hours of that day with the provider and their other budget holders."),
    source="the calendar (domain.md 6.2: a carer cannot work more than 24 hours a day)",
    valid_from=TREKKINGSRECHT,
    params={"day": Param.DATE, "hours": Param.HOURS, "maximum": Param.HOURS},
)
def provider_day_over_24(ctx: Context) -> pd.DataFrame:
    lines = ctx.lines
    total = provider_day_hours(ctx)
    maximum = ctx.figure(FigureKind.MAX_HOURS_PER_DAY, lines["care_date"])
    own = lines["quantity_c"].to_numpy()
    # a single agreement over the limit is reported by hours.day_over_24 already
    mask = lines["is_hour"].to_numpy() & (maximum > 0) & (total > maximum) & (own <= maximum)
    return on_lines(ctx, mask, hours=total, maximum=maximum)


@rule(
    code="atw.day_over_12",
    severity=WARNING,
    title=_("Working-hours law: more than 12 hours on a day"),
    message=_(
        "On %(day)s the provider works %(hours)s hours over all their pgb agreements; the "
        "Working Hours Act allows employees at most %(maximum)s hours a shift."
    ),
    fix=_("Check the hours; for an employee, spread the care over more people or days."),
    source=ATW,
    valid_from=date(2016, 1, 1),
    params={"day": Param.DATE, "hours": Param.HOURS, "maximum": Param.HOURS},
)
def atw_day(ctx: Context) -> pd.DataFrame:
    lines = ctx.lines
    total = provider_day_hours(ctx)
    # the limits for adult employees, summed over all the provider's agreements
    adults = age_of_majority(ctx, lines["care_date"])
    maximum = ctx.figure(FigureKind.ATW_MAX_SHIFT_HOURS, lines["care_date"], ages=adults)
    mask = lines["is_hour"].to_numpy() & (maximum > 0) & (total > maximum)
    return on_lines(ctx, mask, hours=total, maximum=maximum)


@rule(
    code="atw.week_over_60",
    severity=WARNING,
    title=_("Working-hours law: more than 60 hours in a week"),
    message=_(
        "In week %(week)s the provider works %(hours)s hours over all their pgb agreements; the "
        "Working Hours Act allows employees at most %(maximum)s hours a week."
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
    weekly = (
        days.assign(week=iso_week(days["care_date"]))
        .groupby(["provider_id", "week"], as_index=False)["hours_c"]
        .sum()
    )
    providers = ctx.declarations[["declaration_id", "provider_id"]]
    weeks = ctx.weeks.merge(providers, on="declaration_id").merge(
        weekly, on=["provider_id", "week"], how="left", suffixes=("", "_provider")
    )
    adults = age_of_majority(ctx, weeks["first_date"])
    maximum = ctx.figure(FigureKind.ATW_MAX_WEEK_HOURS, weeks["first_date"], ages=adults)
    total = weeks["hours_c_provider"].fillna(0).to_numpy().astype(np.int64)
    mask = (maximum > 0) & (total > maximum) & (weeks["hours_c"].to_numpy() > 0)
    offences = weeks.loc[mask, ["declaration_id", "first_date", "week"]]
    return offences.rename(columns={"first_date": "care_date"}).assign(
        hours=total[mask], maximum=maximum[mask]
    )


@rule(
    code="hours.week_above_agreement",
    severity=WARNING,
    title=_("More hours than agreed in a week"),
    message=_("In week %(week)s %(hours)s hours are declared; the agreement says %(agreed)s."),
    fix=_("Check the hours, or acknowledge with the reason (e.g. extra care agreed)."),
    source="the care agreement (hours per week)",
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
        "In week %(week)s the employee works %(days)s days: the Regeling dienstverlening aan "
        "huis no longer applies, with full employer obligations."
    ),
    fix=_("Check the employer obligations with the SVB, or spread the care over fewer days."),
    source="Regeling dienstverlening aan huis (Kamerstuk 36744, MvT)",
    valid_from=TREKKINGSRECHT,
    params={"week": Param.WEEK, "days": Param.NUMBER},
)
def four_days(ctx: Context) -> pd.DataFrame:
    w = ctx.weeks
    limit = ctx.figure(FigureKind.HOME_SERVICE_DAYS_A_WEEK, w["first_date"]) // 100
    employed = w["agreement_type"].isin(EMPLOYMENT_TYPES).to_numpy()
    mask = employed & (limit > 0) & (w["days"].to_numpy() >= limit)
    return w.loc[mask, ["declaration_id", "first_date", "week", "days"]].rename(
        columns={"first_date": "care_date"}
    )
