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

Every refusal is an :class:`~.problems.UploadRefused` (the file) or an
:class:`~.problems.ImportRefused` (cells); no other exception leaves :func:`read_upload`.
"""

import csv
import io
import logging
import math
import posixpath
import re
import zipfile
from dataclasses import dataclass
from itertools import islice

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from .columns import BY_HEADER, COLUMNS, HOURS_SHEET, normalise_header
from .problems import ImportRefused, Problem, UploadRefused, problem

logger = logging.getLogger(__name__)

MB = 1024 * 1024

#: defaults of the settings of the same name
IMPORT_MAX_BYTES = 10 * MB
IMPORT_MAX_ROWS = 200_000
IMPORT_MAX_COLUMNS = 50  # filled cells in the header row
IMPORT_MAX_ZIP_MEMBERS = 100
IMPORT_MAX_UNPACKED_BYTES = 250 * MB
IMPORT_MAX_COMPRESSION_RATIO = 100
IMPORT_MAX_PART_BYTES = 20 * MB  # each part of an XLSX that is not a worksheet
IMPORT_MAX_PROBLEMS = 1000  # formula cells listed one by one; the rest are counted

#: the compression ratio is only checked for members that unpack to more than this
RATIO_CHECKED_FROM = 1 * MB
#: the header is the first row with a filled cell among these first rows
HEADER_ROWS = 20
#: the last row an Excel sheet can have; a sheet with rows beyond it is damaged
EXCEL_MAX_ROW = 1_048_576
#: how much of each ZIP member is searched for a DOCTYPE (it must precede the root element)
XML_PROLOG_BYTES = 64 * 1024
#: how much of [Content_Types].xml is read (a real one has a few kB)
MANIFEST_BYTES = 1 * MB
WORKSHEET_TYPE = ".spreadsheetml.worksheet+xml"
#: parts that openpyxl reads whole by their path, whatever the manifest says
EAGER_PARTS = {
    "[content_types].xml",
    "xl/workbook.xml",
    "xl/styles.xml",
    "xl/sharedstrings.xml",
    "xl/theme/theme1.xml",
    "docprops/core.xml",
    "docprops/custom.xml",
}

HOURS_SHEETS = {normalise_header(HOURS_SHEET), normalise_header("Hours")}
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam")
BINARY_SUFFIXES = (".xlsx", ".xltx", ".xls", ".xlsb", ".ods", ".numbers")
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
MARKUP_STARTS = ("<?xml", "<html", "<!doctype", "<table", "<head", "<body")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
UTF8_BOM = b"\xef\xbb\xbf"
DTD_MARKERS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
CONTROL_BYTES = frozenset([*range(0x01, 0x09), *range(0x0E, 0x20), 0x7F])
CSV_DELIMITERS = (";", "\t", ",")  # on a tie the first wins: Dutch Excel writes ';'

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


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_upload_bytes() -> int:
    """The largest upload that is read (``IMPORT_MAX_BYTES``)."""
    return _setting("IMPORT_MAX_BYTES", IMPORT_MAX_BYTES)


def max_rows() -> int:
    return _setting("IMPORT_MAX_ROWS", IMPORT_MAX_ROWS)


def max_columns() -> int:
    return _setting("IMPORT_MAX_COLUMNS", IMPORT_MAX_COLUMNS)


def read_upload(filename: str, content: bytes) -> Table:
    """The header and rows of an uploaded hours file. Raises :class:`UploadRefused` when the
    file cannot be taken, :class:`ImportRefused` listing every cell that holds a formula."""
    kind = "file"
    try:
        if isinstance(content, str):
            content = content.encode("utf-8")
        content = bytes(content or b"")
        name = str(filename or "").strip().casefold()
        kind = _kind(name, content)
        if kind == "xlsx":
            return _read_xlsx(content)
        return _read_csv(name, content)
    except ImportRefused:
        raise
    except Exception as error:
        if _defused(error):
            raise _xml_entities() from None
        logger.info("unreadable %s upload: %s", kind, type(error).__name__)
        raise _unreadable(kind) from None


# --- what kind of file ----------------------------------------------------------------------


def _kind(name: str, content: bytes) -> str:
    if not content:
        raise UploadRefused.because(
            "empty", _("The file is empty. Choose the filled-in hours file and upload it again.")
        )
    limit = max_upload_bytes()
    if len(content) > limit:
        raise UploadRefused.because(
            "too_large",
            _(
                "The file is %(size)s MB; at most %(limit)s MB can be uploaded. Split the hours "
                "over smaller files (for example one per month) and upload them one by one."
            ),
            size=_megabytes(len(content)),
            limit=_megabytes(limit),
        )
    if name.endswith(MACRO_SUFFIXES):
        raise _macro_workbook()
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
        raise _not_a_spreadsheet()
    return "csv"


def _megabytes(size: int) -> str:
    value = math.ceil(size * 10 / MB) / 10  # rounded up: 10 MB and a byte is not 10.0 MB
    if value == int(value):
        return formats.number_format(int(value))
    return formats.number_format(value, decimal_pos=1)


# --- XLSX -----------------------------------------------------------------------------------


def _read_xlsx(content: bytes) -> Table:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        members = archive.infolist()
        _check_zip(members)
        _check_parts(archive, members)
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        return _read_workbook(workbook)
    finally:
        workbook.close()


def _check_zip(members: list[zipfile.ZipInfo]) -> None:
    """Refuse a zip bomb from the central directory, before anything is unpacked."""
    if len(members) > _setting("IMPORT_MAX_ZIP_MEMBERS", IMPORT_MAX_ZIP_MEMBERS):
        raise UploadRefused.because(
            "zip_bomb",
            _(
                "This Excel file consists of %(count)s parts, far more than an hours workbook "
                "has; it is refused for safety. Copy the hours into the template of pgb-admin "
                "and upload that file."
            ),
            count=formats.number_format(len(members), force_grouping=True),
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > _setting("IMPORT_MAX_UNPACKED_BYTES", IMPORT_MAX_UNPACKED_BYTES):
        raise UploadRefused.because(
            "zip_bomb",
            _(
                "This Excel file unpacks to %(size)s MB, far more than an hours workbook "
                "holds; it is refused for safety. Copy the hours into the template of "
                "pgb-admin and upload that file."
            ),
            size=_megabytes(unpacked),
        )
    ratio = _setting("IMPORT_MAX_COMPRESSION_RATIO", IMPORT_MAX_COMPRESSION_RATIO)
    for member in members:
        if member.file_size > RATIO_CHECKED_FROM and (
            member.file_size > ratio * max(member.compress_size, 1)
        ):
            raise UploadRefused.because(
                "zip_bomb",
                _(
                    "A part of this Excel file is packed more than %(ratio)s times, which a "
                    "real workbook never is (a zip bomb); it is refused for safety. Copy the "
                    "hours into the template of pgb-admin and upload that file."
                ),
                ratio=ratio,
            )


def _check_parts(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> None:
    names = {member.filename.casefold(): member for member in members}
    if any(
        name.rsplit("/", 1)[-1].startswith("vbaproject") or name.startswith("xl/macrosheets/")
        for name in names
    ):
        raise _macro_workbook()
    if "xl/workbook.xml" not in names:
        raise UploadRefused.because(
            "not_a_spreadsheet",
            _(
                "This file is a ZIP archive but not an Excel workbook (.xlsx); it may be an "
                "OpenDocument (.ods) or binary Excel (.xlsb) file. Choose Save As > Excel "
                "Workbook (.xlsx) and upload that file."
            ),
        )
    if any(member.flag_bits & 0x1 for member in members):
        raise UploadRefused.because(
            "unreadable",
            _(
                "This Excel file is encrypted, so it cannot be read. Remove the password, save "
                "it as Excel Workbook (.xlsx) and upload it again."
            ),
        )
    for member in members:
        if member.is_dir():
            continue
        with archive.open(member) as source:
            prolog = source.read(XML_PROLOG_BYTES)
        if any(marker in prolog for marker in DTD_MARKERS):
            raise _xml_entities()
    manifest = b""
    if "[content_types].xml" in names:
        with archive.open(names["[content_types].xml"]) as source:
            manifest = source.read(MANIFEST_BYTES)
    if b"macroenabled" in manifest.lower() or "macroenabled".encode("utf-16-le") in (
        manifest.lower()
    ):
        raise _macro_workbook()
    _check_part_sizes(archive, members, manifest)


def _check_part_sizes(archive: zipfile.ZipFile, members, manifest: bytes) -> None:
    """openpyxl streams the worksheets but builds every other part it reads (shared strings,
    styles, the workbook, relationships…) in memory, at some 7 bytes for every byte of XML:
    such parts may not unpack to more than ``IMPORT_MAX_PART_BYTES``. A part counts as a
    worksheet when the manifest types it so and nothing refers to it as something else."""
    from defusedxml.ElementTree import fromstring

    limit = _setting("IMPORT_MAX_PART_BYTES", IMPORT_MAX_PART_BYTES)
    if all(member.file_size <= limit for member in members):
        return
    types: dict[str, set[str]] = {}
    for element in fromstring(manifest) if manifest else ():
        if element.tag.rsplit("}", 1)[-1] == "Override":
            part = _part_name(element.get("PartName", ""))
            types.setdefault(part, set()).add(element.get("ContentType", ""))
    streamed = {
        part
        for part, found in types.items()
        if all(kind.endswith(WORKSHEET_TYPE) for kind in found) and part not in EAGER_PARTS
    }
    for member in members:
        name = member.filename.casefold()
        if name.endswith(".rels") and member.file_size <= limit:
            base = posixpath.dirname(posixpath.dirname(name))
            for relation in fromstring(archive.read(member)):
                if relation.get("TargetMode") == "External":
                    continue
                target = relation.get("Target", "")
                if not relation.get("Type", "").endswith("/worksheet"):
                    path = target if target.startswith("/") else posixpath.join(base, target)
                    streamed.discard(_part_name(posixpath.normpath(path)))
    for member in members:
        if member.file_size > limit and member.filename.casefold() not in streamed:
            raise UploadRefused.because(
                "zip_bomb",
                _(
                    "A part of this Excel file (%(part)s) unpacks to %(size)s MB; at most "
                    "%(limit)s MB is allowed. Copy the hours into the template of pgb-admin "
                    "and upload that file."
                ),
                part=member.filename[:80],
                size=_megabytes(member.file_size),
                limit=_megabytes(limit),
            )


def _part_name(name: str) -> str:
    return name.lstrip("/").casefold()


def _read_workbook(workbook) -> Table:
    sheets = [
        sheet
        for sheet in workbook.worksheets
        if getattr(sheet, "sheet_state", "visible") == "visible"
    ]
    if not sheets:
        raise UploadRefused.because(
            "no_sheet",
            _(
                "The workbook has no visible sheet with hours. Show the sheet %(name)s "
                "(right-click a sheet tab, Unhide), save the file and upload it again."
            ),
            name=HOURS_SHEET,
        )
    sheet = next((s for s in sheets if normalise_header(s.title) in HOURS_SHEETS), sheets[0])
    sheet.reset_dimensions()  # the dimension the file claims is not trusted
    header_row, header = None, ()
    rows = sheet.iter_rows(min_row=1, max_row=HEADER_ROWS, values_only=True)
    for number, row in enumerate(rows, 1):
        if any(not _blank(value) for value in row):
            header_row, header = number, row
            break
    if header_row is None:
        raise _no_header(sheet.title)
    index = _header_index(header, header_row, sheet.title, _column_letter)
    needed = max(index.values()) + 1
    reader = _Rows(sheet.title, index, {key: _column_letter(i) for key, i in index.items()})
    rows = sheet.iter_rows(min_row=header_row + 1, max_col=needed, values_only=True)
    for number, row in enumerate(rows, header_row + 1):
        if number > EXCEL_MAX_ROW:
            raise _unreadable("xlsx")
        reader.add(number, row)
    return reader.table("xlsx", header_row)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


# --- CSV ------------------------------------------------------------------------------------


def _read_csv(name: str, content: bytes) -> Table:
    text = _decode(name, content)
    if "\x00" in text:
        raise _not_a_spreadsheet()
    if text.lstrip()[:9].casefold().startswith(MARKUP_STARTS):
        raise _not_a_spreadsheet()
    delimiter, skip = _delimiter(text)
    source = io.StringIO(text, newline="")
    if skip:
        source.readline()
    records = csv.reader(source, delimiter=delimiter)
    header_row, header = None, ()
    for number, record in enumerate(islice(records, HEADER_ROWS), 1):
        if any(not _blank(value) for value in record):
            header_row, header = number, record
            break
    if header_row is None:
        raise _no_header("")
    index = _header_index(header, header_row, "", lambda i: header[i].strip())
    reader = _Rows("", index, {key: header[i].strip() for key, i in index.items()})
    # numbered by record (a quoted cell may hold line breaks), as Excel numbers the rows
    for number, record in enumerate(records, header_row + 1):
        if not record:
            continue
        reader.add(number, [value if value != "" else None for value in record])
    return reader.table("csv", header_row)


def _decode(name: str, content: bytes) -> str:
    if content.startswith(UTF16_BOMS):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise _encoding() from None
    if b"\x00" in content:
        raise _not_a_spreadsheet()
    try:
        return content.removeprefix(UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError:
        sample = content[:4096]
        controls = sum(1 for byte in sample if byte in CONTROL_BYTES)
        if name.endswith(BINARY_SUFFIXES) or controls * 20 > len(sample):
            raise _not_a_spreadsheet() from None
        raise _encoding() from None


def _delimiter(text: str) -> tuple[str, bool]:
    """The delimiter, sniffed from the first filled line (or given by Excel's ``sep=;``
    line), and whether that ``sep=`` line is to be skipped."""
    lines = io.StringIO(text, newline="")
    first = lines.readline().strip().strip('"')
    if len(first) == 5 and first.casefold().startswith("sep="):
        return first[4], True
    lines.seek(0)
    for line in islice(lines, HEADER_ROWS):
        if line.strip(" \t\r\n;,\"'"):
            counts = {delimiter: line.count(delimiter) for delimiter in CSV_DELIMITERS}
            best = max(CSV_DELIMITERS, key=lambda delimiter: counts[delimiter])
            return best if counts[best] else CSV_DELIMITERS[0], False
    return CSV_DELIMITERS[0], False


# --- what XLSX and CSV share ----------------------------------------------------------------


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _header_index(header, header_row: int, sheet: str, label) -> dict[str, int]:
    """Column key -> 0-based position in the header row; refuses a header without the
    required columns, with a known column twice or with too many columns."""
    filled = [(i, value) for i, value in enumerate(header) if not _blank(value)]
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


class _Rows:
    """Collects the data rows: skips empty ones, counts the others against the limit and
    notes every text cell that a spreadsheet would run as a formula."""

    def __init__(self, sheet: str, index: dict[str, int], columns: dict[str, str]) -> None:
        self.sheet, self.index, self.columns = sheet, index, columns
        self.limit = max_rows()
        self.problem_limit = _setting("IMPORT_MAX_PROBLEMS", IMPORT_MAX_PROBLEMS)
        self.rows: list[tuple[int, dict[str, object]]] = []
        self.problems: list[Problem] = []
        self.unlisted = 0
        self.blank = None  # the last empty row: openpyxl repeats one tuple for missing rows

    def add(self, number: int, row) -> None:
        if row is self.blank:
            return
        width = len(row)
        values = {key: row[i] if i < width else None for key, i in self.index.items()}
        if all(_blank(value) for value in values.values()):
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
            if isinstance(value, str) and _looks_like_formula(value):
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


def _looks_like_formula(value: str) -> bool:
    text = value.lstrip(" \u00a0")
    if not text or text[0] not in FORMULA_STARTS:
        return False
    return not PLAIN_NUMBER.fullmatch(text.rstrip())


# --- refusals -------------------------------------------------------------------------------


def _defused(error: BaseException) -> bool:
    """Whether defusedxml refused the XML (openpyxl wraps it in a ValueError)."""
    from defusedxml import DefusedXmlException

    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, DefusedXmlException):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def _macro_workbook() -> UploadRefused:
    return UploadRefused.because(
        "macro_workbook",
        _(
            "This is an Excel file with macros (.xlsm); files with macros are not accepted. "
            "Choose Save As > Excel Workbook (.xlsx) and upload that file."
        ),
    )


def _not_a_spreadsheet() -> UploadRefused:
    return UploadRefused.because(
        "not_a_spreadsheet",
        _(
            "This file is not an Excel workbook (.xlsx) or a CSV file. Upload the hours "
            "template of pgb-admin, filled in, or a CSV file with the same columns."
        ),
    )


def _xml_entities() -> UploadRefused:
    return UploadRefused.because(
        "xml_entities",
        _(
            "This Excel file declares XML entities (a DOCTYPE), which a real workbook never "
            "does; it is refused for safety. Copy the hours into the template of pgb-admin "
            "and upload that file."
        ),
    )


def _encoding() -> UploadRefused:
    return UploadRefused.because(
        "encoding",
        _(
            "The CSV file is not saved as UTF-8 text. In Excel choose Save As > CSV UTF-8 "
            "(comma delimited) (*.csv) and upload that file."
        ),
    )


def _no_header(sheet: str) -> UploadRefused:
    return UploadRefused.because(
        "no_header",
        _(
            "No header row found: the first %(count)s rows are empty. The first filled row must "
            "hold the column names, such as Zorgovereenkomst, Datum and Aantal."
        ),
        count=HEADER_ROWS,
        sheet=sheet,
    )


def _unreadable(kind: str) -> UploadRefused:
    if kind == "xlsx":
        message = _(
            "The Excel file (.xlsx) could not be read: it is damaged or incomplete. Open it in "
            "Excel, save it again as Excel Workbook (.xlsx) and upload it again."
        )
    elif kind == "csv":
        message = _(
            "The CSV file could not be read: it is damaged, or a cell is far too long. Open it "
            "in Excel, save it again as CSV UTF-8 and upload it again."
        )
    else:
        message = _(
            "The file could not be read. Save the hours as Excel Workbook (.xlsx) or as CSV "
            "UTF-8 and upload it again."
        )
    return UploadRefused.because("unreadable", message)
