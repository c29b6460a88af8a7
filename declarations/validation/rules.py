"""The rule catalogue. Each rule is a vectorised check over the prepared frames of
:mod:`declarations.validation.engine`; its figures come from the dated tables
(:meth:`Context.figure`, the tariffs), never from the rule. Messages are written in English and
translated; ``%(name)s`` placeholders are filled with the figures of each finding.
"""

from datetime import date

from django.utils.translation import gettext_lazy as _

import numpy as np
import pandas as pd

from contracts.constants import AgreementType
from pgb_admin.core.masking import VISIBLE_CHARACTERS
from pgb_admin.figures.constants import FigureKind

from ..constants import Severity
from .engine import Context, iso_week, run_starts
from .registry import Param, rule
from .tariffs import max_tariffs

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
TREKKINGSRECHT = date(2015, 1, 1)  # the SVB pays on the holder's instruction since then
SVB_DECLARING = "SVB: Correct declareren; Declareren voor uw zorgverlener (svb.nl)"
SVB_MODEL = "SVB model care agreement 40.007NT/0519"
ATW = "Arbeidstijdenwet (arboportaal.nl)"

# The SVB's minimum wage applies to these agreements (domain.md 3.2); to an assignment only when
# the provider is no entrepreneur for income tax.
MINIMUM_WAGE_TYPES = (AgreementType.EMPLOYMENT_HOURLY, AgreementType.FAMILY)
EMPLOYMENT_TYPES = (AgreementType.EMPLOYMENT_HOURLY, AgreementType.EMPLOYMENT_FIXED)


def _per_line(ctx: Context, column: str) -> np.ndarray:
    """A segment column repeated for each of its lines (segments are runs of lines)."""
    return np.repeat(ctx.segments[column].to_numpy(), ctx.segments["days"].to_numpy())


def _offences(source: pd.DataFrame, mask, day_column, params) -> pd.DataFrame:
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


def _lines(ctx: Context, mask, **params) -> pd.DataFrame:
    """Offences on single days: the figure ``day`` is the care date."""
    return _offences(ctx.lines, mask, "care_date", {"day": "care_date", **params})


def _segments(ctx: Context, mask, **params) -> pd.DataFrame:
    """Offences on a run of days under one agreement version, dated on its first day."""
    return _offences(ctx.segments, mask, "first_date", params)


def _declarations(ctx: Context, mask, **params) -> pd.DataFrame:
    """Offences on a whole declaration."""
    return _offences(ctx.declarations, mask, None, params)


# --- the agreement and the grant -------------------------------------------------------------


@rule(
    code="agreement.outside_period",
    severity=ERROR,
    title=_("Care outside the agreement"),
    message=_("On %(day)s no version of the care agreement was in force."),
    fix=_("Remove the care of that day, or register the agreement's period as it really is."),
    source=SVB_DECLARING + ": care within the agreement's period",
    valid_from=TREKKINGSRECHT,
    params={"day": Param.DATE},
)
def outside_agreement(ctx: Context):
    return _lines(ctx, (ctx.lines["version_id"] == -1).to_numpy())


@rule(
    code="budget.outside_period",
    severity=ERROR,
    title=_("Care outside the grant"),
    message=_("On %(day)s the grant did not run: it covers %(start)s to %(end)s."),
    fix=_("Remove the care of that day, or link the agreement to the grant of that period."),
    source=SVB_DECLARING + ": enough budget in the granted period",
    valid_from=TREKKINGSRECHT,
    params={"day": Param.DATE, "start": Param.DATE, "end": Param.DATE},
)
def outside_budget(ctx: Context):
    day = ctx.lines["care_date"].to_numpy()
    start, end = _per_line(ctx, "budget_start"), _per_line(ctx, "budget_end")
    has_version = _per_line(ctx, "has_version")
    mask = has_version & ((day < start) | (day > end))
    return _lines(ctx, mask, start=start, end=end)


