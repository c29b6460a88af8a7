"""Time entries and expenses: the one place that writes them, for the pages, the API, the weekly
pattern and the import alike, each change one transaction, every change checked by
:mod:`.hour_checks`.

The hours of a month stay editable until its declaration is exported; after that, a correction
(a new declaration referencing the exported one) reopens them. A validated declaration whose
hours change goes back to draft, so nothing is exported that was not validated as it is.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from contracts.models import AgreementVersion, CareAgreement
from contracts.selectors import version_on
from pgb_admin.accounts.models import User
from pgb_admin.accounts.scoping import get_editable, refuse_auditors
from pgb_admin.audit.events import log_changes
from pgb_admin.audit.models import Action
from pgb_admin.core.periods import days_of_month, month_end, month_start
from pgb_admin.figures.models import FigureLookup

from ..imports.template import day_note, day_quantity
from ..models import Expense, TimeEntry
from .common import field_error, log_bulk, parse_quantity
from .declarations import back_to_draft, back_to_draft_many
from .hour_checks import (
    DayRow,
    EditableAgreement,
    RowRefusal,
    RowsRefused,
    check_quantity,
    editable_agreements,
    entry_quantity,
    expense_money,
    new_entry,
    outside_agreement,
    require_open_month,
    row_refusals,
    version_in_force,
    versions_of,
)

# --- time entries ----------------------------------------------------------------------------


@transaction.atomic
def time_entry_add(
    *,
    actor: User,
    agreement_id: int,
    care_date: date,
    quantity: object = None,
    start_time: time | None = None,
    end_time: time | None = None,
    note: str = "",
    month: date | None = None,
) -> TimeEntry:
    """Log care on a day. With ``month`` (a month grid), the day must lie in that month."""
    agreement = get_editable(CareAgreement.objects, actor, pk=agreement_id)
    require_open_month(agreement, care_date, "care_date")
    entry = new_entry(
        agreement,
        versions_of(agreement),
        care_date=care_date,
        quantity=quantity,
        start_time=start_time,
        end_time=end_time,
        note=note,
        month=month,
    )
    entry.save()
    back_to_draft(agreement.pk, month_start(care_date))
    return entry


@transaction.atomic
def time_entries_set_month(
    *, actor: User, agreement_id: int, month: date, entries: list[dict[str, Any]]
) -> list[TimeEntry]:
    """Make the month's entries of an agreement exactly ``entries`` (dicts with ``care_date``
    and ``quantity`` or ``start_time`` and ``end_time``, optionally ``note``). Every row is
    checked and every error reported with its row (``entries[3].quantity``); either all rows
    are stored or none. Sending the same month twice leaves the same entries."""
    agreement = get_editable(CareAgreement.objects, actor, pk=agreement_id)
    month = month_start(month)
    require_open_month(agreement, month, "month")
    versions = versions_of(agreement)
    figures = FigureLookup()
    new_entries: list[TimeEntry] = []
    errors: dict[str, list[ValidationError]] = {}
    for index, row in enumerate(entries):
        try:
            new_entries.append(new_entry(agreement, versions, month=month, figures=figures, **row))
        except ValidationError as error:
            for field, field_errors in error.error_dict.items():
                errors[f"entries[{index}].{field}"] = field_errors
    if errors:
        raise ValidationError(errors)
    TimeEntry.objects.filter(
        agreement=agreement, care_date__range=(month, month_end(month))
    ).delete()
    created = TimeEntry.objects.bulk_create(new_entries)
    log_bulk(actor, Action.CREATE, TimeEntry, [agreement.holder_id] * len(created))
    back_to_draft(agreement.pk, month)
    return created


@transaction.atomic
def time_entry_update(*, actor: User, entry_id: int, **changes: Any) -> TimeEntry:
    allowed = {"care_date", "quantity", "start_time", "end_time", "note"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"time_entry_update() cannot change {', '.join(sorted(unknown))}")
    entry = get_editable(TimeEntry.objects.select_for_update(), actor, pk=entry_id)
    agreement = entry.agreement
    old_month = month_start(entry.care_date)
    require_open_month(agreement, entry.care_date, "care_date")
    for field, value in changes.items():
        setattr(entry, field, value)
    require_open_month(agreement, entry.care_date, "care_date")
    # an entry with times takes its quantity from them, unless a quantity is given
    quantity = changes.get("quantity", None if entry.start_time is not None else entry.quantity)
    number, typed = entry_quantity(quantity, entry.start_time, entry.end_time)
    version = version_in_force(versions_of(agreement), entry.care_date, "care_date")
    check_quantity(number, version.unit, typed=typed, day=entry.care_date)
    entry.quantity = number
    entry.full_clean()
    entry.save()
    for month in {old_month, month_start(entry.care_date)}:
        back_to_draft(agreement.pk, month)
    return entry


@transaction.atomic
def time_entry_delete(*, actor: User, entry_id: int) -> None:
    entry = get_editable(TimeEntry.objects.select_for_update(), actor, pk=entry_id)
    require_open_month(entry.agreement, entry.care_date, "care_date")
    entry.delete()
    back_to_draft(entry.agreement_id, month_start(entry.care_date))


@transaction.atomic
def time_entries_fill_month(
    *,
    actor: User,
    agreement_id: int,
    month: date,
    pattern: Mapping[int, object],
    replace: bool = False,
) -> list[TimeEntry]:
    """Fill a month from a weekly pattern ({0: '4', 2: '3.5'}: Monday 4 hours, Wednesday 3.5),
    on the days the agreement runs; a month in which it runs on none of the pattern's days is
    refused. Days that already hold entries are kept unless ``replace``, which first removes
    the month's entries. All days or none."""
    agreement = get_editable(CareAgreement.objects, actor, pk=agreement_id)
    month = month_start(month)
    require_open_month(agreement, month, "month")
    quantities: dict[int, Decimal] = {}
    for weekday, value in pattern.items():
        if weekday not in range(7):
            raise field_error(
                "pattern", _("%(value)s is not a weekday."), "bad_weekday", value=weekday
            )
        if value in (None, ""):
            continue
        quantities[weekday] = parse_quantity(value, field="pattern")
    versions = list(agreement.versions.order_by("valid_from"))
    days = [day for day in days_of_month(month) if day.weekday() in quantities]
    running = {day: version_on(versions, day) for day in days}
    if days and not any(running.values()):
        raise ValidationError({"pattern": outside_agreement(days[0])})
    if replace:
        TimeEntry.objects.filter(
            agreement=agreement, care_date__range=(month, month_end(month))
        ).delete()
    taken = set(
        TimeEntry.objects.filter(
            agreement=agreement, care_date__range=(month, month_end(month))
        ).values_list("care_date", flat=True)
    )
    entries = []
    for day, version in running.items():
        if version is not None and day not in taken:
            quantity = quantities[day.weekday()]
            try:
                check_quantity(quantity, version.unit, typed=True, day=day)
            except ValidationError as error:
                raise ValidationError({"pattern": error.error_dict["quantity"]}) from None
            entries.append(TimeEntry(agreement=agreement, care_date=day, quantity=quantity))
    created = TimeEntry.objects.bulk_create(entries)
    log_bulk(actor, Action.CREATE, TimeEntry, [agreement.holder_id] * len(created))
    back_to_draft(agreement.pk, month)
    return created


