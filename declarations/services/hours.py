"""Time entries and expenses: the one place that writes them, for the pages, the API, the weekly
pattern and the import alike, each change one transaction, every change checked by
:mod:`.hour_checks`.

The hours of a month stay editable until its declaration is exported; after that, a correction
(a new declaration referencing the exported one) reopens them. A validated declaration whose
hours change goes back to draft, so nothing is exported that was not validated as it is.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from contracts.models import AgreementVersion, CareAgreement
from contracts.selectors import version_on
from pgb_admin.accounts.models import User
from pgb_admin.accounts.scoping import get_editable, refuse_auditors
from pgb_admin.audit.events import log_changes
from pgb_admin.audit.models import Action
from pgb_admin.budgets.models import BudgetHolder
from pgb_admin.core.bulk import insert_rows
from pgb_admin.core.dates import format_date
from pgb_admin.core.periods import days_of_month, month_end, month_start
from pgb_admin.figures.models import FigureLookup

from ..imports.store import insert_new
from ..imports.template import day_note, day_quantity
from ..models import Expense, TimeEntry
from ..selectors.months import locked_months
from .common import conflict, field_error, log_bulk, parse_quantity
from .declarations import back_to_draft, back_to_draft_many
from .hour_checks import (
    MONTH_DECLARED,
    DayRow,
    EditableAgreement,
    RowRefusal,
    RowsRefused,
    check_quantity,
    editable_agreements,
    entry_quantity,
    expense_money,
    month_declared,
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


# --- a week of care, across months -----------------------------------------------------------


def future_day(day: date) -> ValidationError:
    return ValidationError(
        _("%(date)s is in the future: log care once it has been given."),
        code="future_day",
        params={"date": format_date(day)},
    )


@dataclass(frozen=True)
class WeekSaved:
    days_changed: int
    entries_removed: int
    entries_added: int


@transaction.atomic
def time_entries_save_week(
    *, actor: User, holder_id: int, monday: date, entries: list[dict[str, Any]]
) -> WeekSaved:
    """Save a week of care of a holder's agreements in one go, Monday to Sunday, across
    months. Each row names ``agreement_id`` and ``care_date`` and gives ``quantity`` or
    ``start_time`` and ``end_time``, optionally ``note``; a row with neither means no care that
    day. The days the rows name become exactly their rows; the week's other days are left
    alone. Every row is checked as :func:`time_entry_add` checks it, and a day in the future,
    in a declared and exported month or outside the week is refused too; every error is named
    by its row (``entries[3].care_date``). All rows are stored or none."""
    holder = get_editable(BudgetHolder.objects, actor, pk=holder_id)
    monday = monday - timedelta(days=monday.weekday())
    sunday = monday + timedelta(days=6)
    agreements = {
        agreement.pk: agreement
        for agreement in CareAgreement.objects.editable_by(actor)
        .filter(holder=holder, pk__in={row.get("agreement_id") for row in entries})
        .prefetch_related(
            Prefetch("versions", queryset=AgreementVersion.objects.order_by("valid_from"))
        )
    }
    locked = locked_months(
        (row["agreement_id"], month_start(row["care_date"]))
        for row in entries
        if row.get("agreement_id") in agreements and isinstance(row.get("care_date"), date)
    )
    check = _WeekCheck(agreements, locked, monday, sunday, timezone.localdate(), FigureLookup())
    new_entries: list[TimeEntry] = []
    days: set[tuple[int, date]] = set()
    errors: dict[str, list[ValidationError]] = {}
    for index, row in enumerate(entries):
        try:
            entry = check.row(row)
        except ValidationError as error:
            for name, field_errors in error.error_dict.items():
                errors[f"entries[{index}].{name}"] = field_errors
            continue
        days.add((row["agreement_id"], row["care_date"]))
        if entry is not None:
            new_entries.append(entry)
    if errors:
        raise ValidationError(errors)
    removed = [
        pk
        for pk, agreement_id, day in TimeEntry.objects.filter(
            agreement_id__in=agreements, care_date__range=(monday, sunday)
        ).values_list("pk", "agreement_id", "care_date")
        if (agreement_id, day) in days
    ]
    TimeEntry.objects.filter(pk__in=removed).delete()
    created = TimeEntry.objects.bulk_create(new_entries)
    log_bulk(actor, Action.CREATE, TimeEntry, [holder.pk] * len(created))
    back_to_draft_many((agreement_id, month_start(day)) for agreement_id, day in days)
    return WeekSaved(len(days), len(removed), len(created))


@dataclass
class _WeekCheck:
    """The checks of one row of a week: the day's and the entry's (:func:`.new_entry`)."""

    agreements: dict[int, CareAgreement]
    locked: set[tuple[int, date]]
    monday: date
    sunday: date
    today: date
    figures: FigureLookup

    def row(self, row: dict[str, Any]) -> TimeEntry | None:
        agreement = self.agreements.get(row.get("agreement_id"))  # type: ignore[arg-type]
        if agreement is None:
            raise field_error(
                "agreement",
                _("This agreement is not one of the holder's that you may change."),
                "unknown_agreement",
            )
        day = row.get("care_date")
        if not isinstance(day, date) or not self.monday <= day <= self.sunday:
            raise field_error(
                "care_date",
                _("%(date)s lies outside the week."),
                "date_outside_week",
                date=format_date(day) if isinstance(day, date) else day,
            )
        if day > self.today:
            raise ValidationError({"care_date": future_day(day)})
        if (agreement.pk, month_start(day)) in self.locked:
            raise ValidationError({"care_date": month_declared(day)})
        quantity = row.get("quantity")
        start_time, end_time = row.get("start_time"), row.get("end_time")
        if quantity in (None, "") and start_time is None and end_time is None:
            return None  # no care that day
        return new_entry(
            agreement,
            list(agreement.versions.all()),
            care_date=day,
            quantity=quantity,
            start_time=start_time,
            end_time=end_time,
            note=row.get("note", ""),
            figures=self.figures,
        )


# --- filling weeks from a pattern, with a preview and an undo ----------------------------------


@dataclass(frozen=True)
class FillDay:
    day: date
    quantity: Decimal
    replaces: Decimal | None = None  # what the day held, when it is overwritten


@dataclass(frozen=True)
class FillSkip:
    day: date
    reason: str
    code: str


@dataclass
class FillPlan:
    """What filling weeks from a pattern would write, and which days it leaves out and why."""

    agreement_id: int
    days: list[FillDay] = dataclass_field(default_factory=list)
    skipped: list[FillSkip] = dataclass_field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((day.quantity for day in self.days), Decimal(0))

    @property
    def empty(self) -> bool:
        return not self.days


@dataclass
class FillDone:
    plan: FillPlan
    created_ids: list[int]
    removed: list[dict[str, str]]  # the entries overwritten, to put back on an undo


def public_holidays_named(first: date, last: date) -> dict[date, str]:
    """The Dutch public holidays from ``first`` to ``last`` with their names in the page's
    language: the calendar the validation's rule calendar.public_holiday uses (python-holidays)."""
    import holidays

    language = "en_US" if (get_language() or "nl").startswith("en") else "nl"
    found = holidays.country_holidays(
        "NL", years=range(first.year, last.year + 1), language=language
    )
    return {day: name for day, name in found.items() if first <= day <= last}


