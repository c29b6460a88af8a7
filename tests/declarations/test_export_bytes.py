"""The export's worksheet rows are serialised by the app (declarations.exports._SheetRows), not
cell by cell by openpyxl: the file must stay byte for byte what openpyxl's write-only writer
makes of the same rows, whatever the values (text that looks like a formula or an error code,
spaces to keep, characters to escape, numbers in every form, dates, empty and styled cells)
and in whatever order the styles first appear."""

import io
import re
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook

from declarations.exports import (
    DATE_FORMAT,
    BatchContent,
    ExportDeclaration,
    ExportLine,
    _row,
    _saved,
    _SheetRows,
    entry_aid_pages,
    write_csv,
    write_insurer_xlsx,
    write_xlsx,
)
from pgb_admin.core.spreadsheets import MONEY_FORMAT

WRITTEN_AT = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")

TEXTS = [
    "", " ", "  lead", "trail  ", " both ", "a & b < c > d", "#N/A", "#REF!", "=SUM(A1)", "=",
    "'quoted", "Zoë Özdemir", "'t Hart", "emoji 😀", "line\nbreak", "tab\there", "cr\r\n",
    "x" * 40_000, "]]>", '"double" and \'single\'',
]  # fmt: skip
NUMBERS = [
    0, 1, -1, 2**40, Decimal("0"), Decimal("-0.00"), Decimal("856804.57"), Decimal("0.1"),
    Decimal("12345678901234.56"), Decimal("1E+20"), Decimal("-3.333333333333333333"), 1.5,
    float("inf"), Decimal("NaN"),
]  # fmt: skip
DATES = [date(2026, 10, 1), date(1900, 2, 28), date(1900, 3, 1), date(2099, 12, 31)]

# (values, number formats, bold): the first rows put a date before money (style order)
ROWS = [
    ([DATES[0], Decimal("1.5"), None, "a"], [None, MONEY_FORMAT, MONEY_FORMAT, None], False),
    ([None, None, DATES[1], Decimal("2")], [DATE_FORMAT, None, DATE_FORMAT, MONEY_FORMAT], True),
    *[([text, len(text)], [MONEY_FORMAT, None], index % 3 == 0) for index, text in
      enumerate(TEXTS)],
    *[([number, number, None], [None, MONEY_FORMAT, None], False) for number in NUMBERS],
    *[([day, day, day], [None, DATE_FORMAT, MONEY_FORMAT], bold) for day in DATES
      for bold in (False, True)],
    ([None, None, 7], None, False),
    ([Decimal("3")] * 60, [MONEY_FORMAT] * 60, False),
]  # fmt: skip


def _parts(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(name, WRITTEN_AT.sub(rb"\1\2", archive.read(name))) for name in archive.namelist()]


def _by_openpyxl(rows) -> bytes:
    """Every row through openpyxl's write-only writer, a cell of its own where a style is
    needed (what the exports did before they serialised their rows themselves)."""
    workbook = Workbook(write_only=True)
    for title in ("one", "two"):
        sheet = workbook.create_sheet(title)
        sheet.freeze_panes = "A2"
        _row(sheet, ["Header", "=not a formula"], bold=True)
        for values, formats, bold in rows:
            _row(sheet, values, bold=bold, formats=dict(enumerate(formats or [])))
    summary = workbook.create_sheet("summary")
    _row(summary, ["Total", Decimal("1.25")], formats={1: MONEY_FORMAT})
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _by_app(rows) -> bytes:
    workbook = Workbook(write_only=True)
    styles: dict = {}
    sheets = []
    for title in ("one", "two"):
        sheet = workbook.create_sheet(title)
        sheet.freeze_panes = "A2"
        _row(sheet, ["Header", "=not a formula"], bold=True)
        made = _SheetRows(sheet, styles)
        for values, formats, bold in rows:
            made.append(values, formats, bold=bold)  # neutralised by the writer, as by _row
        sheets.append(made)
    summary = workbook.create_sheet("summary")
    _row(summary, ["Total", Decimal("1.25")], formats={1: MONEY_FORMAT})
    return _saved(workbook, sheets)


@pytest.mark.parametrize("count", [0, 1, 2, len(ROWS)])
def test_rows_come_out_as_openpyxl_writes_them(count):
    rows = ROWS[:count]
    assert _parts(_by_app(rows)) == _parts(_by_openpyxl(rows))