@rule(
    code="agreement.not_approved",
    severity=ERROR,
    title=_("Agreement not approved"),
    message=_(
        "The agreement version from %(start)s is not approved by the funder; the SVB pays only "
        "for approved agreements."
    ),
    fix=_("Wait for the funder's approval, or record the approval once it is given."),
    source="PGB Portaal: the municipality or care office assesses agreements and changes",
    valid_from=TREKKINGSRECHT,
    params={"start": Param.DATE},
)
def not_approved(ctx: Context):
    s = ctx.segments
    return _segments(ctx, (s["has_version"] & ~s["approved"]).to_numpy(), start="valid_from")


@rule(
    code="budget.product_not_granted",
    severity=ERROR,
    title=_("Care product not in the grant"),
    message=_("The grant does not cover the care product of the agreement version from %(start)s."),
    fix=_("Link the agreement to a grant for this product, or ask the funder to grant it."),
    source="SVB: Declareren voor uw zorgverlener (which budget); the grant decision",
    valid_from=TREKKINGSRECHT,
    params={"start": Param.DATE},
)
def product_not_granted(ctx: Context):
    s = ctx.segments
    mask = (s["has_version"] & (s["budget_id"] != -1) & ~s["product_in_budget"]).to_numpy()
    return _segments(ctx, mask, start="valid_from")


@rule(
    code="agreement.fixed_monthly_pay",
    severity=ERROR,
    title=_("Fixed monthly pay declared"),
    message=_(
        "This is an employment agreement with fixed monthly pay: the SVB pays it every month "
        "without a declaration."
    ),
    fix=_("Delete this declaration; the monthly wage is paid automatically."),
    source="PGB Portaal (mijnpgb.nl): vast maandloon is paid automatically",
    valid_from=TREKKINGSRECHT,
)
def fixed_monthly_pay(ctx: Context):
    d = ctx.declarations
    return _declarations(ctx, (d["agreement_type"] == AgreementType.EMPLOYMENT_FIXED).to_numpy())


# --- the calendar ------------------------------------------------------------------------------


@rule(
    code="declaration.month_not_over",
    severity=ERROR,
    title=_("Month not over"),
    message=_("The month ends on %(end)s: the SVB pays care only after the period has passed."),
    fix=_("Declare the month after it has ended."),
    source=SVB_DECLARING + ": always afterwards",
    valid_from=TREKKINGSRECHT,
    params={"end": Param.DATE},
)
def month_not_over(ctx: Context):
    d = ctx.declarations
    return _declarations(ctx, (d["month_end"] >= ctx.today).to_numpy(), end="month_end")


@rule(
    code="entry.in_future",
    severity=ERROR,
    title=_("Care in the future"),
    message=_("%(day)s lies in the future: only care that was given can be declared."),
    fix=_("Remove the entry, or correct its date."),
    source=SVB_DECLARING + ": always afterwards",
    valid_from=TREKKINGSRECHT,
    params={"day": Param.DATE},
)
def care_in_future(ctx: Context):
    return _lines(ctx, (ctx.lines["care_date"] > ctx.today).to_numpy())


@rule(
    code="declaration.late",
    severity=WARNING,
    title=_("Late declaration"),
    message=_(
        "The deadline for this month was %(deadline)s (%(weeks)s weeks after the month): the "
        "provider hands in within 6 weeks and the holder submits within 4 weeks."
    ),
    fix=_("Submit it as soon as possible; the SVB or funder may refuse late declarations."),
    source="SVB: Correct declareren (6 + 4 weeks)",
    valid_from=TREKKINGSRECHT,
    params={"deadline": Param.DATE, "weeks": Param.NUMBER},
)
def late(ctx: Context):
    d = ctx.declarations
    month_end = d["month_end"].to_numpy()
    weeks = (
        ctx.figure(FigureKind.DECLARATION_DEADLINE_PROVIDER_WEEKS, month_end)
        + ctx.figure(FigureKind.DECLARATION_DEADLINE_HOLDER_WEEKS, month_end)
    ) // 100
    deadline = d["month_end"] + pd.to_timedelta(weeks * 7, unit="D")
    mask = (weeks > 0) & (ctx.today > deadline).to_numpy()
    return _declarations(ctx, mask, deadline=deadline.to_numpy(), weeks=weeks)


