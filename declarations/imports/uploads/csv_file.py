"""Reading a CSV upload: the encoding (UTF-8, or UTF-16 with a BOM), the delimiter (sniffed,
or Excel's ``sep=`` line) and the records, numbered as Excel numbers the rows."""

import csv
import io
from itertools import islice

from .layout import Layout
from .limits import HEADER_ROWS
from .refusals import encoding, no_header, not_a_spreadsheet
from .table import Rows, Table, blank, header_index

BINARY_SUFFIXES = (".xlsx", ".xltx", ".xls", ".xlsb", ".ods", ".numbers")
MARKUP_STARTS = ("<?xml", "<html", "<!doctype", "<table", "<head", "<body")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
UTF8_BOM = b"\xef\xbb\xbf"
CONTROL_BYTES = frozenset([*range(0x01, 0x09), *range(0x0E, 0x20), 0x7F])
CSV_DELIMITERS = (";", "\t", ",")  # on a tie the first wins: Dutch Excel writes ';'


def read_csv(name: str, content: bytes, layout: Layout) -> Table:
    text = _decode(name, content, layout)
    if "\x00" in text:
        raise not_a_spreadsheet(layout)
    if text.lstrip()[:9].casefold().startswith(MARKUP_STARTS):
        raise not_a_spreadsheet(layout)
    delimiter, skip = _delimiter(text)
    source = io.StringIO(text, newline="")
    if skip:
        source.readline()
    records = csv.reader(source, delimiter=delimiter)
    header_row: int | None = None
    header: list[str] = []
    for number, record in enumerate(islice(records, HEADER_ROWS), 1):
        if any(not blank(value) for value in record):
            header_row, header = number, record
            break
    if header_row is None:
        raise no_header("", layout)
    index = header_index(header, header_row, "", lambda i: header[i].strip(), layout)
    reader = Rows("", index, {key: header[i].strip() for key, i in index.items()})
    # numbered by record (a quoted cell may hold line breaks), as Excel numbers the rows
    for number, record in enumerate(records, header_row + 1):
        if not record:
            continue
        reader.add(number, [value if value != "" else None for value in record])
    return reader.table("csv", header_row)


def _decode(name: str, content: bytes, layout: Layout) -> str:
    if content.startswith(UTF16_BOMS):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise encoding() from None
    if b"\x00" in content:
        raise not_a_spreadsheet(layout)
    try:
        return content.removeprefix(UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError:
        sample = content[:4096]
        controls = sum(1 for byte in sample if byte in CONTROL_BYTES)
        if name.endswith(BINARY_SUFFIXES) or controls * 20 > len(sample):
            raise not_a_spreadsheet(layout) from None
        raise encoding() from None


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
