"""Reading an XLSX upload: the ZIP is checked from its central directory and its XML parts
are scanned before openpyxl streams the hours sheet."""

import io
import posixpath
import zipfile

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from ..columns import HOURS_SHEET, normalise_header
from ..problems import UploadRefused
from .layout import Layout
from .limits import (
    EXCEL_MAX_ROW,
    HEADER_ROWS,
    IMPORT_MAX_COMPRESSION_RATIO,
    IMPORT_MAX_PART_BYTES,
    IMPORT_MAX_UNPACKED_BYTES,
    IMPORT_MAX_ZIP_MEMBERS,
    MB,
    RATIO_CHECKED_FROM,
    megabytes,
    setting,
)
from .refusals import advised, macro_workbook, no_header, unreadable, xml_entities
from .table import Rows, Table, blank, header_index

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
DTD_MARKERS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)


def read_xlsx(content: bytes, layout: Layout) -> Table:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        members = archive.infolist()
        _check_zip(members, layout)
        _check_parts(archive, members, layout)
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        return _read_workbook(workbook, layout)
    finally:
        workbook.close()


def _check_zip(members: list[zipfile.ZipInfo], layout: Layout) -> None:
    """Refuse a zip bomb from the central directory, before anything is unpacked."""
    if len(members) > setting("IMPORT_MAX_ZIP_MEMBERS", IMPORT_MAX_ZIP_MEMBERS):
        raise UploadRefused.because(
            "zip_bomb",
            advised(
                _(
                    "This Excel file consists of %(count)s parts, far more than a normal "
                    "workbook has; it is refused for safety."
                ),
                layout.copy_rows,
            ),
            count=formats.number_format(len(members), force_grouping=True),
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > setting("IMPORT_MAX_UNPACKED_BYTES", IMPORT_MAX_UNPACKED_BYTES):
        raise UploadRefused.because(
            "zip_bomb",
            advised(
                _(
                    "This Excel file unpacks to %(size)s MB, far more than a normal workbook "
                    "holds; it is refused for safety."
                ),
                layout.copy_rows,
            ),
            size=megabytes(unpacked),
        )
    ratio = setting("IMPORT_MAX_COMPRESSION_RATIO", IMPORT_MAX_COMPRESSION_RATIO)
    for member in members:
        if member.file_size > RATIO_CHECKED_FROM and (
            member.file_size > ratio * max(member.compress_size, 1)
        ):
            raise UploadRefused.because(
                "zip_bomb",
                advised(
                    _(
                        "A part of this Excel file is packed more than %(ratio)s times, which a "
                        "real workbook never is (a zip bomb); it is refused for safety."
                    ),
                    layout.copy_rows,
                ),
                ratio=ratio,
            )


def _check_parts(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], layout: Layout) -> None:
    names = {member.filename.casefold(): member for member in members}
    if any(
        name.rsplit("/", 1)[-1].startswith("vbaproject") or name.startswith("xl/macrosheets/")
        for name in names
    ):
        raise macro_workbook()
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
            raise xml_entities(layout)
    manifest = b""
    if "[content_types].xml" in names:
        with archive.open(names["[content_types].xml"]) as source:
            manifest = source.read(MANIFEST_BYTES)
    if b"macroenabled" in manifest.lower() or "macroenabled".encode("utf-16-le") in (
        manifest.lower()
    ):
        raise macro_workbook()
    _check_part_sizes(archive, members, manifest, layout)


def _check_part_sizes(archive: zipfile.ZipFile, members, manifest: bytes, layout: Layout) -> None:
    """openpyxl streams the worksheets but builds every other part it reads (shared strings,
    styles, the workbook, relationships…) in memory, at some 7 bytes for every byte of XML:
    such parts may not unpack to more than ``IMPORT_MAX_PART_BYTES``. A part counts as a
    worksheet when the manifest types it so and nothing refers to it as something else."""
    from defusedxml.ElementTree import fromstring

    limit = setting("IMPORT_MAX_PART_BYTES", IMPORT_MAX_PART_BYTES)
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
                advised(
                    _(
                        "A part of this Excel file (%(part)s) unpacks to %(size)s MB; at most "
                        "%(limit)s MB is allowed."
                    ),
                    layout.copy_rows,
                ),
                part=member.filename[:80],
                size=megabytes(member.file_size),
                limit=megabytes(limit),
            )


def _part_name(name: str) -> str:
    return name.lstrip("/").casefold()


def _read_workbook(workbook, layout: Layout) -> Table:
    sheets = [
        sheet
        for sheet in workbook.worksheets
        if getattr(sheet, "sheet_state", "visible") == "visible"
    ]
    if not sheets:
        raise UploadRefused.because("no_sheet", layout.no_sheet, name=HOURS_SHEET)
    sheet = next((s for s in sheets if normalise_header(s.title) in HOURS_SHEETS), sheets[0])
    sheet.reset_dimensions()  # the dimension the file claims is not trusted
    header_row, header = None, ()
    rows = sheet.iter_rows(min_row=1, max_row=HEADER_ROWS, values_only=True)
    for number, row in enumerate(rows, 1):
        if any(not blank(value) for value in row):
            header_row, header = number, row
            break
    if header_row is None:
        raise no_header(sheet.title, layout)
    index = header_index(header, header_row, sheet.title, _column_letter, layout)
    needed = max(index.values()) + 1
    reader = Rows(sheet.title, index, {key: _column_letter(i) for key, i in index.items()})
    rows = sheet.iter_rows(min_row=header_row + 1, max_col=needed, values_only=True)
    for number, row in enumerate(rows, header_row + 1):
        if number > EXCEL_MAX_ROW:
            raise unreadable("xlsx")
        reader.add(number, row)
    return reader.table("xlsx", header_row)


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
