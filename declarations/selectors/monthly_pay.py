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

- An employment paid per hour (``EMPLOYMENT_HOURLY``) is declared: the declaration is the
  wage, and the SVB adds the same holiday allowance on top unless the version's rate includes
  it, and pays the employer costs from the budget (SVB "Minimumloon en vakantiegeld",
  https://www.svb.nl/nl/pgb/werkgeverschap/minimumloon-en-vakantiegeld, URL unverified; the
  8 % itself: BW 7:634, the dated figure).
  :func:`hourly_declaration_extras` gives them per counted declaration, :func:`employment_extras`
  (vectorised, shared with the committed hours of the reports) computes them: the percentage of
  the month's figure of the wage in cents, rounded half up per declaration or month
  (:func:`pgb_admin.core.money.percent_of_cents`).
"""

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from django.db.models import Count, Max, Min, QuerySet, Sum

import numpy as np
import pandas as pd

from contracts.constants import EMPLOYMENT_TYPES, AgreementType
from contracts.models import AgreementVersion
from pgb_admin.core.lookups import any_of
from pgb_admin.core.money import percent_of_cents, to_cents
from pgb_admin.core.periods import month_end, month_start, next_month
from pgb_admin.figures.constants import FigureKind, RateUnit
from pgb_admin.figures.models import FigureLookup

from ..models import Declaration, DeclarationLine

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
    number of queries plus one per figure and scheme (:class:`FigureLookup`)."""
    months: list[FixedPayMonth] = []
    versions = list(
        AgreementVersion.objects.filter(any_of("budget_id", budget_ids), unit=RateUnit.MONTH)
        .select_related("budget", "agreement")
        .order_by("pk")
    )
    ends = agreement_ends({v.agreement_id for v in versions})
    figures = FigureLookup()

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
                    pct = figures.value_on(
                        FigureKind.HOLIDAY_ALLOWANCE_PCT, on, scheme=budget.scheme
                    )
                    months.append(
                        row._replace(
                            component=HOLIDAY_ALLOWANCE,
                            cents=0 if pct is None else percent_of(cents, pct),
                            known=pct is not None,
                            paid_out=payout_month(day, ends.get(version.agreement_id)),
                        )
                    )
                pct = figures.value_on(FigureKind.EMPLOYER_COSTS_PCT, on, scheme=budget.scheme)
                months.append(
                    row._replace(
                        component=EMPLOYER_COSTS,
                        cents=0 if pct is None else percent_of(cents, pct),
                        known=pct is not None,
                    )
                )
            day = next_month(day)
    return months


def agreement_ends(agreement_ids: set[int]) -> dict[int, date | None]:
    """The last day of each agreement over all its versions; None while one is open-ended."""
    rows = (
        AgreementVersion.objects.filter(any_of("agreement_id", agreement_ids))
        .values("agreement_id")
        .annotate(last=Max("valid_to"), versions=Count("pk"), ended=Count("valid_to"))
        .order_by()
    )
    return {
        row["agreement_id"]: row["last"] if row["versions"] == row["ended"] else None
        for row in rows
    }


# the columns of :func:`employment_extras`' input: the wage in ``cents``, of which
# ``holiday_cents`` gets the holiday allowance on top; ``on`` the day whose figures apply
EXTRA_BASE = [
    "budget_id", "agreement_id", "provider_id", "product_id", "month", "on", "scheme", "cents",
    "holiday_cents",
]  # fmt: skip
EXTRA_KEYS = EXTRA_BASE[:5]


def figure_hundredths(kind: str, on: pd.Series, schemes: pd.Series) -> np.ndarray:
    """The dated figure ``kind`` in hundredths on each day for each scheme (a scheme's own row
    or the general one), -1 where none holds: one look-up per distinct (day, scheme), one
    query per scheme (:class:`FigureLookup`)."""
    keys = pd.DataFrame(
        {
            "on": pd.to_datetime(on).dt.normalize().to_numpy(),
            "scheme": schemes.astype(str).to_numpy(),
        }
    )
    distinct = keys.drop_duplicates().reset_index(drop=True)
    figures = FigureLookup()
    values = []
    for day, scheme in zip(distinct["on"], distinct["scheme"], strict=True):
        value = figures.value_on(kind, day.date(), scheme=scheme)
        values.append(-1 if value is None else to_cents(value))
    distinct["value"] = np.asarray(values, dtype=np.int64)
    merged = keys.merge(distinct, on=["on", "scheme"], how="left")
    return merged["value"].to_numpy(dtype=np.int64)