# --- expenses --------------------------------------------------------------------------------


def _versions_on(agreement: CareAgreement, day: date, field: str) -> list[AgreementVersion]:
    versions = list(agreement.versions.order_by("valid_from"))
    version_in_force(versions, day, field)
    return versions


@transaction.atomic
def expense_add(
    *,
    actor: User,
    agreement_id: int,
    expense_date: date,
    kind: str,
    amount: object = None,
    kilometres: object = None,
    description: str = "",
) -> Expense:
    """Declare a cost beside the care, on a day the agreement runs."""
    agreement = get_editable(CareAgreement.objects, actor, pk=agreement_id)
    require_open_month(agreement, expense_date, "expense_date")
    versions = _versions_on(agreement, expense_date, "expense_date")
    km, money = expense_money(versions, expense_date, kind, amount, kilometres)
    expense = Expense(
        agreement=agreement,
        expense_date=expense_date,
        kind=kind,
        kilometres=km,
        amount=money,
        description=description,
    )
    expense.full_clean()
    expense.save()
    back_to_draft(agreement.pk, month_start(expense_date))
    return expense


EXPENSE_FIELDS = frozenset({"expense_date", "kind", "amount", "kilometres", "description"})


@transaction.atomic
def expense_update(*, actor: User, expense_id: int, **changes: Any) -> Expense:
    """Change a cost while its month (before and after the change) is not declared. Changed
    kilometres without an amount are priced again at the agreed allowance."""
    unknown = set(changes) - EXPENSE_FIELDS
    if unknown:
        raise TypeError(f"expense_update() cannot change {', '.join(sorted(unknown))}")
    expense = get_editable(Expense.objects.select_for_update(), actor, pk=expense_id)
    agreement = expense.agreement
    old_month = month_start(expense.expense_date)
    require_open_month(agreement, expense.expense_date, "expense_date")
    for field in ("expense_date", "kind", "description"):
        if field in changes:
            setattr(expense, field, changes[field])
    require_open_month(agreement, expense.expense_date, "expense_date")
    versions = _versions_on(agreement, expense.expense_date, "expense_date")
    kilometres = changes.get("kilometres", expense.kilometres)
    amount = changes.get("amount", None if "kilometres" in changes else expense.amount)
    expense.kilometres, expense.amount = expense_money(
        versions, expense.expense_date, expense.kind, amount, kilometres
    )
    expense.full_clean()
    expense.save()
    for month in {old_month, month_start(expense.expense_date)}:
        back_to_draft(agreement.pk, month)
    return expense