def _pattern_quantities(pattern: Mapping[int, object]) -> dict[int, Decimal]:
    quantities: dict[int, Decimal] = {}
    errors: dict[str, list[ValidationError]] = {}
    for weekday, value in pattern.items():
        if weekday not in range(7):
            raise field_error(
                "pattern", _("%(value)s is not a weekday."), "bad_weekday", value=weekday
            )
        if value in (None, ""):
            continue
        try:
            number = parse_quantity(value, field=f"pattern[{weekday}]")
        except ValidationError as error:
            errors.update(error.error_dict)
            continue
        if number:
            quantities[weekday] = number
    if errors:
        raise ValidationError(errors)
    if not quantities:
        raise field_error(
            "pattern", _("Fill in the care of at least one day of the week."), "empty_pattern"
        )
    return quantities


def _fill_plan(
    agreement: CareAgreement,
    mondays: Iterable[date],
    pattern: Mapping[int, object],
    *,
    skip_holidays: bool,
    replace: bool,
) -> FillPlan:
    quantities = _pattern_quantities(pattern)
    weeks = sorted({monday - timedelta(days=monday.weekday()) for monday in mondays})
    if not weeks:
        raise field_error("weeks", _("Choose at least one week."), "no_weeks")
    days = [monday + timedelta(days=weekday) for monday in weeks for weekday in sorted(quantities)]
    first, last = days[0], days[-1]
    versions = versions_of(agreement)
    held: dict[date, Decimal] = defaultdict(Decimal)
    for day, quantity in TimeEntry.objects.filter(
        agreement=agreement, care_date__range=(first, last)
    ).values_list("care_date", "quantity"):
        held[day] += quantity
    locked = locked_months((agreement.pk, month_start(day)) for day in days)
    holidays = public_holidays_named(first, last) if skip_holidays else {}
    today = timezone.localdate()
    figures = FigureLookup()
    plan = FillPlan(agreement.pk)
    errors: dict[str, list[ValidationError]] = {}
    for day in days:
        version = version_on(versions, day)
        skip = _skip_reason(day, version, today, locked, holidays, held, replace, agreement.pk)
        if skip is not None or version is None:  # a day outside the agreement is skipped
            plan.skipped.extend([skip] if skip else [])
            continue
        quantity = quantities[day.weekday()]
        try:
            check_quantity(quantity, version.unit, typed=True, day=day, figures=figures)
        except ValidationError as error:
            for name, field_errors in error.error_dict.items():
                key = f"pattern[{day.weekday()}]" if name == "quantity" else name
                errors.setdefault(key, field_errors)
            continue
        plan.days.append(FillDay(day, quantity, held.get(day)))
    if errors:
        raise ValidationError(errors)
    return plan


