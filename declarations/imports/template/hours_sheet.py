"""The sheet the import reads: the headers, the rows, which cells are open, and the data
validations that stop a wrong value in Excel already."""

from collections import defaultdict
from typing import Literal

from openpyxl.styles import PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation

from pgb_admin.core.dates import format_month
from pgb_admin.core.periods import month_end
from pgb_admin.core.spreadsheets import BOLD, sheet_value
from pgb_admin.figures.constants import RateUnit

from ..columns import COLUMNS
from . import text
from .rows import EXTRA_HEADERS, Sheet

DATE_FORMAT = "yyyy-mm-dd"
POSITION = {column.key: index for index, column in enumerate(COLUMNS, start=1)}
LETTER = {key: get_column_letter(index) for key, index in POSITION.items()}
WIDTHS = {
    "agreement": 18,
    "date": 12,
    "quantity": 10,
    "note": 32,
    "cost_kind": 14,
    "kilometres": 12,
    "amount": 12,
    "description": 32,
}
NUMBER_FORMATS = {"kilometres": "0.0", "amount": "0.00"}

UNLOCKED = Protection(locked=False)
HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")
LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")

#: the kinds of data validation the sheet uses
ValidationKind = Literal["whole", "decimal", "list", "date"]

#: unit -> (validation type, lowest, highest)
QUANTITY_RULES: dict[str, tuple[ValidationKind, str, str]] = {
    RateUnit.HOUR: ("decimal", "0", "24"),
    RateUnit.DAY_PART: ("whole", "0", "3"),
    RateUnit.DAY: ("whole", "0", "1"),
}


def protect(worksheet) -> None:
    """Protected without a password: a guide against mistakes, not a lock against people."""
    protection = worksheet.protection
    protection.sheet = True
    protection.formatColumns = False  # widening a column is fine
    protection.formatRows = False
    protection.selectLockedCells = False
    protection.selectUnlockedCells = False


def write_hours(worksheet, sheet: Sheet) -> None:
    extra = list(EXTRA_HEADERS) if sheet.with_people else []
    headers = [column.dutch for column in COLUMNS] + extra
    for index, header in enumerate(headers, start=1):
        cell = worksheet.cell(row=1, column=index, value=header)
        cell.font = BOLD
        cell.fill = HEADER_FILL
    keys = [column.key for column in COLUMNS] + extra
    for number, row in enumerate(sheet.rows, start=2):
        for index, key in enumerate(keys, start=1):
            value = row.values.get(key)
            if value == "":
                value = None
            cell = worksheet.cell(row=number, column=index, value=sheet_value(value))
            if key == "date":
                cell.number_format = DATE_FORMAT
            elif key in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[key]
            if key in row.unlocked:
                cell.protection = UNLOCKED
            elif key in POSITION and key not in ("agreement", "date"):
                cell.fill = LOCKED_FILL
    for key, width in WIDTHS.items():
        worksheet.column_dimensions[LETTER[key]].width = width
    for index in range(len(COLUMNS) + 1, len(headers) + 1):
        worksheet.column_dimensions[get_column_letter(index)].width = 28
    worksheet.freeze_panes = "A2"
    _validations(worksheet, sheet)
    protect(worksheet)


def _runs(numbers: list[int], letter: str) -> str:
    """Row numbers as ranges of consecutive rows: 'C2:C32 C40:C45'."""
    ranges: list[tuple[int, int]] = []
    for number in numbers:
        if ranges and number == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], number)
        else:
            ranges.append((number, number))
    return " ".join(f"{letter}{first}:{letter}{last}" for first, last in ranges)


def _validation(
    kind: ValidationKind, key: str, numbers: list[int], error, **options
) -> DataValidation:
    """A rule on the rows ``numbers`` of the column ``key``, titled with the column's name, its
    error in Dutch and English."""
    validation = DataValidation(
        type=kind,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle=text.both(text.NAMES[key]),
        error=text.both(error),
        **options,
    )
    validation.sqref = MultiCellRange(_runs(numbers, LETTER[key]))
    return validation


def _validations(worksheet, sheet: Sheet) -> None:
    by_unit = defaultdict(list)
    by_key = defaultdict(list)
    for number, row in enumerate(sheet.rows, start=2):
        if row.unit in QUANTITY_RULES:
            by_unit[row.unit].append(number)
        for key in row.unlocked:
            by_key[key].append(number)
    rules = []
    for unit, (kind, low, high) in QUANTITY_RULES.items():
        if by_unit[unit]:
            error = text.QUANTITY_ERRORS[unit]
            rules.append(
                _validation(
                    kind,
                    "quantity",
                    by_unit[unit],
                    error,
                    operator="between",
                    formula1=low,
                    formula2=high,
                )
            )
    for key in ("kilometres", "amount"):
        if by_key[key]:
            rules.append(
                _validation(
                    "decimal",
                    key,
                    by_key[key],
                    text.NUMBER_ERROR,
                    operator="greaterThanOrEqual",
                    formula1="0",
                )
            )
    if by_key["cost_kind"]:
        rules.append(
            _validation(
                "list",
                "cost_kind",
                by_key["cost_kind"],
                text.COST_KIND_ERROR,
                formula1='"reiskosten,overig"',
            )
        )
    if by_key["date"]:
        month, last = sheet.month, month_end(sheet.month)

        def date_error() -> str:
            return text.DATE_ERROR % {"month": format_month(month), "example": f"{month:%Y-%m}-05"}

        rules.append(
            _validation(
                "date",
                "date",
                by_key["date"],
                date_error,
                operator="between",
                formula1=f"DATE({month.year},{month.month},1)",
                formula2=f"DATE({last.year},{last.month},{last.day})",
            )
        )
    if by_key["agreement"]:
        numbers = ",".join(str(pk) for pk in sheet.open_ids)
        rows, error = by_key["agreement"], text.AGREEMENT_ERROR
        if len(numbers) <= 250:  # Excel's limit for a list typed into the rule
            rule = _validation("list", "agreement", rows, error, formula1=f'"{numbers}"')
        else:
            rule = _validation(
                "whole", "agreement", rows, error, operator="greaterThanOrEqual", formula1="1"
            )
        rules.append(rule)
    for rule in rules:
        worksheet.add_data_validation(rule)
