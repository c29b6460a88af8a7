"""What the reports read: plain DataFrames with money in integer cents, loaded for a set of
grants in a fixed number of queries, whatever their number. The benchmark builds the same
frames synthetically at municipality scale.

- ``budgets``: one row per grant.
- ``spend``: what the grant has used, one row per counted declaration (validated, exported,
  submitted or paid, and not replaced by a counted correction) and per month of a fixed
  monthly amount up to the reference month (any agreement with a rate per month), with, for
  an employment, the holiday allowance reserved and the employer costs as rows of their own
  (status ``HOLIDAY_ALLOWANCE``, ``EMPLOYER_COSTS``). The money sums of every report come from
  here, so they equal the declarations to the cent.
  An hourly employment's counted declarations add the same two rows, of the declaration's
  month (the declaration is the wage; the SVB adds them: ``hourly_declaration_extras``).
- ``agreed``: what the running agreements will use in the months after the reference month:
  fixed monthly amounts (and an employment's holiday allowance and employer costs, kinds of
  their own), and agreed hours per week times the rate for hourly agreements (with, for an
  hourly employment, its holiday allowance and employer costs the same way).
- ``versions``: the agreement versions on the grants, for tariff checks and signals.

The reference month is the last month that is over: declarations are always made afterwards.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import QuerySet

import numpy as np
import pandas as pd

from contracts.carers import carer_class
from contracts.constants import AgreementType, Relation
from contracts.models import AgreementVersion, HolderProvider, Provider
from declarations.selectors import fixed_pay_months
from declarations.selectors.monthly_pay import EMPLOYER_COSTS as COMPONENT_EMPLOYER_COSTS
from declarations.selectors.monthly_pay import (
    EXTRA_BASE,
    WAGE,
    agreement_ends,
    employment_extras,
    hourly_declaration_extras,
)
from declarations.selectors.monthly_pay import HOLIDAY_ALLOWANCE as COMPONENT_HOLIDAY_ALLOWANCE
from declarations.selectors.reporting import counted_declarations, declared_spend, draft_totals
from pgb_admin.accounts.constants import MandateRole
from pgb_admin.accounts.models import Mandate
from pgb_admin.budgets.models import (
    Budget,
    BudgetHolder,
    FreeAmountClaim,
    HolderAdmission,
    Indication,
)
from pgb_admin.core.money import to_cents
from pgb_admin.core.periods import month_end, next_month, previous_month
from pgb_admin.figures.constants import RateUnit

FIXED_PAY = "fixed_pay"  # the status of spend rows that are fixed monthly pay, paid by the SVB
AGREED_HOURS = "hours"  # the kind of agreed rows from agreed hours per week; else FIXED_PAY
# an employment's holiday allowance (reserved monthly) and employer costs, paid by the SVB from
# the budget: a status of spend rows and a kind of agreed rows
HOLIDAY_ALLOWANCE = "holiday_allowance"
EMPLOYER_COSTS = "employer_costs"
# money of a Wlz or Zvw grant's verantwoordingsvrij bedrag paid to the holder (a spend status)
FREE_AMOUNT = "free_amount"
STATUS_OF_COMPONENT = {
    WAGE: FIXED_PAY,
    COMPONENT_HOLIDAY_ALLOWANCE: HOLIDAY_ALLOWANCE,
    COMPONENT_EMPLOYER_COSTS: EMPLOYER_COSTS,
}

COLUMNS = {
    "budgets": [
        "budget_id", "holder_id", "funder_id", "scheme", "start", "end", "granted",
    ],
    "spend": [
        "budget_id", "declaration_id", "agreement_id", "holder_id", "provider_id",
        "product_id", "month", "status", "cents", "hours_c",
    ],
    "agreed": [
        "budget_id", "agreement_id", "provider_id", "product_id", "month", "cents", "kind",
    ],
    "versions": [
        "version_id", "agreement_id", "holder_id", "provider_id", "budget_id", "product_id",
        "valid_from", "valid_to", "agreement_type", "unit", "rate_cents", "hours_per_week_c",
        "carer_class", "holiday_pay",
    ],
    "providers": [
        "provider_id", "name", "kind", "iban", "account_holder", "postcode", "house_number",
        "kvk_number",
    ],
    # the signals' inputs: the holders' address and death, their admissions, the hours the
    # grant decisions indicate, and who acts for the holders (representatives and bureaus)
    "holders": ["holder_id", "surname", "postcode", "house_number", "date_of_death"],
    "admissions": ["holder_id", "kind", "valid_from", "valid_to"],
    "indications": ["budget_id", "product_id", "hours_c", "per", "valid_from", "valid_to"],
    "mandates": [
        "user_id", "holder_id", "role", "first_name", "last_name", "valid_from", "valid_to",
    ],
    "payouts": ["budget_id", "agreement_id", "month", "cents"],
}  # fmt: skip


@dataclass
class ReportData:
    budgets: pd.DataFrame
    spend: pd.DataFrame
    agreed: pd.DataFrame
    versions: pd.DataFrame
    providers: pd.DataFrame
    drafts: dict[int, int]  # budget_id -> cents in open drafts (not counted)
    reference: date  # the first day of the last month that is over
    holders: pd.DataFrame = field(default_factory=lambda: frame("holders", []))
    admissions: pd.DataFrame = field(default_factory=lambda: frame("admissions", []))
    indications: pd.DataFrame = field(default_factory=lambda: frame("indications", []))
    mandates: pd.DataFrame = field(default_factory=lambda: frame("mandates", []))
    # the grants of an employment for some month of which no employer-costs figure exists
    employer_costs_unknown: frozenset[int] = frozenset()
    # holiday allowance reserved on each grant, by the month the SVB pays it out (``payouts``)
    holiday_payouts: pd.DataFrame = field(default_factory=lambda: frame("payouts", []))

    @property
    def reference_end(self) -> date:
        return month_end(self.reference)


TEXT_COLUMNS = {
    "scheme", "status", "kind", "agreement_type", "unit", "carer_class", "name", "iban",
    "account_holder", "postcode", "house_number", "kvk_number", "surname", "per", "role",
    "first_name", "last_name",
}  # fmt: skip
DATE_COLUMNS = {"start", "end", "month", "valid_from", "valid_to", "date_of_death"}


def frame(name: str, rows) -> pd.DataFrame:
    """A frame of ``rows`` with the columns of ``name``: ids and cents int64 also when empty."""
    table = pd.DataFrame(list(rows), columns=COLUMNS[name])
    ints = [c for c in COLUMNS[name] if c not in TEXT_COLUMNS | DATE_COLUMNS]
    table = table.astype(dict.fromkeys(ints, np.int64))
    for column in DATE_COLUMNS & set(COLUMNS[name]):
        table[column] = pd.to_datetime(table[column]).astype("datetime64[ns]")
    return table


def reference_month(today: date) -> date:
    return previous_month(today)


def month_index(dates: pd.Series) -> pd.Series:
    """Months counted from year 0 (January 2026 is 2026 * 12), for arithmetic on months."""
    if dates.dtype.kind == "M" and len(dates) and not dates.hasnans:
        return pd.Series(_month_of_days(dates.to_numpy()), index=dates.index, name=dates.name)
    return dates.dt.year * 12 + dates.dt.month - 1


def _month_of_days(values: np.ndarray) -> np.ndarray:
    """The month index of naive datetimes: their days looked up in a table of the few days
    they span (turning each of many datetimes into a month is the slow part)."""
    days = values.astype("datetime64[D]").astype(np.int64)
    first = int(days.min())
    span = np.arange(first, int(days.max()) + 1).astype("datetime64[D]")
    table = span.astype("datetime64[M]").astype(np.int64) + 1970 * 12
    return table[days - first]


def from_month_index(index) -> pd.Series:
    index = np.asarray(index, dtype=np.int64)
    return pd.Series(
        pd.to_datetime({"year": index // 12, "month": index % 12 + 1, "day": 1})
    ).astype("datetime64[ns]")


def months(series: pd.Series) -> pd.Series:
    """Dates as the first day of their month, datetime64."""
    periods = pd.to_datetime(series).astype("datetime64[ns]").dt.to_period("M")
    # pandas-stubs types Series.dt.to_timestamp() as a DatetimeArray; it is a Series
    return periods.dt.to_timestamp()  # type: ignore[return-value]


def rows(frame: pd.DataFrame) -> Iterator[Any]:
    """The frame's rows as named tuples, without the index. ``Any``: what a column holds is
    not known to the type checker (pandas-stubs types every cell as any scalar at all)."""
    return frame.itertuples(index=False)


def pairs(series: pd.Series) -> Iterator[tuple[Any, Any]]:
    """The series' (label, value) pairs, typed as loosely as :func:`rows` for the same reason."""
    return iter(series.items())