def _skip_reason(
    day: date,
    version: AgreementVersion | None,
    today: date,
    locked: set[tuple[int, date]],
    holidays: dict[date, str],
    held: dict[date, Decimal],
    replace: bool,
    agreement_id: int,
) -> FillSkip | None:
    if day > today:
        return FillSkip(day, str(_("in the future")), "future_day")
    if version is None:
        return FillSkip(day, outside_agreement(day).messages[0], "outside_agreement")
    if (agreement_id, month_start(day)) in locked:
        return FillSkip(day, month_declared(day).messages[0], "month_declared")
    if day in holidays:
        reason = _("%(name)s, a public holiday") % {"name": holidays[day]}
        return FillSkip(day, str(reason), "public_holiday")
    if day in held and not replace:
        return FillSkip(day, str(_("already has care logged")), "day_taken")
    return None


def time_entries_fill_plan(
    *,
    actor: User,
    agreement_id: int,
    mondays: Iterable[date],
    pattern: Mapping[int, object],
    skip_holidays: bool = True,
    replace: bool = False,
) -> FillPlan:
    """What :func:`time_entries_fill_weeks` would write, without writing (the preview): on
    each day of the weeks of ``mondays`` whose weekday the pattern gives ({0: '4', 2: '3,5'}:
    Monday 4, Wednesday 3.5), that quantity; never on a day in the future, outside the
    agreement or in a declared and exported month; not on a public holiday with
    ``skip_holidays``; not on a day that has care logged unless ``replace``. A quantity the
    agreement cannot take is refused (``pattern[2]``: Wednesday's)."""
    agreement = get_editable(CareAgreement.objects, actor, pk=agreement_id)
    return _fill_plan(agreement, mondays, pattern, skip_holidays=skip_holidays, replace=replace)


