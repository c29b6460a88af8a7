"""The limits of an uploaded hours file: the defaults of the settings of the same name, and
sizes in megabytes as a message writes them."""

import math

from django.conf import settings
from django.utils import formats

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


def setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_upload_bytes() -> int:
    """The largest upload that is read (``IMPORT_MAX_BYTES``)."""
    return setting("IMPORT_MAX_BYTES", IMPORT_MAX_BYTES)


def max_rows() -> int:
    return setting("IMPORT_MAX_ROWS", IMPORT_MAX_ROWS)


def max_columns() -> int:
    return setting("IMPORT_MAX_COLUMNS", IMPORT_MAX_COLUMNS)


def megabytes(size: int) -> str:
    value = math.ceil(size * 10 / MB) / 10  # rounded up: 10 MB and a byte is not 10.0 MB
    if value == int(value):
        return formats.number_format(int(value))
    return formats.number_format(value, decimal_pos=1)