def load_report_data(budgets: QuerySet[Budget], *, today: date) -> ReportData:
    """Everything the reports need for these grants."""
    reference = reference_month(today)
    budget_rows = list(
        budgets.values_list(
            "pk", "holder_id", "funder_id", "scheme", "start_date", "end_date", "amount"
        )
    )
    budget_ids = [row[0] for row in budget_rows]
    budget_frame = frame(
        "budgets",
        [(pk, h, f, s, start, end, to_cents(a)) for pk, h, f, s, start, end, a in budget_rows],
    )
    for column in ("start", "end"):
        budget_frame[column] = pd.to_datetime(budget_frame[column]).astype("datetime64[ns]")

    versions = _versions(budget_ids)
    fixed_spent, fixed_committed, unknown, payouts = _fixed_pay(budget_ids, reference)
    hours = _agreed_hours(versions, budget_frame, reference)
    extra_spent, extra_committed, extra_unknown, extra_payouts = _hourly_employment(
        budget_ids, budget_frame, hours
    )
    spend = pd.concat(
        [_declared(budget_ids), fixed_spent, extra_spent, _free_amount_claims(budget_ids)],
        ignore_index=True,
    )
    spend["month"] = months(spend["month"])
    agreed = pd.concat(
        [fixed_committed, hours[COLUMNS["agreed"]], extra_committed], ignore_index=True
    )
    agreed["month"] = months(agreed["month"])
    providers = frame(
        "providers",
        Provider.objects.filter(pk__in=set(versions["provider_id"])).values_list(
            "pk",
            "name",
            "kind",
            "iban",
            "account_holder",
            "postcode",
            "house_number",
            "kvk_number",
        ),
    )
    drafts = draft_totals(budget_ids)
    holder_ids = set(budget_frame["holder_id"].tolist())
    return ReportData(
        budgets=budget_frame,
        spend=spend,
        agreed=agreed,
        versions=versions,
        providers=providers,
        drafts={pk: to_cents(total) for pk, total in drafts.items()},
        reference=reference,
        employer_costs_unknown=unknown | extra_unknown,
        holiday_payouts=pd.concat([payouts, extra_payouts], ignore_index=True),
        **_signal_inputs(budget_ids, holder_ids),
    )


