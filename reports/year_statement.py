"""The year statement (jaaroverzicht) of a budget holder, per grant, for the funder's
accounting: what was granted, what each provider was paid per month, the holiday allowance
and employer costs the SVB added, the verantwoordingsvrij bedrag claimed, and what is left
unused.

The grant figures are the exhaustion report's (:mod:`reports.holders`) and the months' sums
come from the same ``spend`` frame, so the statement equals the reports to the cent. Money in
the result is ``Decimal`` (two places); months are the first day of the month.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd

from pgb_admin.budgets.models import Budget, BudgetHolder
from pgb_admin.core.money import from_cents

from .exhaustion import EXTRAS
from .frames import EMPLOYER_COSTS, FREE_AMOUNT, HOLIDAY_ALLOWANCE, ReportData, pairs
from .holders import ExhaustionReport, Thresholds
from .labels import grant_text
from .reconciliation.constants import AGREEING, DifferenceKind, Resolution
from .reconciliation.models import Difference

BALANCE_KINDS = (DifferenceKind.BALANCE_AGREES, DifferenceKind.BALANCE_DIFFERS)

# the spend rows that are care paid to a provider (declarations counted and fixed monthly pay)
NOT_CARE = (*EXTRAS, FREE_AMOUNT)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class StatementMonth:
    month: date
    by_provider: list[Decimal]  # in the order of the grant's ``providers``
    holiday_allowance: Decimal
    employer_costs: Decimal
    free_amount: Decimal
    total: Decimal


@dataclass(frozen=True)
class StatementGrant:
    budget: Budget
    title: str
    granted: Decimal
    paid: Decimal  # recorded as paid, fixed pay, employer costs, free amount
    declared_unpaid: Decimal  # validated, ready to declare or declared, not recorded as paid
    reserved: Decimal  # holiday allowance reserved by the SVB
    used: Decimal
    not_used: Decimal
    holiday_allowance: Decimal
    employer_costs: Decimal
    employer_costs_known: bool
    free_amount: dict[str, Any] | None
    providers: list[tuple[int, str, Decimal]]  # id, name, total in the year
    months: list[StatementMonth]
    holiday_allowance_in_year: Decimal
    employer_costs_in_year: Decimal
    free_amount_in_year: Decimal
    year_total: Decimal
    outside_year: Decimal

    @property
    def shows_employment_costs(self) -> bool:
        """Whether the months show holiday allowance and employer costs (an employment's)."""
        return bool(self.holiday_allowance_in_year or self.employer_costs_in_year)

    @property
    def shows_free_amount(self) -> bool:
        """Whether the months show money of the verantwoordingsvrij bedrag paid out."""
        return bool(
            self.free_amount_in_year
        )  # used in months of the grant outside the statement's year


@dataclass(frozen=True)
class MatchCount:
    """How many agreement months of a grant had one outcome of matching the SVB's (or the
    insurer's) overviews, the money of those that differ, and how many are still open."""

    kind: str
    label: str
    count: int
    amount: Decimal
    open: int


@dataclass(frozen=True)
class SvbMatch:
    outcomes: list[MatchCount]
    balance_ours: Decimal | None = None  # the grant's balance here and at the SVB, last matched
    balance_theirs: Decimal | None = None

    @property
    def matched(self) -> bool:
        return bool(self.outcomes) or self.balance_theirs is not None


@dataclass(frozen=True)
class YearStatement:
    holder: BudgetHolder
    year: int
    made_on: date
    grants: list[StatementGrant]
    totals: dict[str, Decimal] = field(default_factory=dict)
    matches: dict[int, SvbMatch] = field(default_factory=dict)  # per grant
    documents: list[Any] = field(default_factory=list)  # the archive's, in date order


def svb_matches(differences: Sequence[Difference]) -> dict[int, SvbMatch]:
    """Per grant, the outcomes of matching the overviews: agreement months by kind (in the
    order of the kinds) and the budget balance, from the reconciliation's current rows."""
    counts: dict[tuple[int, str], list] = {}
    balances: dict[int, Difference] = {}
    for row in differences:
        if row.budget_id is None:
            continue
        if row.kind in BALANCE_KINDS:
            balances[row.budget_id] = row
            continue
        entry = counts.setdefault((row.budget_id, row.kind), [0, ZERO, 0])
        entry[0] += 1
        entry[1] += _money_of(row)
        entry[2] += row.resolution == Resolution.OPEN and row.kind not in AGREEING
    result = {}
    for budget_id in {key[0] for key in counts} | set(balances):
        outcomes = [
            MatchCount(kind, str(kind.label), *counts[(budget_id, kind)])
            for kind in DifferenceKind
            if (budget_id, kind) in counts
        ]
        balance = balances.get(budget_id)
        result[budget_id] = SvbMatch(
            outcomes,
            balance_ours=None if balance is None else balance.ours,
            balance_theirs=None if balance is None else balance.theirs,
        )
    return result


def _money_of(row: Difference) -> Decimal:
    """What an outcome is worth: the difference paid, the declaration not paid, the payment
    without a declaration here; the amount paid when it agrees."""
    if row.kind == DifferenceKind.NOT_PAID:
        return row.ours or ZERO
    if row.kind in (DifferenceKind.PAID_WITHOUT_DECLARATION, DifferenceKind.PAID_AS_DECLARED):
        return row.theirs or ZERO
    return row.difference


def year_statement(
    holder: BudgetHolder,
    data: ReportData,
    grants: list[Budget],
    *,
    year: int,
    made_on: date,
    thresholds: Thresholds,
    differences: Sequence[Difference] = (),
    documents: Sequence[Any] = (),
) -> YearStatement:
    """The statement of ``grants`` (those of the holder in ``data``, with their funder)."""
    report = ExhaustionReport.build(holder, data, year=year, thresholds=thresholds).as_dict()
    by_id = {grant.pk: grant for grant in grants}
    names = dict(zip(data.providers["provider_id"], data.providers["name"], strict=True))
    in_year = data.spend[data.spend["month"].dt.year == year]
    statement_grants = [
        _grant(by_id[row["budget"]], row, in_year, names, year)
        for row in report["grants"]
        if row["budget"] in by_id
    ]
    totals = {
        name: sum((getattr(grant, name) for grant in statement_grants), ZERO)
        for name in (
            "granted", "paid", "declared_unpaid", "reserved", "used", "not_used",
            "holiday_allowance", "employer_costs", "year_total",
        )
    }  # fmt: skip
    return YearStatement(
        holder,
        year,
        made_on,
        statement_grants,
        totals,
        matches=svb_matches(differences),
        documents=list(documents),
    )


def _grant(
    budget: Budget, row: dict[str, Any], in_year: pd.DataFrame, names: dict, year: int
) -> StatementGrant:
    spend = in_year[in_year["budget_id"] == budget.pk]
    care = spend[~spend["status"].isin(NOT_CARE)]
    by_provider = care.groupby("provider_id")["cents"].sum().sort_values(ascending=False)
    provider_ids = [int(pk) for pk, _cents in pairs(by_provider)]
    providers = [
        (pk, str(names.get(pk, "")), from_cents(int(by_provider[pk]))) for pk in provider_ids
    ]
    months = _months(spend, care, provider_ids)
    year_total = sum((month.total for month in months), ZERO)
    used = Decimal(row["used"])
    costs = row["employment_costs"]
    return StatementGrant(
        budget=budget,
        title=grant_text(budget.scheme, budget.start_date, budget.end_date),
        granted=Decimal(row["granted"]),
        paid=Decimal(row["paid"]),
        declared_unpaid=Decimal(row["validated_unpaid"]),
        reserved=Decimal(row["reserved"]),
        used=used,
        not_used=Decimal(row["remaining"]),
        holiday_allowance=Decimal(costs["holiday_allowance"]["used"]),
        employer_costs=Decimal(costs["employer_costs"]["used"]),
        employer_costs_known=costs["employer_costs"]["known"],
        free_amount=row["free_amount"],
        providers=providers,
        months=months,
        holiday_allowance_in_year=sum((m.holiday_allowance for m in months), ZERO),
        employer_costs_in_year=sum((m.employer_costs for m in months), ZERO),
        free_amount_in_year=sum((m.free_amount for m in months), ZERO),
        year_total=year_total,
        outside_year=used - year_total,
    )


def _months(
    spend: pd.DataFrame, care: pd.DataFrame, provider_ids: list[int]
) -> list[StatementMonth]:
    """One row per month of the year with spend on the grant, in order."""
    month_of = spend["month"]
    care_cells = care.groupby([care["month"], "provider_id"])["cents"].sum()
    by_status = spend.groupby([month_of, "status"])["cents"].sum()
    totals = spend.groupby(month_of)["cents"].sum()
    result = []
    for stamp, cents in pairs(totals):

        def status_cents(status: str, stamp=stamp) -> Decimal:
            return from_cents(int(by_status.get((stamp, status), 0)))

        result.append(
            StatementMonth(
                month=pd.Timestamp(stamp).date(),
                by_provider=[
                    from_cents(int(care_cells.get((stamp, pk), 0))) for pk in provider_ids
                ],
                holiday_allowance=status_cents(HOLIDAY_ALLOWANCE),
                employer_costs=status_cents(EMPLOYER_COSTS),
                free_amount=status_cents(FREE_AMOUNT),
                total=from_cents(int(cents)),
            )
        )
    return result
