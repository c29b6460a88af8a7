"""The rows of the hours template: what pgb-admin knows of each agreement in the month, loaded
in a fixed number of queries, as day rows, cost rows and spare rows."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Protocol, TypeVar

from django.db.models import QuerySet, prefetch_related_objects

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
COST_KIND_WORDS: dict[str, str] = {ExpenseKind.TRAVEL: "reiskosten", ExpenseKind.OTHER: "overig"}
COST_KEYS = ("cost_kind", "kilometres", "amount", "description")


# --- what the import compares with ----------------------------------------------------------


class DayEntry(Protocol):
    """What the day's quantity and note are made of: a time entry, or its stored values."""

    @property
    def quantity(self) -> Decimal: ...

    @property
    def note(self) -> str: ...


def day_quantity(entries: Iterable[DayEntry]) -> Decimal | None:
    """The quantity a day row shows: the sum of the day's entries; None without entries."""
    entries = list(entries)
    if not entries:
        return None
    return sum((entry.quantity for entry in entries), Decimal(0))


def day_note(entries: Iterable[DayEntry]) -> str:
    """The note a day row shows: the notes of the day's entries, joined by '; '."""
    return "; ".join(entry.note for entry in entries if entry.note)


def restore_text(value: str | None) -> str | None:
    """Undo the apostrophe of :func:`sheet_value`: text the template wrote with a leading
    apostrophe comes back as it was stored."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


# --- loading: a fixed number of queries for any number of agreements ------------------------


@dataclass
class AgreementMonth:
    """An agreement with what the template shows of the month."""

    agreement: CareAgreement
    versions: list[AgreementVersion]  # those that run in the month (with the product), by start
    entries: list[TimeEntry]
    expenses: list[Expense]
    declarations: list[Declaration]

    @property
    def locked(self) -> bool:
        """As selectors.months.month_is_locked, from the loaded declarations: exported, and no
        correction opened since."""
        frozen = any(d.status in FROZEN_STATUSES for d in self.declarations)
        reopened = any(
            d.status in OPEN_STATUSES and d.corrects_id is not None for d in self.declarations
        )
        return frozen and not reopened


_Data = TypeVar("_Data", AgreementVersion, TimeEntry, Expense, Declaration)


def _by_agreement(rows: QuerySet[_Data], agreement_ids: list[int]) -> dict[int, list[_Data]]:
    found: dict[int, list[_Data]] = {pk: [] for pk in agreement_ids}
    for row in rows.filter(agreement_id__in=agreement_ids):
        found[row.agreement_id].append(row)
    return found


def load(agreements: list[CareAgreement], month: date) -> list[AgreementMonth]:
    """Fetch, for all agreements at once, their holder and provider, the versions that run in
    the month (with the product), and the month's entries, expenses and declarations."""
    last = month_end(month)
    prefetch_related_objects(agreements, "holder", "provider")
    ids = [agreement.pk for agreement in agreements]
    versions = _by_agreement(
        AgreementVersion.objects.filter(valid_during_q(month, last))
        .select_related("product")
        .order_by("valid_from"),
        ids,
    )
    entries = _by_agreement(
        TimeEntry.objects.filter(care_date__range=(month, last)).order_by(
            "care_date", "start_time", "pk"
        ),
        ids,
    )
    expenses = _by_agreement(
        Expense.objects.filter(expense_date__range=(month, last)).order_by("expense_date", "pk"),
        ids,
    )
    declarations = _by_agreement(Declaration.objects.filter(month=month).order_by("pk"), ids)
    return [
        AgreementMonth(
            agreement=agreement,
            versions=versions[agreement.pk],
            entries=entries[agreement.pk],
            expenses=expenses[agreement.pk],
            declarations=declarations[agreement.pk],
        )
        for agreement in agreements
    ]


# --- the rows ---------------------------------------------------------------------------------


@dataclass
class Row:
    values: dict[str, object]
    unlocked: tuple[str, ...] = ()
    unit: str | None = None  # the unit of the quantity on a day row that takes one


@dataclass
class Sheet:
    month: date
    agreements: list[AgreementMonth]  # in the order of the sheet
    with_people: bool  # the holders template: holder and provider columns
    rows: list[Row] = field(default_factory=list)
    open_ids: list[int] = field(default_factory=list)


def _agreement_rows(loaded: AgreementMonth, month: date, *, with_people: bool) -> list[Row]:
    agreement = loaded.agreement
    locked = loaded.locked
    people: dict[str, object] = {}
    if with_people:
        people = {
            HOLDER_HEADER: agreement.holder.display_name,
            PROVIDER_HEADER: agreement.provider.name,
        }
    entries: defaultdict[date, list[TimeEntry]] = defaultdict(list)
    for entry in loaded.entries:
        entries[entry.care_date].append(entry)
    rows = []
    for day in days_of_month(month):
        version = version_on(loaded.versions, day)
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
    for expense in loaded.expenses:
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
    month: date, agreements: list[AgreementMonth], *, with_people: bool, skip_locked: bool
) -> Sheet:
    sheet = Sheet(month=month, agreements=agreements, with_people=with_people)
    for loaded in agreements:
        if skip_locked and loaded.locked:
            continue
        rows = _agreement_rows(loaded, month, with_people=with_people)
        sheet.rows.extend(rows)
        if rows and not loaded.locked:
            sheet.open_ids.append(loaded.agreement.pk)
    if sheet.open_ids:
        spare = Row(values={}, unlocked=("agreement", "date", *COST_KEYS))
        sheet.rows.extend([spare] * SPARE_ROWS)
    return sheet
