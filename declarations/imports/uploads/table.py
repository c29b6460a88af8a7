"""What the XLSX and the CSV reader share: the header row, the data rows counted against the
limit, cells that a spreadsheet would run as a formula, and the :class:`Table` they make."""

import re
from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from ..columns import BY_HEADER, COLUMNS, normalise_header
from ..problems import ImportRefused, Problem, UploadRefused, problem
from .limits import IMPORT_MAX_PROBLEMS, max_columns, max_rows, setting

FORMULA_STARTS = frozenset("=+-@\t\r\n")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d[\d.,]*|[.,]\d+)(?:[eE][+-]?\d+)?")

REQUIRED = tuple(column for column in COLUMNS if column.required)
BY_KEY = {column.key: column for column in COLUMNS}


@dataclass(frozen=True)
class Table:
    sheet: str  # sheet name ("" for CSV)
    kind: str  # "xlsx" or "csv"
    header_row: int  # 1-based row number of the header
    #: column key (``columns.COLUMNS``) -> the column as users see it: the letter for XLSX
    #: ("B"), the header text for CSV; only the columns the file has
    columns: dict[str, str]
    #: (1-based row number, {column key: value}) for every data row with a filled known
    #: column; the values exactly as read (str/int/float/datetime/…; None when empty)
    rows: list[tuple[int, dict[str, object]]]


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def header_index(header, header_row: int, sheet: str, label) -> dict[str, int]:
    """Column key -> 0-based position in the header row; refuses a header without the
    required columns, with a known column twice or with too many columns."""
    filled = [(i, value) for i, value in enumerate(header) if not blank(value)]
    limit = max_columns()
    if len(filled) > limit:
        raise UploadRefused.because(
            "too_many_columns",
            _(
                "The header row has %(count)s filled cells; at most %(limit)s are allowed. "
                "Remove the columns that are not part of the hours template."
            ),
            count=formats.number_format(len(filled), force_grouping=True),
            limit=limit,
            sheet=sheet,
            row=header_row,
        )
    positions: dict[str, list[int]] = {}
    for i, value in filled:
        column = BY_HEADER.get(normalise_header(value))
        if column is not None:
            positions.setdefault(column.key, []).append(i)
    problems = []
    missing = [column for column in REQUIRED if column.key not in positions]
    if missing:
        problems.append(
            problem(
                "missing_columns",
                _(
                    "The header row lacks the column(s) %(columns)s. Use the hours template "
                    "of pgb-admin, or write these names in the first filled row."
                ),
                columns=", ".join(f"{c.dutch} ({c.english})" for c in missing),
                sheet=sheet,
                row=header_row,
            )
        )
    for key, found in positions.items():
        if len(found) > 1:
            column = BY_KEY[key]
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
    notes every text cell that a spreadsheet would run as a formula."""

    def __init__(self, sheet: str, index: dict[str, int], columns: dict[str, str]) -> None:
        self.sheet, self.index, self.columns = sheet, index, columns
        self.limit = max_rows()
        self.problem_limit = setting("IMPORT_MAX_PROBLEMS", IMPORT_MAX_PROBLEMS)
        self.rows: list[tuple[int, dict[str, object]]] = []
        self.problems: list[Problem] = []
        self.unlisted = 0
        self.blank = None  # the last empty row: openpyxl repeats one tuple for missing rows

    def add(self, number: int, row) -> None:
        if row is self.blank:
            return
        width = len(row)
        values = {key: row[i] if i < width else None for key, i in self.index.items()}
        if all(blank(value) for value in values.values()):
            self.blank = row
            return
        if len(self.rows) >= self.limit:
            raise UploadRefused.because(
                "too_many_rows",
                _(
                    "The file has more than %(limit)s rows with data. Split the hours over "
                    "smaller files (for example one per month) and upload them one by one."
                ),
                limit=formats.number_format(self.limit, force_grouping=True),
                sheet=self.sheet,
                row=number,
            )
        for key, value in values.items():
            if isinstance(value, str) and looks_like_formula(value):
                self._formula(number, key, value)
        self.rows.append((number, values))

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
        return Table(self.sheet, kind, header_row, dict(self.columns), self.rows)


def looks_like_formula(value: str) -> bool:
    text = value.lstrip(" \u00a0")
    if not text or text[0] not in FORMULA_STARTS:
        return False
    return not PLAIN_NUMBER.fullmatch(text.rstrip())
