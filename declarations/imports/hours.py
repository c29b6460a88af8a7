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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import repeat
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from pgb_admin.accounts.scoping import refuse_auditors
from pgb_admin.core.periods import date_out_of_range, is_supported

from ..constants import ExpenseKind
from ..models import Expense, TimeEntry
from ..selectors.lists import editable_agreement_holders
from ..services.common import parse_quantity
from ..services.hour_checks import DayRow, RowCost, RowRefusal, RowsRefused
from ..services.hours import MonthChange, hour_rows_import, hour_rows_refusals
from .columns import COST_KINDS
from .problems import ImportRefused, Problem, problem
from .template import restore_text
from .uploads import Table, read_upload

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

COST_COLUMNS = ("cost_kind", "kilometres", "amount")
CENT = Decimal("0.01")
NOTE_LENGTH = TimeEntry._meta.get_field("note").max_length
DESCRIPTION_LENGTH = Expense._meta.get_field("description").max_length


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
    rows, positions = _parse(table, problems)
    if on_holders is not None:
        on_holders(
            editable_agreement_holders(user=actor, agreement_ids={r.agreement_id for r in rows})
        )
    try:
        if problems:  # the rows that were read are checked too, so every problem is listed
            refusals = hour_rows_refusals(actor=actor, rows=rows)
        else:
            months = hour_rows_import(
                actor=actor,
                rows=rows,
                with_costs=any(key in table.columns for key in COST_COLUMNS),
                dry_run=dry_run,
                on_checked=step,
            )
            refusals = []
    except RowsRefused as refused:
        refusals = refused.refusals
    problems += [
        _row_problem(table, positions[refusal.index], rows[refusal.index], refusal)
        for refusal in refusals
    ]
    if problems:
        step()
        raise ImportRefused(sorted(problems, key=lambda p: (p.sheet, p.row or 0, p.column)))
    step()
    return ImportResult(rows=len(table.rows), dry_run=dry_run, months=months)


# --- reading the values of each row ---------------------------------------------------------


class _Refused(Exception):
    def __init__(self, code: str, message, **params) -> None:
        self.code, self.message, self.params = code, message, params


#: distinct values of a column whose reading is remembered (a column of free text need not be)
REMEMBERED = 10_000
_UNREAD = object()


def _parse(table: Table, problems: list[Problem]) -> tuple[list[DayRow], Sequence[int]]:
    """The rows that read well, with their positions in ``table.rows``; a problem for every
    cell that does not. Column by column: a value that recurs (a date, a quantity, an
    agreement) is read once."""
    refused: set[int] = set()

    def column(key: str, parser) -> list | None:
        values = table.column(key)
        if values is None:
            return None  # the file lacks the column: every row leaves it empty
        read, failures = _read_column(values, parser)
        for position, failure in failures:
            refused.add(position)
            problems.append(
                problem(
                    failure.code,
                    failure.message,
                    sheet=table.sheet,
                    row=table.numbers[position],
                    column=table.columns[key],
                    value=_shown(values[position]),
                    params=failure.params,
                )
            )
        return read

    agreements = column("agreement", _agreement_id)
    days = column("date", _date)
    quantities = column("quantity", _quantity)
    notes = column("note", _note)
    costs = _costs(column)
    rows = zip(
        agreements or (),  # the required columns are there
        days or (),
        _or_empty(quantities),
        _or_empty(notes, ""),
        _or_empty(costs),
        strict=False,  # _or_empty() repeats
    )
    if not refused:
        return list(map(DayRow._make, rows)), range(len(table.rows))
    kept = [(position, row) for position, row in enumerate(rows) if position not in refused]
    return [DayRow._make(row) for _position, row in kept], [position for position, _row in kept]


def _read_column(values: Sequence, parser) -> tuple[list, list[tuple[int, _Refused]]]:
    """``parser`` of each value (None where it refuses one), and the refusals by position."""
    seen: dict[tuple[type, object], object] = {}  # by type too: 1, 1.0 and True are equal
    read: list = []
    failures: list[tuple[int, _Refused]] = []
    for position, value in enumerate(values):
        key = (value.__class__, value)
        try:
            result = seen.get(key, _UNREAD)
        except TypeError:  # not hashable: read each time
            result = _attempt(parser, value)
        else:
            if result is _UNREAD:
                result = _attempt(parser, value)
                if len(seen) < REMEMBERED:
                    seen[key] = result
        if isinstance(result, _Refused):
            failures.append((position, result))
            result = None
        read.append(result)
    return read, failures


def _or_empty(values: list | None, empty: object = None) -> Iterable:
    """The values of a column, or ``empty`` for ever when the file lacks the column."""
    return repeat(empty) if values is None else values


def _attempt(parser, value) -> object:
    try:
        return parser(value)
    except _Refused as refused:
        return refused


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
        raise _Refused(error.code or "invalid", error.message, **(error.params or {}))
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
        return parse_quantity(value)
    except ValidationError:
        raise _Refused(
            "not_a_number", _("%(value)s is not a number."), value=str(value)[:40]
        ) from None


def _quantity(value) -> Decimal | None:
    number = _number(value)
    if number is not None and abs(number) >= 1000:
        raise _Refused("out_of_range", _("%(value)s is far too large."), value=number)
    return number


def _text(length: int | None):
    def parse(value) -> str:
        text = "" if value is None else str(value).strip()
        if length is not None and len(text) > length:
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


def _note(value) -> str:
    return restore_text(_text(NOTE_LENGTH)(value)) or ""


def _description(value) -> str:
    return restore_text(_text(DESCRIPTION_LENGTH)(value)) or ""


def _costs(column) -> list[RowCost | None] | None:
    """The cost of each row (None for a row without one); None when the file has no cost
    columns. Every cost column is read, so all their problems are listed."""
    kinds = column("cost_kind", _cost_kind)
    kilometres = column("kilometres", _money)
    amounts = column("amount", _money)
    descriptions = column("description", _description)
    if kinds is None and kilometres is None and amounts is None:
        return None
    return [
        _cost(*values)
        for values in zip(
            _or_empty(kinds),
            _or_empty(kilometres),
            _or_empty(amounts),
            _or_empty(descriptions),
            strict=False,  # at least one of them does not repeat
        )
    ]


def _cost(kind, kilometres, amount, description) -> RowCost | None:
    if kind is None and kilometres is None and amount is None:
        return None
    return {
        "kind": kind or (ExpenseKind.TRAVEL if kilometres is not None else ExpenseKind.OTHER),
        "kilometres": kilometres,
        "amount": amount,
        "description": description or "",
    }


# --- what the service refused, as problems of the file ------------------------------------------

#: the column of what the service names
COLUMN_OF = {"day": "date"}


def _row_problem(table: Table, position: int, row: DayRow, refusal: RowRefusal) -> Problem:
    column = COLUMN_OF.get(refusal.field, refusal.field)
    error = refusal.error
    message: StrOrPromise
    params: dict[str, Any]
    if refusal.field == "quantity":  # the checks of a quantity share one code here
        code, message, params = "bad_quantity", "%(text)s", {"text": _rendered(error)}
    else:
        code, message, params = error.code or "invalid", error.message, error.params or {}
    return problem(
        code,
        message,
        sheet=table.sheet,
        row=table.numbers[position],
        column=table.columns.get(column, "" if column == "agreement" else column),
        value=row.agreement_id
        if refusal.field == "agreement"
        else _shown(table.value(position, column)),
        params=params,
    )


def _rendered(error: ValidationError) -> str:
    return str(error.message % error.params if error.params else error.message)
