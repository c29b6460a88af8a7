"""The import of hours and costs from an uploaded XLSX or CSV: every row checked with the same
rules as the forms, every problem reported with its sheet, row, column and value, and all rows
stored or none.

What a file means:

- a row with a quantity is the care of that agreement on that day (the day's entries become
  that quantity); a row with neither a quantity nor a cost means no care that day;
- a row with a cost and no quantity is only a cost (the template puts costs on rows of their
  own); when the file has cost columns, the costs of each month it covers become the costs of
  the file;
- days and months the file does not mention are left alone; a month whose declaration is
  exported refuses every row for it. Importing the same file twice changes nothing the second
  time; a changed file changes only what changed, and only in open months.

Agreements the user may not change get the same answer as agreements that do not exist.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from contracts.models import AgreementVersion, CareAgreement
from contracts.selectors import version_on
from pgb_admin.accounts.scoping import refuse_auditors
from pgb_admin.audit.events import log_changes
from pgb_admin.audit.models import Action
from pgb_admin.core.dates import format_date
from pgb_admin.core.money import round_money
from pgb_admin.core.periods import date_out_of_range, is_supported, month_end, month_start
from pgb_admin.figures.models import FigureLookup

from .. import services
from ..constants import ExpenseKind
from ..models import Expense, TimeEntry
from .columns import COST_KINDS
from .problems import ImportRefused, Problem, problem
from .template import day_note, day_quantity, restore_text
from .uploads import Table, read_upload

COST_COLUMNS = ("cost_kind", "kilometres", "amount")
CENT = Decimal("0.01")
NOTE_LENGTH = TimeEntry._meta.get_field("note").max_length
DESCRIPTION_LENGTH = Expense._meta.get_field("description").max_length


@dataclass(frozen=True)
class Row:
    number: int
    agreement_id: int
    day: date
    quantity: Decimal | None
    note: str
    cost: dict | None  # kind, kilometres, amount, description
    raw: dict = field(default_factory=dict, compare=False)  # the cells as read, for problems


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

    def as_dict(self) -> dict:
        return {
            "agreement": self.agreement_id,
            "month": f"{self.month:%Y-%m}",
            "days_changed": self.days_changed,
            "entries_removed": self.entries_removed,
            "entries_added": self.entries_added,
            "expenses_removed": self.expenses_removed,
            "expenses_added": self.expenses_added,
        }


@dataclass
class ImportResult:
    rows: int
    dry_run: bool
    months: list[MonthChange] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(change, name) for change in self.months)

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "dry_run": self.dry_run,
            "changed": any(change.changed for change in self.months),
            **{
                name: self.total(name)
                for name in (
                    "entries_removed",
                    "entries_added",
                    "expenses_removed",
                    "expenses_added",
                )
            },
            "months": [change.as_dict() for change in self.months],
        }


#: the steps an import reports to ``on_step``: read the file, check the rows, store them
STEPS = 3


def hours_import(
    *, actor, filename: str, content: bytes, dry_run: bool = False, on_step=None, on_holders=None
) -> ImportResult:
    """Import the file's hours and costs for ``actor``; with ``dry_run`` only say what would
    change. Raises :class:`ImportRefused` listing every problem; then nothing is stored.
    ``on_step()`` is called after each of the :data:`STEPS` (for a task's progress);
    ``on_holders(ids)`` once the holders of the file's agreements are known (for what a
    task's run is about)."""
    step = on_step or (lambda: None)
    refuse_auditors(actor)
    table = read_upload(filename, content)
    step()
    problems: list[Problem] = []
    rows = _parse(table, problems)
    agreements = _agreements(actor, {row.agreement_id for row in rows})
    if on_holders is not None:
        on_holders({agreement.holder_id for agreement in agreements.values()})
    rows = _check_scope_and_days(table, rows, agreements, problems)
    step()
    if problems:
        raise ImportRefused(sorted(problems, key=lambda p: (p.sheet, p.row or 0, p.column)))
    with_costs = any(key in table.columns for key in COST_COLUMNS)
    with transaction.atomic():
        months = _apply(rows, agreements, with_costs=with_costs, dry_run=dry_run)
        if dry_run:
            transaction.set_rollback(True)
        else:
            log_changes(
                user=actor,
                action=Action.IMPORT,
                what="import:hours",
                holder_ids=[agreements[row.agreement_id].holder_id for row in rows],
            )
    step()
    return ImportResult(rows=len(table.rows), dry_run=dry_run, months=months)


# --- reading the values of each row ---------------------------------------------------------


class _Refused(Exception):
    def __init__(self, code: str, message, **params) -> None:
        self.code, self.message, self.params = code, message, params


def _parse(table: Table, problems: list[Problem]) -> list[Row]:
    rows = []
    for number, values in table.rows:
        row_problems = []

        def read(key, parser, values=values, number=number, row_problems=row_problems):
            try:
                return parser(values.get(key))
            except _Refused as refused:
                row_problems.append(
                    problem(
                        refused.code,
                        refused.message,
                        sheet=table.sheet,
                        row=number,
                        column=table.columns.get(key, key),
                        value=_shown(values.get(key)),
                        params=refused.params,
                    )
                )
                return None

        agreement_id = read("agreement", _agreement_id)
        day = read("date", _date)
        quantity = read("quantity", _quantity)
        note = restore_text(read("note", _text(NOTE_LENGTH)))
        cost = _cost(values, read)
        problems.extend(row_problems)
        if not row_problems:
            rows.append(Row(number, agreement_id, day, quantity, note or "", cost, values))
    return rows


def _shown(value) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return "" if value is None else str(value)


def _agreement_id(value) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value if value is not None else "").strip()
    if not text:
        raise _Refused("required", _("Fill in the agreement's number."))
    if not text.isdigit() or len(text) > 12:
        raise _Refused("bad_agreement", _("%(value)s is not an agreement number."), value=text)
    return int(text)


DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y")


def _date(value) -> date:
    """The cell's day, within the supported range (:mod:`pgb_admin.core.periods`)."""
    day = _day(value)
    if not is_supported(day):
        error = date_out_of_range()
        raise _Refused(error.code, error.message, **error.params)
    return day


def _day(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _excel_serial(value)
    text = str(value or "").strip()
    if not text:
        raise _Refused("required", _("Fill in the date."))
    for text_format in DATE_FORMATS:
        try:
            return datetime.strptime(text, text_format).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
    raise _Refused(
        "bad_date", _("%(value)s is not a date: write 2026-10-05 or 5-10-2026."), value=text[:40]
    )


def _excel_serial(number: float) -> date:
    from openpyxl.utils.datetime import from_excel

    if not 1 <= number <= 2_958_465:  # 1900-01-01 .. 9999-12-31
        raise _Refused("bad_date", _("%(value)s is not a date."), value=number)
    return from_excel(number).date()


def _number(value) -> Decimal | None:
    """A number as a spreadsheet gives it (a float from Excel, '7,5' typed as text)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _Refused("not_a_number", _("%(value)s is not a number."), value=value)
    if isinstance(value, float):
        value = repr(round(value, 6))
    try:
        return services.parse_quantity(value)
    except ValidationError:
        raise _Refused(
            "not_a_number", _("%(value)s is not a number."), value=str(value)[:40]
        ) from None


def _quantity(value) -> Decimal | None:
    number = _number(value)
    if number is not None and abs(number) >= 1000:
        raise _Refused("out_of_range", _("%(value)s is far too large."), value=number)
    return number


def _text(length: int):
    def parse(value) -> str:
        text = "" if value is None else str(value).strip()
        if len(text) > length:
            raise _Refused("too_long", _("At most %(length)s characters."), length=length)
        return text

    return parse


def _cost_kind(value) -> str | None:
    text = " ".join(str(value or "").split()).casefold()
    if not text:
        return None
    if text not in COST_KINDS:
        raise _Refused(
            "bad_cost_kind",
            _("%(value)s is not a kind of cost: use reiskosten or overig."),
            value=str(value)[:40],
        )
    return COST_KINDS[text]


def _money(value) -> Decimal | None:
    number = _number(value)
    if number is None:
        return None
    if number < 0:
        raise _Refused("negative_value", _("%(value)s is negative."), value=number)
    if number >= 1_000_000:
        raise _Refused("out_of_range", _("%(value)s is far too large."), value=number)
    if number != number.quantize(CENT):
        raise _Refused(
            "too_many_decimals", _("%(value)s has more than two decimals."), value=number
        )
    return number


def _cost(values: dict, read) -> dict | None:
    kind = read("cost_kind", _cost_kind)
    kilometres = read("kilometres", _money)
    amount = read("amount", _money)
    description = restore_text(read("description", _text(DESCRIPTION_LENGTH)))
    if kind is None and kilometres is None and amount is None:
        return None
    return {
        "kind": kind or (ExpenseKind.TRAVEL if kilometres is not None else ExpenseKind.OTHER),
        "kilometres": kilometres,
        "amount": amount,
        "description": description or "",
    }


# --- the rows against the agreements ---------------------------------------------------------


def _agreements(actor, ids: set[int]) -> dict[int, CareAgreement]:
    if not ids:
        return {}
    agreements = CareAgreement.objects.editable_by(actor).filter(pk__in=ids)
    found = {agreement.pk: agreement for agreement in agreements}
    versions = AgreementVersion.objects.filter(agreement_id__in=found).order_by("valid_from")
    by_agreement = defaultdict(list)
    for version in versions:
        by_agreement[version.agreement_id].append(version)
    for agreement_id, agreement in found.items():
        agreement.import_versions = by_agreement[agreement_id]
    return found


def _check_scope_and_days(table, rows, agreements, problems) -> list[Row]:
    figures = FigureLookup()
    locked = services.locked_months(
        (row.agreement_id, month_start(row.day)) for row in rows if row.agreement_id in agreements
    )
    care_days = Counter((row.agreement_id, row.day) for row in rows if row.quantity is not None)
    checked = []
    for row in rows:
        where = {"sheet": table.sheet, "row": row.number}
        agreement = agreements.get(row.agreement_id)
        if agreement is None:
            problems.append(
                problem(
                    "unknown_agreement",
                    _("There is no agreement %(value)s that you may change."),
                    column=table.columns.get("agreement", ""),
                    value=row.agreement_id,
                    **where,
                )
            )
            continue
        version = version_on(agreement.import_versions, row.day)
        is_locked = (row.agreement_id, month_start(row.day)) in locked
        error = _row_error(row, version, is_locked, care_days, figures)
        if error is not None:
            column, refused = error
            problems.append(
                problem(
                    refused.code,
                    refused.message,
                    column=table.columns.get(column, column),
                    value=_shown(row.raw.get(column)),
                    **where,
                    params=refused.params,
                )
            )
            continue
        checked.append(row)
    return checked


def _row_error(row: Row, version, locked: bool, care_days, figures):
    """What is wrong with a row against its agreement, as (column, _Refused), or None."""
    if locked:
        return "date", _Refused(
            "month_declared",
            _("%(month)s is declared and exported: its hours and costs can no longer change."),
            month=f"{row.day:%m-%Y}",
        )
    if version is None:
        return "date", _Refused(
            "outside_agreement",
            _("The agreement does not run on %(date)s."),
            date=format_date(row.day),
        )
    if row.quantity is not None:
        if care_days[(row.agreement_id, row.day)] > 1:
            return "date", _Refused(
                "day_twice",
                _("%(date)s has care on more than one row."),
                date=format_date(row.day),
            )
        try:
            services.check_quantity(
                row.quantity, version.unit, typed=True, day=row.day, figures=figures
            )
        except ValidationError as error:
            return "quantity", _Refused("bad_quantity", "%(text)s", text=_first_message(error))
    if row.cost is not None and row.cost["amount"] is None:
        if row.cost["kind"] != ExpenseKind.TRAVEL or row.cost["kilometres"] is None:
            return "amount", _Refused("required", _("Fill in the amount."))
        if version.travel_allowance_per_km is None:
            return "amount", _Refused(
                "no_travel_allowance",
                _("No travel allowance per km is agreed: fill in the amount."),
            )
    return None


def _first_message(error) -> str:
    messages = getattr(error, "messages", None)
    return str(messages[0]) if messages else str(error)


# --- storing: only what changed -----------------------------------------------------------


def _apply(rows: list[Row], agreements, *, with_costs: bool, dry_run: bool) -> list[MonthChange]:
    by_month: dict[tuple[int, date], list[Row]] = defaultdict(list)
    for row in rows:
        by_month[row.agreement_id, month_start(row.day)].append(row)
    if not by_month:
        return []
    entries = _existing(TimeEntry, "care_date", by_month)
    expenses = _existing(Expense, "expense_date", by_month) if with_costs else {}
    changes, remove_entries, add_entries, remove_expenses, add_expenses = [], [], [], [], []
    for (agreement_id, month), month_rows in sorted(by_month.items()):
        change = MonthChange(agreement_id, month)
        agreement = agreements[agreement_id]
        _diff_days(
            agreement,
            month_rows,
            entries.get((agreement_id, month), []),
            change,
            remove_entries,
            add_entries,
        )
        if with_costs:
            _diff_costs(
                agreement,
                month_rows,
                expenses.get((agreement_id, month), []),
                change,
                remove_expenses,
                add_expenses,
            )
        changes.append(change)
    if not dry_run:
        TimeEntry.objects.filter(pk__in=remove_entries).delete()
        TimeEntry.objects.bulk_create(add_entries, batch_size=2000)
        Expense.objects.filter(pk__in=remove_expenses).delete()
        Expense.objects.bulk_create(add_expenses, batch_size=2000)
        services.back_to_draft_many(
            (change.agreement_id, change.month) for change in changes if change.changed
        )
    return changes


def _existing(model, date_field: str, by_month) -> dict[tuple[int, date], list]:
    agreement_ids = {agreement_id for agreement_id, _month in by_month}
    first = min(month for _agreement, month in by_month)
    last = month_end(max(month for _agreement, month in by_month))
    found = defaultdict(list)
    for obj in model.objects.filter(
        agreement_id__in=agreement_ids, **{f"{date_field}__range": (first, last)}
    ).order_by(date_field, "pk"):
        key = (obj.agreement_id, month_start(getattr(obj, date_field)))
        if key in by_month:
            found[key].append(obj)
    return found


def _diff_days(agreement, rows, existing, change, remove, add) -> None:
    """Per day: a row with a quantity is the day's care; a row with neither a quantity nor a
    cost (an emptied day row or cost row) means no care, unless another row of the day has a
    quantity; a row that is only a cost leaves the day alone. A day whose row shows what is
    stored (the sum and the notes, as the template writes them) is not touched."""
    by_day = defaultdict(list)
    for entry in existing:
        by_day[entry.care_date].append(entry)
    wanted: dict[date, tuple | None] = {}
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


def _diff_costs(agreement, rows, existing, change, remove, add) -> None:
    wanted = []
    for row in rows:
        if row.cost is None:
            continue
        cost = row.cost
        amount = cost["amount"]
        if amount is None:
            version = version_on(agreement.import_versions, row.day)
            amount = round_money(cost["kilometres"] * version.travel_allowance_per_km)
        wanted.append((row.day, cost["kind"], _km(cost["kilometres"]), amount, cost["description"]))
    have = [(e.expense_date, e.kind, _km(e.kilometres), e.amount, e.description) for e in existing]
    if Counter(have) == Counter(wanted):
        return
    change.expenses_removed += len(existing)
    remove.extend(expense.pk for expense in existing)
    for day, kind, kilometres, amount, description in wanted:
        add.append(
            Expense(
                agreement=agreement,
                expense_date=day,
                kind=kind,
                kilometres=kilometres,
                amount=amount,
                description=description,
            )
        )
        change.expenses_added += 1


def _km(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.1"))