@rule(
    code="declaration.prior_year_late",
    severity=WARNING,
    title=_("Declared after the grant year's deadline"),
    message=_(
        "Care of %(year)s had to be declared before %(deadline)s, when the care office settles "
        "the year (subsidievaststelling)."
    ),
    fix=_("Contact the care office: it may no longer pay this declaration."),
    source="Zilveren Kruis zorgkantoor: beschikking subsidievaststelling (before 1 April)",
    valid_from=TREKKINGSRECHT,
    params={"year": Param.NUMBER, "deadline": Param.DATE},
)
def prior_year_late(ctx: Context):
    s = ctx.segments.drop_duplicates("declaration_id")
    d = ctx.declarations.merge(s[["declaration_id", "scheme"]], on="declaration_id", how="left")
    year = d["month"].to_numpy().astype("datetime64[Y]")
    next_year = (year + 1).astype("datetime64[ns]")
    months = (
        ctx.figure(FigureKind.PRIOR_YEAR_DEADLINE_MONTHS, next_year, schemes=d["scheme"]) // 100
    )
    deadline = (
        (year + 1).astype("datetime64[M]") + np.clip(months, 0, 11).astype("timedelta64[M]")
    ).astype("datetime64[ns]")
    mask = (months > 0) & (np.datetime64(ctx.today) >= deadline)
    calendar_year = year.astype(np.int64) + 1970
    return _offences(d, mask, None, {"year": calendar_year, "deadline": deadline})


@rule(
    code="calendar.public_holiday",
    severity=INFO,
    title=_("Care on a public holiday"),
    message=_("%(day)s is a public holiday; check any holiday surcharge agreed."),
    fix=_("Nothing to do unless a surcharge applies."),
    source="Dutch public holidays (python-holidays)",
    valid_from=TREKKINGSRECHT,
    params={"day": Param.DATE},
)
def public_holiday(ctx: Context):
    return _lines(ctx, np.isin(ctx.lines["care_date"].to_numpy(), ctx.inp.holidays))


# --- hours -------------------------------------------------------------------------------------


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
def not_quarter(ctx: Context):
    lines = ctx.lines
    step = ctx.figure(FigureKind.HOURS_INCREMENT, lines["care_date"])
    quantity = lines["quantity_c"].to_numpy()
    mask = lines["is_hour"].to_numpy() & (step > 0) & (quantity % np.maximum(step, 1) != 0)
    return _lines(ctx, mask, hours=quantity, step=step)


@rule(
    code="value.not_positive",
    severity=ERROR,
    title=_("Zero or negative value"),
    message=_("The line of %(day)s has quantity %(quantity)s at rate %(rate)s."),
    fix=_("Remove days without care and give every line a positive quantity and rate."),
    source=SVB_DECLARING + ": total is quantity times rate",
    valid_from=TREKKINGSRECHT,
    params={"day": Param.DATE, "quantity": Param.HOURS, "rate": Param.MONEY},
)
def not_positive(ctx: Context):
    quantity = ctx.lines["quantity_c"].to_numpy()
    rate = ctx.lines["rate_cents"].to_numpy()
    return _lines(ctx, (quantity <= 0) | (rate <= 0), quantity=quantity, rate=rate)


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
def day_over_24(ctx: Context):
    lines = ctx.lines
    maximum = ctx.figure(FigureKind.MAX_HOURS_PER_DAY, lines["care_date"])
    quantity = lines["quantity_c"].to_numpy()
    mask = lines["is_hour"].to_numpy() & (maximum > 0) & (quantity > maximum)
    return _lines(ctx, mask, hours=quantity, maximum=maximum)


