"""Rules on the amounts: positive lines, totals that add up, travel costs that were agreed."""

from django.utils.translation import gettext_lazy as _

import numpy as np
import pandas as pd

from ..engine import Context
from ..registry import Param, rule
from ._common import (
    ERROR,
    SVB_DECLARING,
    TREKKINGSRECHT,
    on_declarations,
    on_lines,
    source_of,
)


@rule(
    code="value.not_positive",
    severity=ERROR,
    title=_("Zero or negative value"),
    message=_("The line of %(day)s has quantity %(quantity)s at rate %(rate)s."),
    fix=_("Remove days without care and give every line a positive quantity and rate."),
    source=source_of(SVB_DECLARING, _("the total is quantity times rate")),
    valid_from=TREKKINGSRECHT,
    params={"day": Param.DATE, "quantity": Param.HOURS, "rate": Param.MONEY},
)
def not_positive(ctx: Context) -> pd.DataFrame:
    quantity = ctx.lines["quantity_c"].to_numpy()
    rate = ctx.lines["rate_cents"].to_numpy()
    return on_lines(ctx, (quantity <= 0) | (rate <= 0), quantity=quantity, rate=rate)


@rule(
    code="amount.arithmetic",
    severity=ERROR,
    title=_("Amount does not add up"),
    message=_("The amount should be %(expected)s but is %(amount)s."),
    fix=_("Draft the declaration again so its amounts are recalculated."),
    source=source_of(SVB_DECLARING, _("the total equals hours times rate")),
    valid_from=TREKKINGSRECHT,
    params={"expected": Param.MONEY, "amount": Param.MONEY},
)
def arithmetic(ctx: Context) -> pd.DataFrame:
    lines = ctx.lines
    product = lines["quantity_c"].to_numpy() * lines["rate_cents"].to_numpy()
    expected = np.sign(product) * ((np.abs(product) + 50) // 100)  # half up, to the cent
    amount = lines["amount_cents"].to_numpy()
    line_offences = on_lines(ctx, expected != amount, expected=expected, amount=amount)
    d = ctx.declarations
    care = (
        lines.groupby("declaration_id")["amount_cents"].sum().reindex(d["declaration_id"]).fillna(0)
    ).to_numpy()
    expected_total = care + d["travel_cents"].to_numpy() + d["other_cents"].to_numpy()
    total = d["total_cents"].to_numpy()
    totals = on_declarations(ctx, expected_total != total, expected=expected_total, amount=total)
    return pd.concat([line_offences, totals], ignore_index=True)


@rule(
    code="costs.travel_not_agreed",
    severity=ERROR,
    title=_("Travel costs not agreed"),
    message=_(
        "Travel costs of %(amount)s are declared, but the agreement has no travel allowance."
    ),
    fix=_("Remove the travel costs, or add the travel allowance to the agreement first."),
    source=_("The care agreement; PGB Portaal: travel costs beside care"),
    valid_from=TREKKINGSRECHT,
    params={"amount": Param.MONEY},
)
def travel_not_agreed(ctx: Context) -> pd.DataFrame:
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
    return on_declarations(ctx, mask, amount="travel_cents")