@transaction.atomic
def time_entries_fill_weeks(
    *,
    actor: User,
    agreement_id: int,
    mondays: Iterable[date],
    pattern: Mapping[int, object],
    skip_holidays: bool = True,
    replace: bool = False,
) -> FillDone:
    """Fill the weeks as :func:`time_entries_fill_plan` says, in one transaction. Returns
    the ids of the entries made and the entries it overwrote, which
    :func:`time_entries_undo_fill` takes to undo it. An empty plan writes nothing."""
    agreement = get_editable(CareAgreement.objects, actor, pk=agreement_id)
    plan = _fill_plan(agreement, mondays, pattern, skip_holidays=skip_holidays, replace=replace)
    overwritten = TimeEntry.objects.filter(
        agreement=agreement, care_date__in=[day.day for day in plan.days if day.replaces]
    )
    removed = [_as_row(entry) for entry in overwritten]
    overwritten.delete()
    created = TimeEntry.objects.bulk_create(
        TimeEntry(agreement=agreement, care_date=day.day, quantity=day.quantity)
        for day in plan.days
    )
    log_bulk(actor, Action.CREATE, TimeEntry, [agreement.holder_id] * len(created))
    back_to_draft_many((agreement.pk, month_start(day.day)) for day in plan.days)
    return FillDone(plan, [entry.pk for entry in created], removed)


def _as_row(entry: TimeEntry) -> dict[str, str]:
    return {
        "care_date": entry.care_date.isoformat(),
        "quantity": str(entry.quantity),
        "start_time": entry.start_time.isoformat() if entry.start_time else "",
        "end_time": entry.end_time.isoformat() if entry.end_time else "",
        "note": entry.note,
    }


def _from_row(agreement: CareAgreement, row: Mapping[str, str]) -> TimeEntry:
    return TimeEntry(
        agreement=agreement,
        care_date=date.fromisoformat(row["care_date"]),
        quantity=Decimal(row["quantity"]),
        start_time=time.fromisoformat(row["start_time"]) if row.get("start_time") else None,
        end_time=time.fromisoformat(row["end_time"]) if row.get("end_time") else None,
        note=row.get("note", ""),
    )


@transaction.atomic
def time_entries_undo_fill(
    *,
    actor: User,
    agreement_id: int,
    created_ids: Iterable[int],
    removed: Iterable[Mapping[str, str]] = (),
) -> int:
    """Undo a fill: remove exactly the entries it made that are still there, and put back
    what it overwrote on days that hold nothing now. Refused when one of those months has
    been declared and exported since. Returns how many entries were removed."""
    agreement = get_editable(CareAgreement.objects, actor, pk=agreement_id)
    made = list(
        TimeEntry.objects.filter(agreement=agreement, pk__in=list(created_ids)).values_list(
            "pk", "care_date"
        )
    )
    restore = [_from_row(agreement, row) for row in removed]
    months = {month_start(day) for _pk, day in made} | {
        month_start(entry.care_date) for entry in restore
    }
    locked = sorted(month for _agreement, month in locked_months((agreement.pk, m) for m in months))
    if locked:
        raise conflict("fill", MONTH_DECLARED, "month_declared", month=f"{locked[0]:%m-%Y}")
    TimeEntry.objects.filter(pk__in=[pk for pk, _day in made]).delete()
    taken = set(
        TimeEntry.objects.filter(
            agreement=agreement, care_date__in={entry.care_date for entry in restore}
        ).values_list("care_date", flat=True)
    )
    restored = TimeEntry.objects.bulk_create(
        entry for entry in restore if entry.care_date not in taken
    )
    log_bulk(actor, Action.CREATE, TimeEntry, [agreement.holder_id] * len(restored))
    back_to_draft_many((agreement.pk, month) for month in months)
    return len(made)


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
        holder_of = {pk: agreement.agreement.holder_id for pk, agreement in agreements.items()}
        log_changes(
            user=actor,
            action=Action.IMPORT,
            what="import:hours",
            holder_ids=(holder_of[row.agreement_id] for row in rows),
        )
    return months


