"""Rules on the calendar: care that has passed, declared in time, and public holidays."""

from django.utils.translation import gettext_lazy as _

import numpy as np
import pandas as pd

from pgb_admin.figures.constants import FigureKind

from ..engine import Context
from ..registry import Param, rule
from ._common import (
    ERROR,
    INFO,
    SVB_DECLARING,
    TREKKINGSRECHT,
    WARNING,
    offences_of,
    on_declarations,
    on_lines,
    source_of,
)


@rule(
    code="declaration.month_not_over",
    severity=ERROR,
    title=_("Month not over"),
    message=_("The month ends on %(end)s: the SVB pays care only after the period has passed."),
    fix=_("Declare the month after it has ended."),
    source=source_of(SVB_DECLARING, _("always afterwards")),
    valid_from=TREKKINGSRECHT,
    params={"end": Param.DATE},
)
def month_not_over(ctx: Context) -> pd.DataFrame:
    d = ctx.declarations
    return on_declarations(ctx, (d["month_end"] >= ctx.today).to_numpy(), end="month_end")


@rule(
    code="entry.in_future",
    severity=ERROR,
    title=_("Care in the future"),
    message=_("%(day)s lies in the future: only care that was given can be declared."),
    fix=_("Remove the entry, or correct its date."),
    source=source_of(SVB_DECLARING, _("always afterwards")),
    valid_from=TREKKINGSRECHT,
    params={"day": Param.DATE},
)
def care_in_future(ctx: Context) -> pd.DataFrame:
    return on_lines(ctx, (ctx.lines["care_date"] > ctx.today).to_numpy())


@rule(
    code="declaration.late",
    severity=WARNING,
    title=_("Late declaration"),
    message=_(
        "The deadline for this month was %(deadline)s (%(weeks)s weeks after the month): the "
        "provider hands in within 6 weeks and the holder submits within 4 weeks."
    ),
    fix=_("Submit it as soon as possible; the SVB or funder may refuse late declarations."),
    source=_("SVB: Correct declareren (6 + 4 weeks)"),
    valid_from=TREKKINGSRECHT,
    params={"deadline": Param.DATE, "weeks": Param.NUMBER},
)
def late(ctx: Context) -> pd.DataFrame:
    d = ctx.declarations
    month_end = d["month_end"].to_numpy()
    weeks = (
        ctx.figure(FigureKind.DECLARATION_DEADLINE_PROVIDER_WEEKS, month_end)
        + ctx.figure(FigureKind.DECLARATION_DEADLINE_HOLDER_WEEKS, month_end)
    ) // 100
    deadline = d["month_end"] + pd.to_timedelta(weeks * 7, unit="D")
    mask = (weeks > 0) & (ctx.today > deadline).to_numpy()
    return on_declarations(ctx, mask, deadline=deadline.to_numpy(), weeks=weeks)


@rule(
    code="declaration.prior_year_late",
    severity=WARNING,
    title=_("Declared after the grant year's deadline"),
    message=_(
        "Care of %(year)s had to be declared before %(deadline)s, when the care office settles "
        "the year (subsidievaststelling)."
    ),
    fix=_("Contact the care office: it may no longer pay this declaration."),
    source=_("Zilveren Kruis zorgkantoor: beschikking subsidievaststelling (before 1 April)"),
    valid_from=TREKKINGSRECHT,
    params={"year": Param.NUMBER, "deadline": Param.DATE},
)
def prior_year_late(ctx: Context) -> pd.DataFrame:
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
    return offences_of(d, mask, None, {"year": calendar_year, "deadline": deadline})


@rule(
    code="calendar.public_holiday",
    severity=INFO,
    title=_("Care on a public holiday"),
    message=_("%(day)s is a public holiday; check any holiday surcharge agreed."),
    fix=_("Nothing to do unless a surcharge applies."),
    source=_("Dutch public holidays (python-holidays)"),
    valid_from=TREKKINGSRECHT,
    params={"day": Param.DATE},
)
def public_holiday(ctx: Context) -> pd.DataFrame:
    return on_lines(ctx, np.isin(ctx.lines["care_date"].to_numpy(), ctx.inp.holidays))