def _signal_inputs(budget_ids, holder_ids) -> dict[str, pd.DataFrame]:
    """The holders, admissions, indications and acting mandates of the grants: four queries."""
    return {
        "holders": frame(
            "holders",
            BudgetHolder.objects.filter(pk__in=holder_ids).values_list(
                "pk", "surname", "postcode", "house_number", "date_of_death"
            ),
        ),
        "admissions": frame(
            "admissions",
            HolderAdmission.objects.filter(holder_id__in=holder_ids).values_list(
                "holder_id", "kind", "valid_from", "valid_to"
            ),
        ),
        "indications": frame(
            "indications",
            [
                (budget, product, to_cents(hours), per, start, end)
                for budget, product, hours, per, start, end in Indication.objects.filter(
                    budget_id__in=budget_ids
                ).values_list("budget_id", "product_id", "hours", "per", "valid_from", "valid_to")
            ],
        ),
        "mandates": frame(
            "mandates",
            Mandate.objects.filter(
                holder_id__in=holder_ids,
                role__in=[MandateRole.REPRESENTATIVE, MandateRole.BUREAU],
            ).values_list(
                "user_id",
                "holder_id",
                "role",
                "user__first_name",
                "user__last_name",
                "valid_from",
                "valid_to",
            ),
        ),
    }


def _declared(budget_ids) -> pd.DataFrame:
    return frame(
        "spend",
        [
            (d.budget_id, d.declaration_id, d.agreement_id, d.holder_id, d.provider_id,
             d.product_id or -1, d.month, d.status, to_cents(d.total),
             to_cents(d.care_quantity) if d.hourly else 0)
            for d in declared_spend(budget_ids)
        ],
    )  # fmt: skip