#: what a new time entry of a file is made of, in this order (the others stay empty)
ENTRY_FIELDS = ("agreement_id", "care_date", "quantity", "note", "created_at", "updated_at")


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
    entries = _stored_days(by_month)
    expenses = _existing(Expense, "expense_date", by_month) if with_costs else {}
    changes: list[MonthChange] = []
    remove_entries: list[int] = []
    add_entries: list[tuple[Any, ...]] = []  # ENTRY_FIELDS
    now = timezone.now()
    remove_expenses: list[int] = []
    add_expenses: list[Expense] = []
    for (agreement_id, month), month_rows in sorted(by_month.items()):
        change = MonthChange(agreement_id, month)
        _diff_days(agreement_id, month_rows, entries, change, remove_entries, add_entries, now)
        if with_costs:
            costs = expenses.get((agreement_id, month), [])
            agreement = agreements[agreement_id]
            _diff_costs(agreement, month_rows, costs, change, remove_expenses, add_expenses)
        changes.append(change)
    if not dry_run:
        TimeEntry.objects.filter(pk__in=remove_entries).delete()
        insert_rows(TimeEntry, ENTRY_FIELDS, add_entries)
        Expense.objects.filter(pk__in=remove_expenses).delete()
        insert_new(Expense, add_expenses)
        back_to_draft_many(
            (change.agreement_id, change.month) for change in changes if change.changed
        )
    return changes


class StoredEntry(NamedTuple):
    pk: int
    quantity: Decimal
    note: str


def _stored_days(
    by_month: dict[tuple[int, date], list[DayRow]],
) -> dict[tuple[int, date], list[StoredEntry]]:
    """The stored entries of the rows' agreements and months by agreement and day, in the
    order the template shows them (one query, no model instances)."""
    agreement_ids = {agreement_id for agreement_id, _month in by_month}
    first = min(month for _agreement, month in by_month)
    last = month_end(max(month for _agreement, month in by_month))
    found: dict[tuple[int, date], list[StoredEntry]] = defaultdict(list)
    for pk, agreement_id, day, quantity, note in (
        TimeEntry.objects.filter(agreement_id__in=agreement_ids, care_date__range=(first, last))
        .order_by("care_date", "pk")
        .values_list("pk", "agreement_id", "care_date", "quantity", "note")
    ):
        found[agreement_id, day].append(StoredEntry(pk, quantity, note))
    return found


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
    agreement_id: int,
    rows: list[DayRow],
    stored: dict[tuple[int, date], list[StoredEntry]],
    change: MonthChange,
    remove: list[int],
    add: list[tuple[Any, ...]],
    now: datetime,
) -> None:
    """Per day: a row with a quantity is the day's care; a row with neither a quantity nor a
    cost (an emptied day row or cost row) means no care, unless another row of the day has a
    quantity; a row that is only a cost leaves the day alone. A day whose row shows what is
    stored (the sum and the notes, as the template writes them) is not touched."""
    wanted: dict[date, tuple[Decimal, str] | None] = {}
    for row in rows:
        if row.quantity is not None:
            wanted[row.day] = (row.quantity, row.note)
        elif row.cost is None:
            wanted.setdefault(row.day, None)
    for day, care in sorted(wanted.items()):
        current = stored.get((agreement_id, day), ())
        if care is None or care[0] == 0:
            if not current:
                continue
        elif current and (day_quantity(current), day_note(current)) == care:
            continue
        change.days_changed += 1
        change.entries_removed += len(current)
        remove.extend(entry.pk for entry in current)
        if care is not None and care[0] != 0:
            add.append((agreement_id, day, *care, now, now))
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