def test_rows_after_several_openpyxl_rows_are_numbered_on():
    """As on the summary sheet: a few rows, an empty one and a header by openpyxl first."""

    def workbook_with(more) -> bytes:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("summary")
        _row(sheet, ["Total", Decimal("1.25")], formats={1: MONEY_FORMAT})
        _row(sheet, [])
        _row(sheet, ["Left out", "Reason"], bold=True)
        return more(workbook, sheet)

    def by_openpyxl(workbook, sheet) -> bytes:
        for number in range(5):
            _row(sheet, [number, "open errors"])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def by_app(workbook, sheet) -> bytes:
        rows = _SheetRows(sheet, {}, written=3)
        for number in range(5):
            rows.append([number, "open errors"])
        return _saved(workbook, [rows])

    assert _parts(workbook_with(by_app)) == _parts(workbook_with(by_openpyxl))


def test_the_zip_entries_stay_as_openpyxl_made_them():
    made, reference = (zipfile.ZipFile(io.BytesIO(f(ROWS))) for f in (_by_app, _by_openpyxl))
    assert [(e.filename, e.compress_type, e.external_attr) for e in made.infolist()] == [
        (e.filename, e.compress_type, e.external_attr) for e in reference.infolist()
    ]
    assert made.testzip() is None


def test_a_value_openpyxl_would_not_take_is_refused():
    workbook = Workbook(write_only=True)
    rows = _SheetRows(workbook.create_sheet("x"), {})
    with pytest.raises(TypeError):
        rows.append([datetime(2026, 10, 1, tzinfo=UTC)])


def _content(declarations: list[ExportDeclaration]) -> BatchContent:
    return BatchContent(
        batch_id=12,
        period=date(2026, 10, 1),
        created_at=datetime(2026, 11, 2, 9, 30, tzinfo=UTC),
        created_by="beheer",
        declarations=declarations,
        skipped=[{"declaration_id": 3, "reason": "open errors"}],
    )


def _declaration(number: int, lines: list[ExportLine], **changes) -> ExportDeclaration:
    fields = {
        "declaration_id": number,
        "corrects_id": None,
        "month": date(2026, 10, 1),
        "holder_name": "=Jansen",
        "holder_svb_client_number": "",
        "agreement_svb_number": "ZO-1",
        "provider_name": "@home zorg & co <b>",
        "provider_agb_code": "12345678",
        "provider_kvk_number": "",
        "scheme": "Wmo",
        "care_product": " begeleiding ",
        "travel_kilometres": Decimal("12"),
        "travel_amount": Decimal("2.76"),
        "other_amount": Decimal(0),
        "total_amount": sum((line.amount for line in lines), Decimal("2.76")),
        "lines": lines,
        "care_amount": sum((line.amount for line in lines), Decimal(0)),
        "invoice_number": "#N/A",
    }
    return ExportDeclaration(**{**fields, **changes})


def _line(day: int, rate: str = "59.60", unit: str = "hour") -> ExportLine:
    quantity = Decimal("2.25")
    return ExportLine(date(2026, 10, day), quantity, unit, Decimal(rate), quantity * Decimal(rate))


@pytest.mark.parametrize(
    "declarations",
    [
        [],
        [_declaration(1, [])],
        [_declaration(1, [_line(1), _line(2, "61.00"), _line(9, unit="day")]),
         _declaration(2, [_line(31)], corrects_id=1, other_amount=Decimal("12.50"))],
    ],
    ids=["empty", "no lines", "lines"],
)  # fmt: skip
def test_the_export_files_are_well_formed_and_complete(declarations):
    """The files open, hold a row per declaration and rate (entry aid) or per day (insurer),
    and their text is neutralised: read back through openpyxl."""
    from openpyxl import load_workbook

    content = _content(declarations)
    for writer in (write_xlsx, write_insurer_xlsx):
        workbook = load_workbook(io.BytesIO(writer(content)))
        first = workbook.worksheets[0]
        values = [cell for row in first.iter_rows(values_only=True) for cell in row]
        assert not any(isinstance(v, str) and v.startswith(("=", "@")) for v in values)
        if declarations:
            assert "'=Jansen" in " ".join(str(v) for v in values)
    assert write_csv(content).startswith(b"\xef\xbb\xbf")
    assert len(entry_aid_pages(content)) == len(declarations)
