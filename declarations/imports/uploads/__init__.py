"""Reading an uploaded hours file (XLSX or CSV) safely: the bytes become a header and rows, or
the file is refused with a stable code and a message that says what is wrong and what to do.

Nothing here validates the values of a row (the import service does that); this module only
makes sure that a hostile or broken file cannot crash, hang or exhaust the server:

- the kind is decided by the content, not by the name (a renamed PDF is not a spreadsheet);
- a ZIP (XLSX) is checked from its central directory before anything is unpacked: the number
  of members, the total unpacked size and each member's compression ratio (zip bombs); members
  are never unpacked beyond their declared size (``zipfile`` stops there and checks the CRC);
- XML parts may not declare a DOCTYPE or entities (billion laughs, external entities); openpyxl
  parses with defusedxml as a second line of defence;
- macro workbooks and old ``.xls`` files are refused with a hint how to save the file;
- the sheet is streamed (openpyxl read-only mode) and rows are counted while reading: the
  dimension a file claims is not trusted, empty rows cost next to nothing, and reading stops
  as soon as there are more rows than allowed;
- text that a spreadsheet would run as a formula (``=1+1``, ``@SUM(A1)``, ``+cmd``) is refused
  cell by cell.

Modules: ``limits`` (the settings), ``layout`` (the columns read and the advice that names
where they belong: the hours template's unless given), ``xlsx`` and ``csv_file`` (the two
readers), ``table`` (what they share: header, rows, formula cells) and ``refusals`` (the
messages).

Every refusal is an :class:`~declarations.imports.problems.UploadRefused` (the file) or an
:class:`~declarations.imports.problems.ImportRefused` (cells); no other exception leaves
:func:`read_upload`.
"""

import logging

from django.utils.translation import gettext_lazy as _

from ..problems import ImportRefused, UploadRefused
from .csv_file import read_csv
from .layout import HOURS, Layout
from .limits import (
    HEADER_ROWS,
    IMPORT_MAX_BYTES,
    IMPORT_MAX_ROWS,
    max_columns,
    max_rows,
    max_upload_bytes,
    megabytes,
)
from .refusals import defused, macro_workbook, not_a_spreadsheet, unreadable, xml_entities
from .table import Table
from .xlsx import read_xlsx

__all__ = [
    "HEADER_ROWS",
    "IMPORT_MAX_BYTES",
    "IMPORT_MAX_ROWS",
    "Layout",
    "Table",
    "max_columns",
    "max_rows",
    "max_upload_bytes",
    "read_upload",
]

logger = logging.getLogger(__name__)

MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam")
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
OTHER_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",  # JPEG
    b"GIF8",
    b"\x1f\x8b",  # gzip
    b"BZh",
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!",
    b"{\\rtf",
)


def read_upload(filename: str, content: bytes, layout: Layout = HOURS) -> Table:
    """The header and rows of an uploaded hours file (or of another ``layout``).
    Raises :class:`UploadRefused` when the file cannot be taken, :class:`ImportRefused`
    listing every cell that holds a formula."""
    kind = "file"
    try:
        if isinstance(content, str):
            content = content.encode("utf-8")
        content = bytes(content or b"")
        name = str(filename or "").strip().casefold()
        kind = _kind(name, content, layout)
        if kind == "xlsx":
            return read_xlsx(content, layout)
        return read_csv(name, content, layout)
    except ImportRefused:
        raise
    except Exception as error:
        if defused(error):
            raise xml_entities(layout) from None
        logger.info("unreadable %s upload: %s", kind, type(error).__name__)
        raise unreadable(kind) from None


# --- what kind of file ----------------------------------------------------------------------


def _kind(name: str, content: bytes, layout: Layout) -> str:
    if not content:
        raise UploadRefused.because(
            "empty", _("The file is empty. Choose the filled-in file and upload it again.")
        )
    limit = max_upload_bytes()
    if len(content) > limit:
        raise UploadRefused.because(
            "too_large",
            _(
                "The file is %(size)s MB; at most %(limit)s MB can be uploaded. Split the rows "
                "over smaller files (for example one per month) and upload them one by one."
            ),
            size=megabytes(len(content)),
            limit=megabytes(limit),
        )
    if name.endswith(MACRO_SUFFIXES):
        raise macro_workbook()
    if content.startswith(ZIP_MAGIC):
        return "xlsx"
    if content.startswith(OLE2_MAGIC):
        raise UploadRefused.because(
            "old_excel",
            _(
                "This is an old Excel file (.xls) or a workbook protected with a password. Open "
                "it in Excel, remove any password, choose Save As > Excel Workbook (.xlsx) and "
                "upload that file."
            ),
        )
    if content.startswith(OTHER_MAGIC):
        raise not_a_spreadsheet(layout)
    return "csv"