@transaction.atomic
def expense_delete(*, actor: User, expense_id: int) -> None:
    expense = get_editable(Expense.objects.select_for_update(), actor, pk=expense_id)
    require_open_month(expense.agreement, expense.expense_date, "expense_date")
    expense.delete()
    back_to_draft(expense.agreement_id, month_start(expense.expense_date))


# --- many days at once: a file -----------------------------------------------------------------


@dataclass
class MonthChange:
    agreement_id: int
    month: date
    days_changed: int = 0
    entries_removed: int = 0
    entries_added: int = 0
    expenses_removed: int = 0
    expenses_added: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.entries_removed
            or self.entries_added
            or self.expenses_removed
            or self.expenses_added
        )

    def as_dict(self) -> dict[str, int | str]:
        return {
            "agreement": self.agreement_id,
            "month": f"{self.month:%Y-%m}",
            "days_changed": self.days_changed,
            "entries_removed": self.entries_removed,
            "entries_added": self.entries_added,
            "expenses_removed": self.expenses_removed,
            "expenses_added": self.expenses_added,
        }


def hour_rows_refusals(*, actor: User, rows: list[DayRow]) -> list[RowRefusal]:
    """What :func:`hour_rows_import` would refuse of ``rows``, without storing anything."""
    refuse_auditors(actor)
    return row_refusals(rows, editable_agreements(actor, rows))


@transaction.atomic
def hour_rows_import(
    *,
    actor: User,
    rows: list[DayRow],
    with_costs: bool,
    dry_run: bool = False,
    on_checked: Callable[[], object] | None = None,
) -> list[MonthChange]:
    """Store the days of a file: each day of care becomes the day's entries, and with
    ``with_costs`` the costs of each month the rows cover become the rows' costs. Days and
    months the rows do not mention are left alone, and a day or month that already holds
    what the rows say is not touched, so storing the same rows twice changes nothing. Raises
    :class:`~.hour_checks.RowsRefused` naming every row that cannot be stored; then nothing
    is. With ``dry_run`` only say what would change. ``on_checked()`` is called once the rows
    passed the checks."""
    refuse_auditors(actor)
    agreements = editable_agreements(actor, rows)
    refusals = row_refusals(rows, agreements)
    if refusals:
        raise RowsRefused(refusals)
    if on_checked is not None:
        on_checked()
    months = _changes(rows, agreements, with_costs=with_costs, dry_run=dry_run)
    if dry_run:
        transaction.set_rollback(True)
    else:
        log_changes(
            user=actor,
            action=Action.IMPORT,
            what="import:hours",
            holder_ids=[agreements[row.agreement_id].agreement.holder_id for row in rows],
        )
    return months