def _provider_day_hours(ctx: Context) -> np.ndarray:
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
def provider_day_over_24(ctx: Context):
    lines = ctx.lines
    total = _provider_day_hours(ctx)
    maximum = ctx.figure(FigureKind.MAX_HOURS_PER_DAY, lines["care_date"])
    own = lines["quantity_c"].to_numpy()
    # a single agreement over the limit is reported by hours.day_over_24 already
    mask = lines["is_hour"].to_numpy() & (maximum > 0) & (total > maximum) & (own <= maximum)
    return _lines(ctx, mask, hours=total, maximum=maximum)


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
def atw_day(ctx: Context):
    lines = ctx.lines
    total = _provider_day_hours(ctx)
    maximum = ctx.figure(
        FigureKind.ATW_MAX_SHIFT_HOURS, lines["care_date"], ages=np.full(len(lines), 18)
    )
    mask = lines["is_hour"].to_numpy() & (maximum > 0) & (total > maximum)
    return _lines(ctx, mask, hours=total, maximum=maximum)


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
def atw_week(ctx: Context):
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
    maximum = ctx.figure(
        FigureKind.ATW_MAX_WEEK_HOURS, weeks["first_date"], ages=np.full(len(weeks), 18)
    )
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
def week_above_agreement(ctx: Context):
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
def four_days(ctx: Context):
    w = ctx.weeks
    mask = (w["agreement_type"].isin(EMPLOYMENT_TYPES) & (w["days"] >= 4)).to_numpy()
    return w.loc[mask, ["declaration_id", "first_date", "week", "days"]].rename(
        columns={"first_date": "care_date"}
    )


def _day_groups(entries: pd.DataFrame) -> pd.DataFrame:
    return entries.sort_values(["agreement_id", "care_date", "start_min"], kind="stable")


def _cached(ctx: Context, compute):
    """``compute(ctx)``, once per run: for what several rules derive from the same frames."""
    if compute not in ctx.cache:
        ctx.cache[compute] = compute(ctx)
    return ctx.cache[compute]


def _entries_of_run(ctx: Context) -> pd.DataFrame:
    return _cached(ctx, _join_entries)


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
    code="entry.day_twice",
    severity=ERROR,
    title=_("A day entered twice"),
    message=_("%(day)s has %(count)s entries without times: the same care may be entered twice."),
    fix=_("Delete the double entry, or give each entry its start and end time."),
    source="PGB Portaal: one declaration per agreement per month, care per day",
    valid_from=TREKKINGSRECHT,
    params={"day": Param.DATE, "count": Param.NUMBER},
)
def day_twice(ctx: Context):
    entries = _entries_of_run(ctx)
    if entries.empty:
        return None
    entries = entries.sort_values(["declaration_id", "care_date"], kind="stable")
    declaration = entries["declaration_id"].to_numpy()
    day = entries["care_date"].to_numpy()
    starts = run_starts(declaration, day)
    count = np.diff(np.append(starts, len(entries)))
    untimed = np.add.reduceat((entries["start_min"].to_numpy() < 0).astype(np.int64), starts)
    mask = (count > 1) & (untimed > 0)
    return pd.DataFrame(
        {
            "declaration_id": declaration[starts][mask],
            "care_date": day[starts][mask],
            "day": day[starts][mask],
            "count": count[mask],
        }
    )


@rule(
    code="entry.times_overlap",
    severity=ERROR,
    title=_("Overlapping times"),
    message=_("On %(day)s two entries overlap in time (one starts before the other ends)."),
    fix=_("Correct the times, or delete one of the entries."),
    source="PGB Portaal: care per day",
    valid_from=TREKKINGSRECHT,
    params={"day": Param.DATE},
)
def times_overlap(ctx: Context):
    entries = _entries_of_run(ctx)
    timed = entries[entries["start_min"] >= 0]
    if timed.empty:
        return None
    timed = timed.sort_values(["declaration_id", "care_date", "start_min"], kind="stable")
    end = np.where(
        timed["end_min"] <= timed["start_min"], timed["end_min"] + 24 * 60, timed["end_min"]
    )
    same_day = (
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


# --- rates and pay -----------------------------------------------------------------------------


@rule(
    code="rate.differs_from_agreement",
    severity=ERROR,
    title=_("Rate differs from the agreement"),
    message=_(
        "The declared rate %(declared)s differs from the agreed rate %(agreed)s (agreement "
        "version from %(start)s)."
    ),
    fix=_("Declare the agreed rate, or register the new rate as a change of the agreement."),
    source=SVB_DECLARING + ": tariffs must match the agreed amounts",
    valid_from=TREKKINGSRECHT,
    params={"declared": Param.MONEY, "agreed": Param.MONEY, "start": Param.DATE},
)
def rate_differs(ctx: Context):
    s = ctx.segments
    low, high, agreed = s["min_rate_cents"], s["max_rate_cents"], s["agreed_cents"]
    mask = (s["has_version"] & ((low != agreed) | (high != agreed))).to_numpy()
    declared = np.where(low != agreed, low, high)
    return _segments(ctx, mask, declared=declared, agreed=agreed.to_numpy(), start="valid_from")


def _max_tariffs(ctx: Context):
    """Per segment: the funder's maximum (cents) for the case on the segment's last day, and
    its source; -1 where no maximum is known. Funder and product rows beat general ones."""
    return _cached(ctx, _find_max_tariffs)


def _find_max_tariffs(ctx: Context):
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
    source="funder's maximum tariffs (tarieventabel); Regeling langdurige zorg for Wlz",
    valid_from=TREKKINGSRECHT,
    params={
        "rate": Param.MONEY,
        "maximum": Param.MONEY,
        "class": Param.CARER_CLASS,
        "source": Param.TEXT,
    },
)
def rate_above_maximum(ctx: Context):
    s = ctx.segments
    maximum, source = _max_tariffs(ctx)
    mask = s["has_version"].to_numpy() & (maximum >= 0) & (s["agreed_cents"].to_numpy() > maximum)
    return _segments(
        ctx, mask, rate="agreed_cents", maximum=maximum, **{"class": "carer_class"}, source=source
    )