def _fixed_pay(
    budget_ids, reference: date
) -> tuple[pd.DataFrame, pd.DataFrame, frozenset[int], pd.DataFrame]:
    """Fixed monthly amounts (and an employment's holiday allowance and employer costs): spent
    up to the reference month, committed after it; the grants with employer costs unknown for
    some month; and the holiday allowance by the month it is paid out."""
    holders = dict(Budget.objects.filter(pk__in=budget_ids).values_list("pk", "holder_id"))
    pay = fixed_pay_months(budget_ids)
    spent = frame(
        "spend",
        [
            (p.budget_id, -1, p.agreement_id, holders[p.budget_id], p.provider_id, p.product_id,
             p.month, STATUS_OF_COMPONENT[p.component], p.cents, 0)
            for p in pay
            if p.month <= reference and p.known
        ],
    )  # fmt: skip
    committed = frame(
        "agreed",
        [
            (p.budget_id, p.agreement_id, p.provider_id, p.product_id, p.month, p.cents,
             STATUS_OF_COMPONENT[p.component])
            for p in pay
            if p.month > reference and p.known
        ],
    )  # fmt: skip
    unknown = frozenset(
        p.budget_id for p in pay if p.component == COMPONENT_EMPLOYER_COSTS and not p.known
    )
    payouts = frame(
        "payouts",
        [
            (p.budget_id, p.agreement_id, p.paid_out, p.cents)
            for p in pay
            if p.component == COMPONENT_HOLIDAY_ALLOWANCE and p.paid_out is not None
        ],
    )
    return spent, committed, unknown, payouts


def _hourly_employment(
    budget_ids, budgets: pd.DataFrame, hours: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, frozenset[int], pd.DataFrame]:
    """An employment paid per hour, as :func:`_fixed_pay` does fixed pay: the holiday
    allowance (unless the rate includes it) and the employer costs the SVB adds to its counted
    declarations (spend, the declaration's month, whatever the reference month) and to its
    agreed hours ahead (committed), vectorised (``employment_extras``); the grants with
    employer costs unknown for some month; and the holiday allowance by payout month."""
    declared = hourly_declaration_extras(counted_declarations(budget_ids))
    employed = hours[hours["agreement_type"] == AgreementType.EMPLOYMENT_HOURLY]
    ahead = employment_extras(
        employed.assign(on=employed["covered_from"])[EXTRA_BASE],
        agreement_ends(set(employed["agreement_id"].tolist())) if len(employed) else {},
    )
    holders = budgets.set_index("budget_id")["holder_id"]
    spent_known = declared[declared["known"].astype(bool)]
    spent = frame(
        "spend",
        zip(
            spent_known["budget_id"], [-1] * len(spent_known), spent_known["agreement_id"],
            spent_known["budget_id"].map(holders), spent_known["provider_id"],
            spent_known["product_id"], spent_known["month"],
            spent_known["component"].map(STATUS_OF_COMPONENT), spent_known["cents"],
            [0] * len(spent_known),
            strict=True,
        ),
    )  # fmt: skip
    ahead_known = ahead[ahead["known"].astype(bool)]
    committed = frame(
        "agreed",
        zip(
            ahead_known["budget_id"], ahead_known["agreement_id"], ahead_known["provider_id"],
            ahead_known["product_id"], ahead_known["month"], ahead_known["cents"],
            ahead_known["component"].map(STATUS_OF_COMPONENT),
            strict=True,
        ),
    )  # fmt: skip
    both = pd.concat([declared.drop(columns="declaration_id"), ahead], ignore_index=True)
    unknown = frozenset(
        int(pk)
        for pk in both.loc[
            (both["component"] == COMPONENT_EMPLOYER_COSTS) & ~both["known"].astype(bool),
            "budget_id",
        ]
    )
    paid = both[(both["component"] == COMPONENT_HOLIDAY_ALLOWANCE) & both["known"].astype(bool)]
    payouts = frame(
        "payouts",
        zip(paid["budget_id"], paid["agreement_id"], paid["paid_out"], paid["cents"], strict=True),
    )
    return spent, committed, unknown, payouts


def _free_amount_claims(budget_ids) -> pd.DataFrame:
    """Claims on the verantwoordingsvrij bedrag: paid from the grant, in the month paid."""
    return frame(
        "spend",
        [
            (budget, -1, -1, holder, -1, -1, paid_on, FREE_AMOUNT, to_cents(amount), 0)
            for budget, holder, paid_on, amount in FreeAmountClaim.objects.filter(
                budget_id__in=budget_ids
            ).values_list("budget_id", "budget__holder_id", "paid_on", "amount")
        ],
    )


