"""What the XLSX and the CSV reader share: the header row, the data rows counted against the
limit, cells that a spreadsheet would run as a formula, and the :class:`Table` they make."""

import re
from array import array
from dataclasses import dataclass
from operator import itemgetter

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from ..columns import normalise_header
from ..problems import ImportRefused, Problem, UploadRefused, problem
from .layout import Layout
from .limits import IMPORT_MAX_PROBLEMS, max_columns, max_rows, setting

FORMULA_STARTS = frozenset("=+-@\t\r\n")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d[\d.,]*|[.,]\d+)(?:[eE][+-]?\d+)?")


@dataclass(frozen=True)
class Table:
    sheet: str  # sheet name ("" for CSV)
    kind: str  # "xlsx" or "csv"
    header_row: int  # 1-based row number of the header
    #: column key (of the layout's columns) -> the column as users see it: the letter for XLSX
    #: ("B"), the header text for CSV; only the columns the file has, in the order of
    #: the values of a row
    columns: dict[str, str]
    #: the 1-based row number of each row of ``rows``
    numbers: array
    #: every data row with a filled known column: its values in the order of ``columns``,
    #: exactly as read (str/int/float/datetime/…; None when empty)
    rows: list[tuple]

    def column(self, key: str) -> tuple | None:
        """The values of a column, top to bottom; None when the file lacks it."""
        if key not in self.columns:
            return None
        position = list(self.columns).index(key)
        return tuple(row[position] for row in self.rows)

    def value(self, position: int, key: str) -> object:
        """The value of a column in ``rows[position]`` (None when the file lacks it)."""
        if key not in self.columns:
            return None
        return self.rows[position][list(self.columns).index(key)]

    def records(self) -> list[tuple[int, dict[str, object]]]:
        """(row number, {column key: value}) for every row: for reading, not for bulk work."""
        keys = list(self.columns)
        return [
            (number, dict(zip(keys, row, strict=True)))
            for number, row in zip(self.numbers, self.rows, strict=True)
        ]


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def header_index(header, header_row: int, sheet: str, label, layout: Layout) -> dict[str, int]:
    """Column key -> 0-based position in the header row; refuses a header without the
    required columns of the layout, with a known column twice or with too many columns."""
    by_header = {name: column for column in layout.columns for name in column.headers()}
    by_key = {column.key: column for column in layout.columns}
    filled = [(i, value) for i, value in enumerate(header) if not blank(value)]
    limit = max_columns()
    if len(filled) > limit:
        raise UploadRefused.because(
            "too_many_columns",
            _(
                "The header row has %(count)s filled cells; at most %(limit)s are allowed. "
                "Remove the columns that pgb-admin does not read."
            ),
            count=formats.number_format(len(filled), force_grouping=True),
            limit=limit,
            sheet=sheet,
            row=header_row,
        )
    positions: dict[str, list[int]] = {}
    for i, value in filled:
        column = by_header.get(normalise_header(value))
        if column is not None:
            positions.setdefault(column.key, []).append(i)
    problems = []
    missing = [c for c in layout.columns if c.required and c.key not in positions]
    if missing:
        problems.append(
            problem(
                "missing_columns",
                layout.missing_columns,
                columns=", ".join(f"{c.dutch} ({c.english})" for c in missing),
                sheet=sheet,
                row=header_row,
            )
        )
    for key, found in positions.items():
        if len(found) > 1:
            column = by_key[key]
            problems.append(
                problem(
                    "duplicate_column",
                    _(
                        "The column %(name)s appears %(count)s times in the header row "
                        "(%(labels)s). Keep one of them and remove the others."
                    ),
                    name=f"{column.dutch} ({column.english})",
                    count=len(found),
                    labels=", ".join(label(i) for i in found),
                    sheet=sheet,
                    row=header_row,
                )
            )
    if problems:
        raise UploadRefused(problems)
    return {key: found[0] for key, found in positions.items()}


class Rows:
    """Collects the data rows: skips empty ones, counts the others against the limit and
    notes every text cell that a spreadsheet would run as a formula. A row keeps only the
    values of the known columns, as one tuple."""

    def __init__(self, sheet: str, index: dict[str, int], columns: dict[str, str]) -> None:
        self.sheet, self.index = sheet, index
        self.columns = {key: columns[key] for key in index}  # in the order of the values
        self.keys = tuple(index)
        positions = tuple(index.values())
        self.width = max(positions) + 1
        # the row as read when its first cells are the known columns in order (the template);
        # else those cells (the required columns make them two or more: a tuple)
        self.pick = None if positions == tuple(range(len(positions))) else itemgetter(*positions)
        self.limit = max_rows()
        self.problem_limit = setting("IMPORT_MAX_PROBLEMS", IMPORT_MAX_PROBLEMS)
        self.numbers = array("q")
        self.rows: list[tuple] = []
        self.problems: list[Problem] = []
        self.unlisted = 0
        self.blank = None  # the last empty row: openpyxl repeats one tuple for missing rows

    def add(self, number: int, row) -> None:
        if row is self.blank:
            return
        if len(row) < self.width:
            row = (*row, *(None,) * (self.width - len(row)))
        if self.pick is not None:
            values = self.pick(row)
        elif len(row) == len(self.keys) and type(row) is tuple:
            values = row
        else:
            values = tuple(row[: len(self.keys)])
        if all(blank(value) for value in values):
            self.blank = row
            return
        if len(self.rows) >= self.limit:
            raise UploadRefused.because(
                "too_many_rows",
                _(
                    "The file has more than %(limit)s rows with data. Split the rows over "
                    "smaller files (for example one per month) and upload them one by one."
                ),
                limit=formats.number_format(self.limit, force_grouping=True),
                sheet=self.sheet,
                row=number,
            )
        for key, value in zip(self.keys, values, strict=True):
            if isinstance(value, str) and looks_like_formula(value):
                self._formula(number, key, value)
        self.numbers.append(number)
        self.rows.append(values)

    def _formula(self, number: int, key: str, value: str) -> None:
        if len(self.problems) >= self.problem_limit:
            self.unlisted += 1
            return
        self.problems.append(
            problem(
                "formula",
                _(
                    "Text that starts with =, +, -, @, a tab or a line break is run as a "
                    "formula by spreadsheets, so it is refused (numbers such as -2 are fine). "
                    "Type the value without that first character."
                ),
                sheet=self.sheet,
                row=number,
                column=self.columns[key],
                value=value,
            )
        )

    def table(self, kind: str, header_row: int) -> Table:
        if self.problems:
            if self.unlisted:
                self.problems.append(
                    problem(
                        "too_many_problems",
                        _(
                            "%(count)s more cells hold text that starts like a formula; only "
                            "the first %(limit)s are listed."
                        ),
                        count=self.unlisted,
                        limit=self.problem_limit,
                        sheet=self.sheet,
                    )
                )
            raise ImportRefused(self.problems)
        return Table(self.sheet, kind, header_row, self.columns, self.numbers, self.rows)


def looks_like_formula(value: str) -> bool:
    text = value.lstrip(" \u00a0")
    if not text or text[0] not in FORMULA_STARTS:
        return False
    return not PLAIN_NUMBER.fullmatch(text.rstrip())
