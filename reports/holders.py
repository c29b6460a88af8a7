"""A budget holder's reports: when each grant runs out (exhaustion), and the year's cost
picture (what the grants paid, and the CAK eigen bijdrage the holder pays beside them).

Both take the frames of :mod:`reports.frames` and give plain dicts for JSON, the files and the
pages: money as decimal strings to the cent, dates ISO 8601, months ``YYYY-MM``.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any, Self

from django.utils.translation import gettext_lazy as _

import numpy as np
import pandas as pd

from pgb_admin.budgets.constants import CakExemption, Scheme
from pgb_admin.budgets.models import Budget, BudgetHolder, CareProduct, Funder
from pgb_admin.budgets.selectors import FreeAmount, free_amounts
from pgb_admin.core.dates import format_date
from pgb_admin.core.money import from_cents, to_cents
from pgb_admin.figures.constants import FigureKind
from pgb_admin.figures.models import FigureLookup, StatutoryFigure

from .exhaustion import Thresholds, exhaustion
from .frames import ReportData, pairs, rows


def thresholds_on(day: date) -> Thresholds:
    """The alert levels valid on ``day``; a level without a figure raises no alert."""
    figures = StatutoryFigure.objects
    attention = figures.value_on(FigureKind.BUDGET_ATTENTION_PCT, day)
    nearly = figures.value_on(FigureKind.BUDGET_NEARLY_EXHAUSTED_PCT, day)
    return Thresholds(
        attention=None if attention is None else float(attention),
        nearly_exhausted=None if nearly is None else float(nearly),
    )


def money(cents) -> str | None:
    if cents is None or (isinstance(cents, float) and np.isnan(cents)):
        return None
    return str(from_cents(round(float(cents))))  # exact for cents; projections round


def iso(value) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def month_text(value) -> str:
    stamp = pd.Timestamp(value)
    return f"{stamp.year:04d}-{stamp.month:02d}"


ALERTS = {
    "attention": _("%(pct)s%% of the grant is used."),
    "nearly_exhausted": _("%(pct)s%% of the grant is used: it is nearly exhausted."),
    "exhausted": _("The grant is used up: the SVB pays nothing more from it."),
    "runs_out_early": _("At this pace the grant runs out on %(date)s, before it ends (%(end)s)."),
    "no_budget": _("Nothing is granted: every euro spent is beyond the grant."),
}


EMPLOYER_COSTS_UNKNOWN = _(
    "Employer costs unknown: no employer-costs figure is registered for every month of this "
    "employment, so they are not in these amounts."
)

# SVB "Minimumloon en vakantiegeld" (URL unverified:
# https://www.svb.nl/nl/pgb/werkgeverschap/minimumloon-en-vakantiegeld)
EMPLOYMENT_COSTS_HELP = _(
    "For an employee the SVB adds the holiday allowance (reserved every month, paid out in May "
    "or when the employment ends) unless the agreed rate includes it, and pays the employer "
    "costs from the budget. A declaration states the wage only: do not add the holiday "
    "allowance to the amounts you declare. These amounts count them in used, committed and "
    "the forecast."
)


@dataclass
class ExhaustionReport:
    holder: BudgetHolder
    year: int | None
    data: ReportData
    thresholds: Thresholds
    grants: pd.DataFrame
    months: pd.DataFrame

    @classmethod
    def build(
        cls,
        holder: BudgetHolder,
        data: ReportData,
        *,
        year: int | None = None,
        thresholds: Thresholds,
    ) -> Self:
        grants, months = exhaustion(data, thresholds)
        return cls(holder, year, data, thresholds, grants, months)

    def as_dict(self) -> dict:
        funder_ids = set(self.data.budgets["funder_id"])
        funders = dict(Funder.objects.filter(pk__in=funder_ids).values_list("pk", "code"))
        products = _product_names()
        meta = self.data.budgets.set_index("budget_id")
        free = free_amounts(Budget.objects.filter(pk__in=list(self.data.budgets["budget_id"])))
        grants = []
        for row in rows(self.grants):
            budget = meta.loc[row.budget_id]
            grants.append(
                {
                    "budget": int(row.budget_id),
                    "scheme": budget["scheme"],
                    "funder": funders.get(budget["funder_id"], ""),
                    "start_date": iso(budget["start"]),
                    "end_date": iso(budget["end"]),
                    **{
                        name: money(getattr(row, name))
                        for name in (
                            "granted", "paid", "validated_unpaid", "reserved", "used", "drafts",
                            "committed_fixed", "committed_agreed", "committed", "remaining",
                            "free",
                        )
                    },
                    "employment_costs": self._employment_costs(row),
                    "free_amount": _free_amount(free.get(int(row.budget_id))),
                    "used_pct": None if pd.isna(row.used_pct) else float(row.used_pct),
                    "burn_rate": {
                        "recent": money(row.burn_recent),
                        "overall": money(row.burn_overall),
                        "trend_per_month": money(row.burn_trend),
                        "months": int(row.months_elapsed),
                    },
                    "projection": {
                        name: {
                            "run_out": iso(getattr(row, f"{name}_run_out")),
                            "balance_at_end": money(getattr(row, f"{name}_balance_end")),
                        }
                        for name in ("trend", "agreed")
                    },
                    "alerts": self._alerts(row, budget),
                    "months": self._months(row.budget_id),
                    "by_provider": self._by("provider_id", row.budget_id, self._provider_names()),
                    "by_product": self._by("product_id", row.budget_id, products),
                }
            )  # fmt: skip
        return {
            "holder": {"id": self.holder.pk, "name": self.holder.display_name},
            "year": self.year,
            "reference_month": month_text(self.data.reference),
            "thresholds": {
                "attention_pct": self.thresholds.attention,
                "nearly_exhausted_pct": self.thresholds.nearly_exhausted,
            },
            "totals": {
                name: money(self.grants[name].sum())
                for name in (
                    "granted",
                    "paid",
                    "validated_unpaid",
                    "used",
                    "committed",
                    "remaining",
                )
            },
            "grants": grants,
            "message": "" if grants else str(_("There is no grant in this period.")),
        }

    def _alerts(self, row: Any, budget: pd.Series) -> list[dict[str, str]]:
        alerts: list[tuple[str, dict[str, str]]] = []
        pct = "" if pd.isna(row.used_pct) else f"{row.used_pct:g}"
        if row.no_budget:
            alerts.append(("no_budget", {}))
        elif row.alert_exhausted:
            alerts.append(("exhausted", {}))
        elif row.alert_nearly_exhausted:
            alerts.append(("nearly_exhausted", {"pct": pct}))
        elif row.alert_attention:
            alerts.append(("attention", {"pct": pct}))
        if row.alert_runs_out_early:
            run_out = min(
                value for value in (row.trend_run_out, row.agreed_run_out) if not pd.isna(value)
            )
            alerts.append(
                (
                    "runs_out_early",
                    {"date": format_date(iso(run_out)), "end": format_date(iso(budget["end"]))},
                )
            )
        return [{"code": code, "message": str(ALERTS[code]) % params} for code, params in alerts]

    def _months(self, budget_id) -> list[dict]:
        months = self.months[self.months["budget_id"] == budget_id]
        return [
            {
                "month": month_text(row.month),
                "elapsed": bool(row.elapsed),
                "actual": money(row.actual),
                "actual_cumulative": money(row.actual_cumulative),
                "trend": money(row.trend),
                "trend_cumulative": money(row.trend_cumulative),
                "agreed": money(row.agreed),
                "agreed_cumulative": money(row.agreed_cumulative),
                "holiday_allowance": money(row.holiday_allowance),
                "holiday_allowance_paid_out": money(row.holiday_allowance_paid_out),
                "employer_costs": money(row.employer_costs),
            }
            for row in rows(months)
        ]

    @staticmethod
    def _employment_costs(row: Any) -> dict[str, Any]:
        """An employment's costs beside the wage, apart: the holiday allowance (reserved
        monthly, paid out in May) and the employer costs the SVB pays from the budget, used so
        far and committed ahead, for fixed pay and for hourly employment (whose declarations
        state the wage: the SVB adds these on top). Without an employer-costs figure for a
        month they are unknown: said so, not counted as nothing."""
        unknown = bool(row.employer_costs_unknown)
        return {
            "holiday_allowance": {
                "used": money(row.used_holiday_allowance),
                "committed": money(row.committed_holiday_allowance),
            },
            "employer_costs": {
                "used": money(row.used_employer_costs),
                "committed": money(row.committed_employer_costs),
                "known": not unknown,
            },
            "message": str(EMPLOYER_COSTS_UNKNOWN) if unknown else "",
            "help": str(EMPLOYMENT_COSTS_HELP),
        }

    def _by(self, column: str, budget_id, names: dict) -> list[dict]:
        spend = self.data.spend[self.data.spend["budget_id"] == budget_id]
        sums = spend.groupby(column)["cents"].sum().sort_values(ascending=False)
        return [
            {"id": int(key), "name": names.get(int(key), ""), "used": money(cents)}
            for key, cents in pairs(sums)
        ]

    def _provider_names(self) -> dict[int, str]:
        providers = self.data.providers
        return dict(zip(providers["provider_id"], providers["name"], strict=True))


FREE_AMOUNT_UNKNOWN = _(
    "No verantwoordingsvrij figure is registered for this grant's scheme: the bedrag is unknown."
)


def _free_amount(free: FreeAmount | None) -> dict[str, Any] | None:
    """The verantwoordingsvrij bedrag of a Wlz or Zvw grant (None for other grants)."""
    if free is None:
        return None
    return {
        "allowed": None if free.allowed is None else str(free.allowed),
        "claimed": str(free.claimed),
        "remaining": None if free.remaining is None else str(free.remaining),
        "message": "" if free.allowed is not None else str(FREE_AMOUNT_UNKNOWN),
    }


def _product_names() -> dict[int, str]:
    return {product.pk: product.name for product in CareProduct.objects.all()}


def year_costs(holder: BudgetHolder, data: ReportData, *, year: int) -> dict:
    """The year's cost picture: per month what the grants paid (declarations counted and fixed
    monthly pay) and, for Wmo, the CAK abonnementstarief the holder pays beside the budget,
    from the month after a Wmo grant starts. A month the CAK charges nothing shows why instead
    of an amount (:func:`cak_exemption`). Households are not known here: the
    abonnementstarief is per household, so a household with two holders pays it once."""
    spend = data.spend
    in_year = spend[spend["month"].dt.year == year]
    by_month = in_year.groupby(in_year["month"].dt.month)["cents"].sum()
    wmo = data.budgets[data.budgets["scheme"] == Scheme.WMO]
    wlz = data.budgets[data.budgets["scheme"] == Scheme.WLZ]
    months, contributions, figures = [], 0, FigureLookup()
    for number in range(1, 13):
        first = date(year, number, 1)
        contribution, exemption = _contribution(holder, wmo, wlz, first, figures)
        contributions += contribution
        months.append(
            {
                "month": f"{year:04d}-{number:02d}",
                "budget_spend": money(by_month.get(number, 0)),
                "eigen_bijdrage": None if exemption else money(contribution),
                "exemption": exemption,
            }
        )
    spent = int(in_year["cents"].sum())
    used_in_year = in_year.groupby("budget_id")["cents"].sum()
    return {
        "holder": {"id": holder.pk, "name": holder.display_name},
        "year": year,
        "months": months,
        "totals": {
            "budget_spend": money(spent),
            "eigen_bijdrage": money(contributions),
            "total": money(spent + contributions),
        },
        "grants": [
            {
                "budget": int(row.budget_id),
                "scheme": row.scheme,
                "granted": money(row.granted),
                "used_in_year": money(used_in_year.get(row.budget_id, 0)),
            }
            for row in rows(data.budgets)
        ],
        "notes": [
            str(
                _(
                    "The CAK abonnementstarief is charged per household: a household with more "
                    "than one holder pays it once. The CAK may exempt some households (a partner "
                    "below the AOW age, a Wlz contribution)."
                )
            )
        ],
    }


UNDER_18 = "under_18"
CAK_EXEMPTION_TEXT = {
    UNDER_18: _("No contribution: a provision for a child under 18"),
    CakExemption.WLZ_CONTRIBUTION: _("No contribution: already pays a Wlz contribution"),
    CakExemption.PARTNER_BELOW_PENSION_AGE: _(
        "No contribution: a partner below the state pension age (low income)"
    ),
    CakExemption.WHEELCHAIR_ONLY: _("No contribution: only a wheelchair"),
    CakExemption.MUNICIPAL_SCHEME: _("No contribution: exempted by the municipality"),
}


def cak_exemption(holder: BudgetHolder, wlz_grants: pd.DataFrame, first: date) -> str:
    """Why the CAK charges the holder no Wmo abonnementstarief in the month starting
    ``first`` ("" when it does). Uitvoeringsbesluit Wmo 2015 art. 3.8 (hetcak.nl "Wanneer
    betaalt u geen eigen bijdrage"): no contribution for a provision for a child under 18, for
    someone who already pays a Wlz contribution (here: a Wlz grant in the report covers the
    month), and for the holder's recorded exemption (``BudgetHolder.cak_exemption``). Only the
    grants in the report count, so a report never tells of a grant its reader may not see."""
    if _age_on(holder.date_of_birth, first) < 18:
        return UNDER_18
    ts, last = pd.Timestamp(first), pd.Timestamp(first) + pd.offsets.MonthEnd(0)
    if ((wlz_grants["start"] <= last) & (wlz_grants["end"] >= ts)).any():
        return CakExemption.WLZ_CONTRIBUTION
    return holder.cak_exemption or ""


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _contribution(
    holder: BudgetHolder, wmo_grants: pd.DataFrame, wlz_grants: pd.DataFrame, first: date, figures
) -> tuple[int, dict[str, str] | None]:
    """Cents of CAK abonnementstarief for the month starting ``first`` and, when the holder
    is exempt, the reason (code and text) with 0 cents."""
    ts = pd.Timestamp(first)
    running = wmo_grants[(wmo_grants["start"] < ts) & (wmo_grants["end"] >= ts)]
    # collected from the month after the grant starts
    started_before = running[running["start"].dt.to_period("M") < ts.to_period("M")]
    if started_before.empty:
        return 0, None
    code = cak_exemption(holder, wlz_grants, first)
    if code:
        text = CAK_EXEMPTION_TEXT.get(code) or CakExemption(code).label
        return 0, {"code": str(code), "reason": str(text)}
    amount = figures.value_on(FigureKind.CAK_ABONNEMENTSTARIEF, first, scheme=Scheme.WMO)
    return (0 if amount is None else to_cents(amount)), None