def _versions(budget_ids) -> pd.DataFrame:
    rows = list(
        AgreementVersion.objects.filter(budget_id__in=budget_ids).values_list(
            "pk", "agreement_id", "agreement__holder_id", "agreement__provider_id", "budget_id",
            "product_id", "valid_from", "valid_to", "agreement__agreement_type", "unit", "rate",
            "hours_per_week", "agreement__provider__kind", "agreement__provider__kvk_number",
            "agreement__provider__big_number", "rate_includes_holiday_pay",
        )
    )  # fmt: skip
    relations = dict(
        ((holder, provider), relation)
        for holder, provider, relation in HolderProvider.objects.filter(
            holder_id__in={row[2] for row in rows}
        ).values_list("holder_id", "provider_id", "relation")
    )
    versions = frame(
        "versions",
        [
            (pk, agreement, holder, provider, budget, product, start, end, agreement_type,
             unit, to_cents(rate), -1 if hours is None else to_cents(hours),
             carer_class(relations.get((holder, provider), Relation.NONE), kind, bool(kvk or big),
                         agreement_type), bool(holiday))
            for pk, agreement, holder, provider, budget, product, start, end, agreement_type,
            unit, rate, hours, kind, kvk, big, holiday in rows
        ],
    )  # fmt: skip
    versions["valid_from"] = pd.to_datetime(versions["valid_from"]).astype("datetime64[ns]")
    versions["valid_to"] = pd.to_datetime(versions["valid_to"]).astype("datetime64[ns]")
    return versions


def _agreed_hours(versions: pd.DataFrame, budgets: pd.DataFrame, reference: date) -> pd.DataFrame:
    """Agreed hours per week times the rate, per month after the reference month in which a
    version of an hourly agreement runs, pro rata by the days it runs (vectorised). Beside
    the columns of ``agreed``: those :func:`employment_extras` reads (``EXTRA_BASE``, the
    wage in ``cents``, ``holiday_cents`` when the rate does not include the allowance) and the
    agreement type and first day covered."""
    hourly = versions[
        (versions["unit"] == RateUnit.HOUR)
        & (versions["hours_per_week_c"] > 0)
        & (versions["agreement_type"] != AgreementType.EMPLOYMENT_FIXED)
    ].merge(budgets[["budget_id", "end", "scheme"]], on="budget_id")
    first_month = pd.Timestamp(next_month(reference))
    start = hourly["valid_from"].where(hourly["valid_from"] > first_month, first_month)
    end = (
        hourly["valid_to"]
        .fillna(hourly["end"])
        .where(hourly["valid_to"].fillna(hourly["end"]) < hourly["end"], hourly["end"])
    )
    hourly = hourly.assign(start=start, stop=end)
    hourly = hourly[hourly["start"] <= hourly["stop"]]
    if hourly.empty:
        empty = frame("agreed", [])
        return empty.assign(
            scheme="", holiday_cents=empty["cents"], agreement_type="", covered_from=empty["month"]
        )
    # one row per version and month it covers
    first = month_index(hourly["start"])
    counts = (month_index(hourly["stop"]) - first + 1).to_numpy()
    rows = hourly.loc[hourly.index.repeat(counts)].reset_index(drop=True)
    step = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    month = from_month_index(np.repeat(first.to_numpy(), counts) + step)
    month_last = month + pd.offsets.MonthEnd(0)
    covered_from = rows["start"].where(rows["start"] > month, month)
    covered_to = rows["stop"].where(rows["stop"] < month_last, month_last)
    days = (covered_to - covered_from).dt.days + 1
    # hundredths of hours a week * cents an hour / 100 * days / 7
    cents = np.round(rows["hours_per_week_c"] * rows["rate_cents"] * days / 700).astype(np.int64)
    return pd.DataFrame(
        {
            "budget_id": rows["budget_id"],
            "agreement_id": rows["agreement_id"],
            "provider_id": rows["provider_id"],
            "product_id": rows["product_id"],
            "month": month,
            "cents": cents,
            "kind": AGREED_HOURS,
            "scheme": rows["scheme"],
            "holiday_cents": np.where(rows["holiday_pay"].astype(bool), 0, cents),
            "agreement_type": rows["agreement_type"],
            "covered_from": covered_from,
        }
    )
