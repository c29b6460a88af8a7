"""Values for files a spreadsheet opens: the exports, the hours templates, the reports and
the evidence packs.

Text that a spreadsheet could take for a formula (starting with = + - @, a tab, a carriage
return, a line feed or a NUL: OWASP's CSV injection list and ASVS 1.2.10) is prefixed with an
apostrophe, so no export ever runs anything when opened. :func:`neutralise` does that for every
CSV field and :func:`sheet_value` for every worksheet cell.
"""

import csv
import io

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
BOLD = Font(bold=True)
MONEY_FORMAT = "#,##0.00"


def neutralise(value):
    """Text that starts like a formula gets a leading apostrophe; everything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def sheet_value(value):
    """A value for a worksheet cell: neutralised, and without the control characters that XML
    cannot hold (a name or note with one would otherwise break the whole file)."""
    if isinstance(value, str) and not value.isprintable():  # the quick test first
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return neutralise(value)


def csv_writer(buffer: io.StringIO):
    """The CSV dialect of every file we write: ``;`` separated (Dutch Excel), CRLF lines."""
    return csv.writer(buffer, delimiter=";", lineterminator="\r\n")


def csv_bytes(header: list[str], rows) -> bytes:
    """A header and rows as CSV in UTF-8 with a byte-order mark (so Excel reads the accents),
    every field neutralised."""
    buffer = io.StringIO(newline="")
    writer = csv_writer(buffer)
    writer.writerow(header)
    writer.writerows([neutralise(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")