def _changes(
    rows: list[DayRow],
    agreements: dict[int, EditableAgreement],
    *,
    with_costs: bool,
    dry_run: bool,
) -> list[MonthChange]:
    by_month: dict[tuple[int, date], list[DayRow]] = defaultdict(list)
    for row in rows:
        by_month[row.agreement_id, month_start(row.day)].append(row)
    if not by_month:
        return []
    entries = _existing(TimeEntry, "care_date", by_month)
    expenses = _existing(Expense, "expense_date", by_month) if with_costs else {}
    changes: list[MonthChange] = []
    remove_entries: list[int] = []
    add_entries: list[TimeEntry] = []
    remove_expenses: list[int] = []
    add_expenses: list[Expense] = []
    for (agreement_id, month), month_rows in sorted(by_month.items()):
        change = MonthChange(agreement_id, month)
        agreement = agreements[agreement_id]
        existing = entries.get((agreement_id, month), [])
        _diff_days(agreement.agreement, month_rows, existing, change, remove_entries, add_entries)
        if with_costs:
            costs = expenses.get((agreement_id, month), [])
            _diff_costs(agreement, month_rows, costs, change, remove_expenses, add_expenses)
        changes.append(change)
    if not dry_run:
        TimeEntry.objects.filter(pk__in=remove_entries).delete()
        TimeEntry.objects.bulk_create(add_entries, batch_size=2000)
        Expense.objects.filter(pk__in=remove_expenses).delete()
        Expense.objects.bulk_create(add_expenses, batch_size=2000)
        back_to_draft_many(
            (change.agreement_id, change.month) for change in changes if change.changed
        )
    return changes


_Dated = TypeVar("_Dated", TimeEntry, Expense)


def _existing(
    model: type[_Dated], date_field: str, by_month: dict[tuple[int, date], list[DayRow]]
) -> dict[tuple[int, date], list[_Dated]]:
    agreement_ids = {agreement_id for agreement_id, _month in by_month}
    first = min(month for _agreement, month in by_month)
    last = month_end(max(month for _agreement, month in by_month))
    found: dict[tuple[int, date], list[_Dated]] = defaultdict(list)
    for obj in model.objects.filter(
        agreement_id__in=agreement_ids, **{f"{date_field}__range": (first, last)}
    ).order_by(date_field, "pk"):
        key = (obj.agreement_id, month_start(getattr(obj, date_field)))
        if key in by_month:
            found[key].append(obj)
    return found


def _diff_days(
    agreement: CareAgreement,
    rows: list[DayRow],
    existing: list[TimeEntry],
    change: MonthChange,
    remove: list[int],
    add: list[TimeEntry],
) -> None:
    """Per day: a row with a quantity is the day's care; a row with neither a quantity nor a
    cost (an emptied day row or cost row) means no care, unless another row of the day has a
    quantity; a row that is only a cost leaves the day alone. A day whose row shows what is
    stored (the sum and the notes, as the template writes them) is not touched."""
    by_day: dict[date, list[TimeEntry]] = defaultdict(list)
    for entry in existing:
        by_day[entry.care_date].append(entry)
    wanted: dict[date, tuple[Decimal, str] | None] = {}
    for row in rows:
        if row.quantity is not None:
            wanted[row.day] = (row.quantity, row.note)
        elif row.cost is None:
            wanted.setdefault(row.day, None)
    for day, care in sorted(wanted.items()):
        current = by_day.get(day, [])
        if care is None or care[0] == 0:
            if not current:
                continue
        elif current and (day_quantity(current), day_note(current)) == care:
            continue
        change.days_changed += 1
        change.entries_removed += len(current)
        remove.extend(entry.pk for entry in current)
        if care is not None and care[0] != 0:
            quantity, note = care
            add.append(TimeEntry(agreement=agreement, care_date=day, quantity=quantity, note=note))
            change.entries_added += 1


def _diff_costs(
    agreement: EditableAgreement,
    rows: list[DayRow],
    existing: list[Expense],
    change: MonthChange,
    remove: list[int],
    add: list[Expense],
) -> None:
    wanted = []
    for row in rows:
        if row.cost is None:
            continue
        cost = row.cost
        kilometres, amount = expense_money(
            agreement.versions, row.day, cost["kind"], cost["amount"], cost["kilometres"]
        )
        wanted.append((row.day, cost["kind"], _km(kilometres), amount, cost["description"]))
    have = [(e.expense_date, e.kind, _km(e.kilometres), e.amount, e.description) for e in existing]
    if Counter(have) == Counter(wanted):
        return
    change.expenses_removed += len(existing)
    remove.extend(expense.pk for expense in existing)
    for day, kind, kilometres, amount, description in wanted:
        add.append(
            Expense(
                agreement=agreement.agreement,
                expense_date=day,
                kind=kind,
                kilometres=kilometres,
                amount=amount,
                description=description,
            )
        )
        change.expenses_added += 1


def _km(value: Decimal | None) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.1"))
