"""Rules on the care agreement: a version in force, approved, not paid without a declaration,
and one declaration per agreement and month."""

from django.utils.translation import gettext_lazy as _

import pandas as pd

from contracts.constants import AgreementType

from ..engine import Context
from ..registry import Param, rule
from ._common import (
    ERROR,
    SVB_DECLARING,
    TREKKINGSRECHT,
    offences_of,
    on_declarations,
    on_lines,
    on_segments,
)


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
def outside_agreement(ctx: Context) -> pd.DataFrame:
    return on_lines(ctx, (ctx.lines["version_id"] == -1).to_numpy())


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
def not_approved(ctx: Context) -> pd.DataFrame:
    s = ctx.segments
    return on_segments(ctx, (s["has_version"] & ~s["approved"]).to_numpy(), start="valid_from")


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
def fixed_monthly_pay(ctx: Context) -> pd.DataFrame:
    d = ctx.declarations
    return on_declarations(ctx, (d["agreement_type"] == AgreementType.EMPLOYMENT_FIXED).to_numpy())


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
def second_for_month(ctx: Context) -> pd.DataFrame:
    every = ctx.inp.declarations
    first = every.groupby(["agreement_id", "month"])["declaration_id"].min().rename("first_id")
    d = ctx.declarations.join(first, on=["agreement_id", "month"])
    mask = ((d["declaration_id"] != d["first_id"]) & (d["corrects_id"] == -1)).to_numpy()
    return offences_of(d, mask, None, {"other": "first_id"})
