"""The rows of the hours template: what pgb-admin knows of each agreement in the month, loaded
in a fixed number of queries, as day rows, cost rows and spare rows."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, prefetch_related_objects

from contracts.models import AgreementVersion, CareAgreement
from contracts.selectors import version_on
from pgb_admin.core.periods import days_of_month, month_end, valid_during_q
from pgb_admin.core.spreadsheets import FORMULA_TRIGGERS
from pgb_admin.figures.constants import RateUnit

from ...constants import FROZEN_STATUSES, OPEN_STATUSES, ExpenseKind
from ...models import Declaration, Expense, TimeEntry

SPARE_ROWS = 50
HOLDER_HEADER = "Budgethouder"
PROVIDER_HEADER = "Zorgverlener"
EXTRA_HEADERS = (HOLDER_HEADER, PROVIDER_HEADER)  # holders template only; the import ignores them
COST_KIND_WORDS = {ExpenseKind.TRAVEL: "reiskosten", ExpenseKind.OTHER: "overig"}
COST_KEYS = ("cost_kind", "kilometres", "amount", "description")


# --- what the import compares with ----------------------------------------------------------


def day_quantity(entries) -> Decimal | None:
    """The quantity a day row shows: the sum of the day's entries; None without entries."""
    entries = list(entries)
    if not entries:
        return None
    return sum((entry.quantity for entry in entries), Decimal(0))


def day_note(entries) -> str:
    """The note a day row shows: the notes of the day's entries, joined by '; '."""
    return "; ".join(entry.note for entry in entries if entry.note)


def restore_text(value):
    """Undo the apostrophe of :func:`sheet_value`: text the template wrote with a leading
    apostrophe comes back as it was stored."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


# --- loading: a fixed number of queries for any number of agreements ------------------------


PREFETCHED = ("template_versions", "template_entries", "template_expenses", "template_declarations")


def load(agreements: list[CareAgreement], month: date) -> None:
    """Fetch, for all agreements at once, their holder and provider, the versions that run in
    the month (with the product), and the month's entries, expenses and declarations."""
    last = month_end(month)
    for agreement in agreements:  # a second call must not reuse the month of the first
        for name in PREFETCHED:
            agreement.__dict__.pop(name, None)
    prefetch_related_objects(
        agreements,
        "holder",
        "provider",
        Prefetch(
            "versions",
            queryset=AgreementVersion.objects.filter(valid_during_q(month, last))
            .select_related("product")
            .order_by("valid_from"),
            to_attr="template_versions",
        ),
        Prefetch(
            "time_entries",
            queryset=TimeEntry.objects.filter(care_date__range=(month, last)).order_by(
                "care_date", "start_time", "pk"
            ),
            to_attr="template_entries",
        ),
        Prefetch(
            "expenses",
            queryset=Expense.objects.filter(expense_date__range=(month, last)).order_by(
                "expense_date", "pk"
            ),
            to_attr="template_expenses",
        ),
        Prefetch(
            "declarations",
            queryset=Declaration.objects.filter(month=month).order_by("pk"),
            to_attr="template_declarations",
        ),
    )


def is_locked(agreement: CareAgreement) -> bool:
    """As selectors.months.month_is_locked, from the prefetched declarations: exported, and no
    correction opened since."""
    declarations = agreement.template_declarations
    frozen = any(d.status in FROZEN_STATUSES for d in declarations)
    reopened = any(d.status in OPEN_STATUSES and d.corrects_id is not None for d in declarations)
    return frozen and not reopened


# --- the rows ---------------------------------------------------------------------------------


@dataclass
class Row:
    values: dict
    unlocked: tuple = ()
    unit: str | None = None  # the unit of the quantity on a day row that takes one


@dataclass
class Sheet:
    month: date
    agreements: list[CareAgreement]  # in the order of the sheet, with prefetched data
    with_people: bool  # the holders template: holder and provider columns
    rows: list[Row] = field(default_factory=list)
    open_ids: list[int] = field(default_factory=list)


def _agreement_rows(agreement: CareAgreement, month: date, *, with_people: bool) -> list[Row]:
    locked = is_locked(agreement)
    people = {}
    if with_people:
        people = {
            HOLDER_HEADER: agreement.holder.display_name,
            PROVIDER_HEADER: agreement.provider.name,
        }
    entries = defaultdict(list)
    for entry in agreement.template_entries:
        entries[entry.care_date].append(entry)
    rows = []
    for day in days_of_month(month):
        version = version_on(agreement.template_versions, day)
        if version is None:
            continue
        takes_care = not locked and version.unit != RateUnit.MONTH
        rows.append(
            Row(
                values={
                    "agreement": agreement.pk,
                    "date": day,
                    "quantity": day_quantity(entries[day]),
                    "note": day_note(entries[day]),
                    **people,
                },
                unlocked=("quantity", "note") if takes_care else (),
                unit=version.unit if takes_care else None,
            )
        )
    if not rows:
        return rows
    for expense in agreement.template_expenses:
        rows.append(
            Row(
                values={
                    "agreement": agreement.pk,
                    "date": expense.expense_date,
                    "cost_kind": COST_KIND_WORDS.get(expense.kind, expense.kind),
                    "kilometres": expense.kilometres,
                    "amount": expense.amount,
                    "description": expense.description,
                    **people,
                },
                unlocked=() if locked else ("agreement", "date", *COST_KEYS),
            )
        )
    return rows


def build(
    month: date, agreements: list[CareAgreement], *, with_people: bool, skip_locked: bool
) -> Sheet:
    sheet = Sheet(month=month, agreements=agreements, with_people=with_people)
    for agreement in agreements:
        if skip_locked and is_locked(agreement):
            continue
        rows = _agreement_rows(agreement, month, with_people=with_people)
        sheet.rows.extend(rows)
        if rows and not is_locked(agreement):
            sheet.open_ids.append(agreement.pk)
    if sheet.open_ids:
        spare = Row(values={}, unlocked=("agreement", "date", *COST_KEYS))
        sheet.rows.extend([spare] * SPARE_ROWS)
    return sheet
