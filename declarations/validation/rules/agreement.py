"""Rules on the care agreement: a version in force, approved, not paid without a declaration,
and one declaration per agreement and month."""

from django.utils.translation import gettext_lazy as _

import pandas as pd

from contracts.constants import AgreementType
from pgb_admin.figures.constants import RateUnit

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
    source_of,
)


@rule(
    code="agreement.outside_period",
    severity=ERROR,
    title=_("Care outside the agreement"),
    message=_(
        "On %(day)s no version of the care agreement was in force: the agreement starts on "
        "%(start)s and ends %(end)s."
    ),
    fix=_("Remove the care of that day, or register the agreement's period as it really is."),
    source=source_of(SVB_DECLARING, _("care within the agreement's period")),
    valid_from=TREKKINGSRECHT,
    params={"day": Param.DATE, "start": Param.DATE, "end": Param.END_DATE},
)
def outside_agreement(ctx: Context) -> pd.DataFrame:
    lines = ctx.lines
    versions = ctx.inp.versions
    # the agreement's period: its first version's start, its last version's end (NaT: open)
    by_agreement = versions.groupby("agreement_id")
    open_ended = versions["valid_to"].isna().groupby(versions["agreement_id"]).any()
    agreements = lines["agreement_id"]
    start = agreements.map(by_agreement["valid_from"].min()).to_numpy()
    end = agreements.map(by_agreement["valid_to"].max().mask(open_ended)).to_numpy()
    return on_lines(ctx, (lines["version_id"] == -1).to_numpy(), start=start, end=end)


@rule(
    code="agreement.not_approved",
    severity=ERROR,
    title=_("Agreement not approved"),
    message=_(
        "The agreement version from %(start)s is not approved by the funder; the SVB pays only "
        "for approved agreements."
    ),
    fix=_("Wait for the funder's approval, or record the approval once it is given."),
    source=_("PGB Portaal: the municipality or care office assesses agreements and changes"),
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
        "This agreement has fixed monthly pay: the SVB pays the amount every month without a "
        "declaration, so no hours are declared for it."
    ),
    fix=_("Delete this declaration; the monthly amount is paid automatically."),
    source=_(
        "mijnpgb.nl 'Declaraties en maandloon': a fixed monthly amount (vast maandloon or a "
        "fixed monthly fee) is paid automatically, without a declaration"
    ),
    valid_from=TREKKINGSRECHT,
)
def fixed_monthly_pay(ctx: Context) -> pd.DataFrame:
    """A declaration for a month in which a version of its agreement has a rate per month,
    whatever the agreement type (employment, family member, institution)."""
    d = ctx.declarations
    versions = ctx.inp.versions
    monthly = versions.loc[
        versions["version_unit"] == RateUnit.MONTH, ["agreement_id", "valid_from", "valid_to"]
    ]
    pairs = d[["declaration_id", "agreement_id", "month", "month_end"]].merge(
        monthly, on="agreement_id"
    )
    overlaps = (pairs["valid_from"] <= pairs["month_end"]) & (
        pairs["valid_to"].isna() | (pairs["valid_to"] >= pairs["month"])
    )
    covered = set(pairs.loc[overlaps, "declaration_id"])
    mask = (d["agreement_type"] == AgreementType.EMPLOYMENT_FIXED) | d["declaration_id"].isin(
        covered
    )
    return on_declarations(ctx, mask.to_numpy())


@rule(
    code="declaration.second_for_month",
    severity=ERROR,
    title=_("Second declaration for the month"),
    # ``other`` (the first declaration's id) is kept with the finding, not shown: no ids in text
    message=_(
        "Another declaration already covers this agreement and month; the SVB takes one "
        "declaration per agreement per month."
    ),
    fix=_("Delete this one, or make it a correction of the other declaration of this month."),
    source=_("PGB Portaal: one declaration per agreement per month"),
    valid_from=TREKKINGSRECHT,
    params={"other": Param.NUMBER},
)
def second_for_month(ctx: Context) -> pd.DataFrame:
    every = ctx.inp.declarations
    first = every.groupby(["agreement_id", "month"])["declaration_id"].min().rename("first_id")
    d = ctx.declarations.join(first, on=["agreement_id", "month"])
    mask = ((d["declaration_id"] != d["first_id"]) & (d["corrects_id"] == -1)).to_numpy()
    return offences_of(d, mask, None, {"other": "first_id"})