def employment_extras(base: pd.DataFrame, ends: dict[int, date | None]) -> pd.DataFrame:
    """The holiday allowance (of ``holiday_cents``, rows where it is not 0) and the employer
    costs (of ``cents``) of an employment's wage rows (columns :data:`EXTRA_BASE`), as rows of
    their own with the same keys: ``component``, ``cents``, ``known`` (False: no figure for
    the day, 0 cents) and, for the holiday allowance, ``paid_out`` (the next May, or the
    agreement's last month when it ends before: :func:`payout_month`). Vectorised; each row
    is rounded to the cent half up (:func:`percent_of_cents`)."""
    columns = [*EXTRA_KEYS, "component", "cents", "known", "paid_out"]
    if base.empty:
        return pd.DataFrame(columns=columns)
    month = pd.to_datetime(base["month"])
    month_number = (month.dt.year * 12 + month.dt.month - 1).to_numpy()
    may = (month.dt.year + (month.dt.month > PAYOUT_MONTH)).to_numpy() * 12 + PAYOUT_MONTH - 1
    end = pd.to_datetime(base["agreement_id"].map(ends))
    end_number = (end.dt.year * 12 + end.dt.month - 1).fillna(np.iinfo(np.int32).max)
    paid = np.where(end_number.to_numpy() < may, end_number.to_numpy(), may).astype(np.int64)
    paid = np.maximum(paid, month_number)
    paid_out = pd.to_datetime(
        pd.DataFrame({"year": paid // 12, "month": paid % 12 + 1, "day": 1})
    ).dt.date.to_numpy()
    parts = []
    for kind, component, wage in (
        (FigureKind.HOLIDAY_ALLOWANCE_PCT, HOLIDAY_ALLOWANCE, base["holiday_cents"]),
        (FigureKind.EMPLOYER_COSTS_PCT, EMPLOYER_COSTS, base["cents"]),
    ):
        cents = wage.to_numpy(dtype=np.int64)
        chosen = cents != 0 if component == HOLIDAY_ALLOWANCE else np.ones(len(base), bool)
        pct = figure_hundredths(kind, base["on"], base["scheme"])
        known = pct >= 0
        part = base.loc[chosen, EXTRA_KEYS].copy()
        part["component"] = component
        part["cents"] = np.where(known, percent_of_cents(cents, np.maximum(pct, 0)), 0)[chosen]
        part["known"] = known[chosen]
        part["paid_out"] = paid_out[chosen] if component == HOLIDAY_ALLOWANCE else None
        parts.append(part)
    return pd.concat(parts)[columns]


def hourly_declaration_extras(declarations: QuerySet[Declaration]) -> pd.DataFrame:
    """The holiday allowance and employer costs the SVB adds to ``declarations`` of an
    employment paid per hour (:func:`employment_extras`; one row per declaration and
    component, with ``declaration_id``): the allowance of the care lines under a version whose
    rate does not include it, the employer costs of all its care lines, on the declaration's
    month. One query plus the agreement ends and the figure look-ups."""
    rows = (
        DeclarationLine.objects.filter(
            declaration__in=declarations,
            declaration__budget__isnull=False,
            declaration__agreement__agreement_type=AgreementType.EMPLOYMENT_HOURLY,
            unit=RateUnit.HOUR,
            version__isnull=False,
        )
        .values_list(
            "declaration_id", "declaration__budget_id", "declaration__agreement_id",
            "declaration__agreement__provider_id", "declaration__month",
            "declaration__budget__scheme", "version__rate_includes_holiday_pay",
        )
        .annotate(product=Min("version__product_id"), wage=Sum("amount"))
        .order_by()
    )  # fmt: skip
    bases: dict[int, list[Any]] = {}
    for pk, budget, agreement, provider, month, scheme, includes, product, wage in rows:
        cents, product = to_cents(wage), -1 if product is None else product
        row = bases.setdefault(
            pk, [budget, agreement, provider, product, month, month, scheme or "", 0, 0]
        )
        row[3] = min(row[3], product) if row[3] >= 0 else product
        row[7] += cents
        row[8] += 0 if includes else cents
    base = pd.DataFrame(list(bases.values()), columns=EXTRA_BASE)
    base.index = pd.Index(list(bases), dtype=np.int64, name="declaration_id")
    if base.empty:
        return employment_extras(base, {}).assign(declaration_id=pd.Series(dtype=np.int64))
    ends = agreement_ends(set(base["agreement_id"].tolist()))
    return employment_extras(base, ends).reset_index()