@rule(
    code="rate.maximum_unknown",
    severity=INFO,
    title=_("No maximum tariff known"),
    message=_(
        "No maximum tariff of the funder is registered for %(class)s on %(day)s; the rate was "
        "not checked against one."
    ),
    fix=_("Ask the back office to add the funder's tariff table for this period."),
    source="funder's maximum tariffs (tarieventabel)",
    valid_from=TREKKINGSRECHT,
    params={"class": Param.CARER_CLASS, "day": Param.DATE},
)
def maximum_unknown(ctx: Context):
    s = ctx.segments
    maximum, _source = _max_tariffs(ctx)
    mask = s["has_version"].to_numpy() & (maximum < 0)
    return _segments(ctx, mask, **{"class": "carer_class"}, day="last_date")


def _minimum_wage(ctx: Context):
    return _cached(ctx, _find_minimum_wage)


def _find_minimum_wage(ctx: Context):
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
    ages = _ages_at(s["birth_date"], s["last_date"])
    wage = ctx.figure(FigureKind.MINIMUM_WAGE, s["last_date"], ages=ages)
    allowance = ctx.figure(FigureKind.HOLIDAY_ALLOWANCE_PCT, s["last_date"])
    with_allowance = (wage * (10_000 + np.maximum(allowance, 0)) + 5_000) // 10_000
    minimum = np.where(s["holiday_pay"].to_numpy(), with_allowance, wage)
    minimum = np.where((wage < 0) | (ages < 0), -1, minimum)
    return applies.to_numpy() & (ages >= 0), minimum, ages


def _ages_at(birth: pd.Series, on: pd.Series) -> np.ndarray:
    from .engine import _ages

    return _ages(birth, on)


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
def below_minimum_wage(ctx: Context):
    applies, minimum, ages = _minimum_wage(ctx)
    rate = ctx.segments["min_rate_cents"].to_numpy()
    mask = applies & (minimum >= 0) & (rate < minimum)
    return _segments(ctx, mask, rate=rate, minimum=minimum, age=ages, day="last_date")


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
def minimum_wage_unknown(ctx: Context):
    applies, minimum, ages = _minimum_wage(ctx)
    return _segments(ctx, applies & (minimum < 0), day="last_date", age=ages)


# --- money -------------------------------------------------------------------------------------


