"""Fixed monthly amounts, which the SVB pays every month without a declaration, and what an
employment costs the grant beside the wage.

- Every agreement with a rate per month (employment with fixed monthly pay, a family member
  or an institution paid a monthly amount) counts against its grant in each month of the
  version, pro rata by day for a month it runs partly (mijnpgb.nl "Declaraties en maandloon":
  a fixed monthly amount is paid automatically, no hours declaration).
- An employment adds the holiday allowance (``holiday_allowance_pct`` of the gross wage, a
  dated figure) unless the agreed rate includes it. The SVB reserves it from the budget every
  month and pays it out in May, or when the agreement ends before May ("paid out" month).
- An employment adds the employer costs the SVB pays from the budget
  (``employer_costs_pct`` of the gross wage). Without a figure for the month the row says so
  (``known`` False, 0 cents) so that a report shows "employer costs unknown" instead of
  counting nothing silently.

Rounding: each component is rounded to the cent per month (half up) from the month's wage.
"""

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db.models import Count, Max

from contracts.constants import EMPLOYMENT_TYPES
from contracts.models import AgreementVersion
from pgb_admin.core.money import to_cents
from pgb_admin.core.periods import month_end, month_start, next_month
from pgb_admin.figures.constants import FigureKind, RateUnit
from pgb_admin.figures.models import FigureLookup

WAGE = "wage"
HOLIDAY_ALLOWANCE = "holiday_allowance"
EMPLOYER_COSTS = "employer_costs"
COMPONENTS = (WAGE, HOLIDAY_ALLOWANCE, EMPLOYER_COSTS)
PAYOUT_MONTH = 5  # the SVB pays the reserved holiday allowance out in May


class FixedPayMonth(NamedTuple):
    budget_id: int
    agreement_id: int
    provider_id: int
    product_id: int
    month: date
    cents: int
    component: str = WAGE
    known: bool = True  # False: no figure for the month (employer costs unknown), cents 0
    paid_out: date | None = None  # holiday allowance: the month it is paid out


def percent_of(cents: int, pct: Decimal) -> int:
    """``pct`` percent of ``cents``, rounded half up to the cent."""
    return int((Decimal(cents) * pct / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def payout_month(month: date, agreement_end: date | None) -> date:
    """When the holiday allowance reserved in ``month`` is paid: the next May (this month if
    it is May), or the last month of the agreement if it ends before that."""
    year = month.year if month.month <= PAYOUT_MONTH else month.year + 1
    may = date(year, PAYOUT_MONTH, 1)
    if agreement_end is not None and month_start(agreement_end) < may:
        return month_start(agreement_end)
    return may


def fixed_pay_months(budget_ids: Iterable[int]) -> list[FixedPayMonth]:
    """Per version with a rate per month and each month of its grant it runs: the amount, and
    for an employment the holiday allowance and employer costs (see the module). A fixed
    number of queries plus one per figure period (:class:`FigureLookup`)."""
    months: list[FixedPayMonth] = []
    versions = list(
        AgreementVersion.objects.filter(budget_id__in=budget_ids, unit=RateUnit.MONTH)
        .select_related("budget", "agreement")
        .order_by("pk")
    )
    ends = _agreement_ends({v.agreement_id for v in versions})
    figures = FigureLookup()
    cache: dict[tuple[str, str, date], Decimal | None] = {}

    def figure(kind: str, day: date, scheme: str) -> Decimal | None:
        key = (kind, scheme, day)
        if key not in cache:
            cache[key] = figures.value_on(kind, day, scheme=scheme)
        return cache[key]

    for version in versions:
        budget = version.budget
        employment = version.agreement.agreement_type in EMPLOYMENT_TYPES
        start = max(version.valid_from, budget.start_date)
        end = min(version.valid_to or budget.end_date, budget.end_date)
        day = month_start(start)
        while day <= end:
            last = month_end(day)
            covered = (min(end, last) - max(start, day)).days + 1
            days_in_month = (last - day).days + 1
            cents = round(to_cents(version.rate) * covered / days_in_month)
            row = FixedPayMonth(
                budget.pk,
                version.agreement_id,
                version.agreement.provider_id,
                version.product_id,
                day,
                cents,
            )
            months.append(row)
            if employment:
                on = max(start, day)
                if not version.rate_includes_holiday_pay:
                    pct = figure(FigureKind.HOLIDAY_ALLOWANCE_PCT, on, budget.scheme)
                    months.append(
                        row._replace(
                            component=HOLIDAY_ALLOWANCE,
                            cents=0 if pct is None else percent_of(cents, pct),
                            known=pct is not None,
                            paid_out=payout_month(day, ends.get(version.agreement_id)),
                        )
                    )
                pct = figure(FigureKind.EMPLOYER_COSTS_PCT, on, budget.scheme)
                months.append(
                    row._replace(
                        component=EMPLOYER_COSTS,
                        cents=0 if pct is None else percent_of(cents, pct),
                        known=pct is not None,
                    )
                )
            day = next_month(day)
    return months


def _agreement_ends(agreement_ids: set[int]) -> dict[int, date | None]:
    """The last day of each agreement over all its versions; None while one is open-ended."""
    rows = (
        AgreementVersion.objects.filter(agreement_id__in=agreement_ids)
        .values("agreement_id")
        .annotate(last=Max("valid_to"), versions=Count("pk"), ended=Count("valid_to"))
        .order_by()
    )
    return {
        row["agreement_id"]: row["last"] if row["versions"] == row["ended"] else None
        for row in rows
    }
