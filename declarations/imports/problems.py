"""What an import refuses, and where: every problem names the sheet, row, column and value it
concerns (as far as it concerns one) and says what is wrong in the reader's language."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.encoding import force_str


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    sheet: str = ""
    row: int | None = None  # 1-based, as the spreadsheet numbers it
    column: str = ""  # the column letter (XLSX) or header (CSV)
    value: str = ""

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "message": self.message,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
        }

    @property
    def cell(self) -> str:
        """Where, as a spreadsheet names it: ``Uren!C7`` (XLSX), ``Aantal:7`` (CSV header)."""
        if not self.row and not self.column:
            return self.sheet or "file"
        letters = self.column.isascii() and self.column.isalpha() and self.column.isupper()
        where = f"{self.column}{self.row or ''}" if letters else f"{self.column}:{self.row or ''}"
        return f"{self.sheet}!{where}" if self.sheet else where

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                self.sheet,
                f"{self.row}" if self.row else "",
                self.column,
            )
            if part
        )
        return f"{where}: {self.message}" if where else self.message


def problem(
    code: str, message, *, sheet="", row=None, column="", value="", params=None, **named
) -> Problem:
    """A Problem with its message rendered: ``%(value)s`` is the cell's value unless
    ``params`` (or the keywords) give another."""
    shown = force_str(value) if value is not None else ""
    text = force_str(message)
    values = {"value": shown, **(params or {}), **named}
    if "%(" in text:
        text = text % values
    return Problem(code, text, sheet, row, column, shown[:100])


class ImportRefused(ValidationError):
    """Nothing was imported: the file, or some of its rows, cannot be taken. ``problems``
    lists every one of them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__([str(p) for p in self.problems] or ["import refused"], code="import")


class UploadRefused(ImportRefused):
    """The file itself is refused (too large, not a spreadsheet, a macro workbook, a bomb…)
    before any row is read."""

    @classmethod
    def because(cls, code: str, message, **params) -> "UploadRefused":
        return cls([problem(code, message, **params)])