@rule(
    code="amount.arithmetic",
    severity=ERROR,
    title=_("Amount does not add up"),
    message=_("The amount should be %(expected)s but is %(amount)s."),
    fix=_("Draft the declaration again so its amounts are recalculated."),
    source=SVB_DECLARING + ": the total equals hours times rate",
    valid_from=TREKKINGSRECHT,
    params={"expected": Param.MONEY, "amount": Param.MONEY},
)
def arithmetic(ctx: Context):
    lines = ctx.lines
    product = lines["quantity_c"].to_numpy() * lines["rate_cents"].to_numpy()
    expected = np.sign(product) * ((np.abs(product) + 50) // 100)  # half up, to the cent
    amount = lines["amount_cents"].to_numpy()
    line_offences = _lines(ctx, expected != amount, expected=expected, amount=amount)
    d = ctx.declarations
    care = (
        lines.groupby("declaration_id")["amount_cents"].sum().reindex(d["declaration_id"]).fillna(0)
    ).to_numpy()
    expected_total = care + d["travel_cents"].to_numpy() + d["other_cents"].to_numpy()
    total = d["total_cents"].to_numpy()
    totals = _declarations(ctx, expected_total != total, expected=expected_total, amount=total)
    return pd.concat([line_offences, totals], ignore_index=True)


@rule(
    code="costs.travel_not_agreed",
    severity=ERROR,
    title=_("Travel costs not agreed"),
    message=_(
        "Travel costs of %(amount)s are declared, but the agreement has no travel allowance."
    ),
    fix=_("Remove the travel costs, or add the travel allowance to the agreement first."),
    source="the care agreement; PGB Portaal: travel costs beside care",
    valid_from=TREKKINGSRECHT,
    params={"amount": Param.MONEY},
)
def travel_not_agreed(ctx: Context):
    d = ctx.declarations
    versions = ctx.inp.versions
    in_force = d[["declaration_id", "agreement_id", "month_end"]].merge(
        versions[["agreement_id", "valid_from", "valid_to", "travel_allowance_cents"]],
        on="agreement_id",
        how="left",
    )
    month_start = in_force["month_end"] - pd.offsets.MonthBegin(1)
    holds = (in_force["valid_from"] <= in_force["month_end"]) & (
        in_force["valid_to"].isna() | (in_force["valid_to"] >= month_start)
    )
    agreed = in_force[holds & (in_force["travel_allowance_cents"] >= 0)]["declaration_id"].unique()
    has_travel = (d["travel_cents"] > 0) | (d["travel_km_c"] > 0)
    mask = (has_travel & ~d["declaration_id"].isin(agreed)).to_numpy()
    return _declarations(ctx, mask, amount="travel_cents")


def _budget_use(ctx: Context) -> pd.DataFrame:
    return _cached(ctx, _find_budget_use)


def _find_budget_use(ctx: Context) -> pd.DataFrame:
    """Per declaration: cents of the grant used including it (other declarations, fixed monthly
    pay and the run's earlier months), and the grant."""
    d = ctx.declarations[["declaration_id", "budget_id", "month", "total_cents"]]
    d = d[d["budget_id"] != -1].merge(ctx.inp.budgets, on="budget_id")
    d = d.sort_values(["budget_id", "month", "declaration_id"], kind="stable")
    running = d.groupby("budget_id")["total_cents"].cumsum()
    return d.assign(used=(d["used_cents"] + d["fixed_cents"] + running).astype(np.int64))


@rule(
    code="budget.exceeded",
    severity=ERROR,
    title=_("Grant exceeded"),
    message=_(
        "With this declaration %(used)s of the grant of %(granted)s is used (declarations and "
        "fixed monthly pay): %(over)s more than granted."
    ),
    fix=_(
        "Declare less, or ask the funder for more budget: the SVB does not pay beyond the grant."
    ),
    source="SVB: the SVB cannot pay more than the total budget (valkenburg.nl pgb FAQ)",
    valid_from=TREKKINGSRECHT,
    params={"used": Param.MONEY, "granted": Param.MONEY, "over": Param.MONEY},
)
def budget_exceeded(ctx: Context):
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


@rule(
    code="budget.nearly_exhausted",
    severity=WARNING,
    title=_("Grant nearly used up"),
    message=_(
        "With this declaration %(used)s of the grant of %(granted)s is used (%(percent)s%%); "
        "less than %(left)s is left."
    ),
    fix=_("Plan the remaining care within the grant, or talk to the funder in time."),
    source="pgb-admin: warning threshold (a dated figure)",
    valid_from=TREKKINGSRECHT,
    params={
        "used": Param.MONEY,
        "granted": Param.MONEY,
        "percent": Param.NUMBER,
        "left": Param.MONEY,
    },
)
def budget_nearly_exhausted(ctx: Context):
    use = _budget_use(ctx)
    threshold = ctx.figure(FigureKind.BUDGET_NEARLY_EXHAUSTED_PCT, use["month"])
    granted = use["budget_cents"].to_numpy()
    used = use["used"].to_numpy()
    mask = (
        (threshold > 0) & (used * 10_000 >= granted * threshold) & (used <= granted) & (granted > 0)
    )
    use = use[mask]
    percent = (used[mask] * 100) // np.maximum(granted[mask], 1)
    return pd.DataFrame(
        {
            "declaration_id": use["declaration_id"],
            "care_date": pd.NaT,
            "month": use["month"],
            "used": use["used"],
            "granted": use["budget_cents"],
            "percent": percent,
            "left": use["budget_cents"] - use["used"],
        }
    )


# --- the declaration itself ------------------------------------------------------------------


@rule(
    code="declaration.second_for_month",
    severity=ERROR,
    title=_("Second declaration for the month"),
    message=_(
        "Declaration %(other)s already covers this agreement and month; the SVB takes one "
        "declaration per agreement per month."
    ),
    fix=_("Delete this one, or make it a correction of declaration %(other)s."),
    source="PGB Portaal: one declaration per agreement per month",
    valid_from=TREKKINGSRECHT,
    params={"other": Param.NUMBER},
)
def second_for_month(ctx: Context):
    every = ctx.inp.declarations
    first = every.groupby(["agreement_id", "month"])["declaration_id"].min().rename("first_id")
    d = ctx.declarations.join(first, on=["agreement_id", "month"])
    mask = ((d["declaration_id"] != d["first_id"]) & (d["corrects_id"] == -1)).to_numpy()
    return _offences(d, mask, None, {"other": "first_id"})


def _iban_is_valid(ibans: pd.Series) -> np.ndarray:
    """ISO 13616 mod-97 over many IBANs at once (an NL IBAN also needs 18 characters); each
    distinct IBAN is checked once (many declarations share a provider)."""
    which, distinct = pd.factorize(ibans.fillna("").astype(str))
    text = pd.Series(distinct, dtype=str).str.upper().str.replace(" ", "", regex=False)
    lengths = text.str.len().to_numpy()
    rearranged = (text.str[4:] + text.str[:4]).to_numpy().astype("U34")
    # one row per character position: contiguous columns for the loop
    codes = rearranged.view(np.uint32).reshape(len(text), 34).T.astype(np.int64)
    digit = (codes >= 48) & (codes <= 57)
    letter = (codes >= 65) & (codes <= 90)
    bad_character = ~(digit | letter | (codes == 0)).all(axis=0)
    # a digit appends one decimal place, a letter (A=10 … Z=35) two; anything else nothing
    factor = np.where(digit, 10, np.where(letter, 100, 1))
    value = np.where(digit, codes - 48, np.where(letter, codes - 55, 0))
    remainder = np.zeros(len(text), dtype=np.int64)
    for position in range(34):
        remainder = (remainder * factor[position] + value[position]) % 97
    dutch = text.str.startswith("NL").to_numpy()
    good_length = np.where(dutch, lengths == 18, (lengths >= 15) & (lengths <= 34))
    country = text.str[:2].str.isalpha().to_numpy() & text.str[2:4].str.isdigit().to_numpy()
    valid = (remainder == 1) & ~bad_character & good_length & country
    return valid[which]


@rule(
    code="provider.iban_invalid",
    severity=ERROR,
    title=_("Provider's IBAN not valid"),
    message=_("The provider's IBAN %(iban)s is not valid: the SVB cannot pay to it."),
    fix=_("Correct the provider's IBAN."),
    source="ISO 13616 (IBAN mod-97)",
    valid_from=TREKKINGSRECHT,
    params={"iban": Param.TEXT},
)
def iban_invalid(ctx: Context):
    d = ctx.declarations
    mask = ~_iban_is_valid(d["iban"])
    text = d["iban"].fillna("").astype(str)[mask]  # only the invalid ones are shown
    hidden = (text.str.len() - VISIBLE_CHARACTERS).clip(lower=0)
    masked = np.full(len(d), "", dtype=object)
    masked[mask] = (
        pd.Series("*", index=text.index).str.repeat(hidden) + text.str[-VISIBLE_CHARACTERS:]
    ).to_numpy()
    return _declarations(ctx, mask, iban=masked)
