"""What an export of a month is made of. Nothing here is sent anywhere: neither the SVB nor the
PGB Portaal takes a file (the holder types each declaration into the Portaal, per agreement and
month, the care per week), and a Zvw pgb is declared to the insurer on its own form or portal.

- Through the SVB: the pages of the PGB Portaal entry aid (:func:`entry_aid_pages`, a page per
  agreement in the Portaal's order) and, for a bureau's own records, an XLSX (a row per
  declaration and rate with the quantities per day, the weekly totals and a summary) and a CSV
  of every line.
- Through the insurer: the specification an insurer asks for (:func:`write_insurer_xlsx`,
  period, provider with AGB code, care per day with rate, amount and invoice number, totals).

Pure functions: rows in, bytes out.

Text that a spreadsheet could take for a formula is neutralised in every CSV field and
worksheet cell (:mod:`pgb_admin.core.spreadsheets`).
"""

import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

from pgb_admin.core.spreadsheets import BOLD, MONEY_FORMAT, csv_writer, neutralise, sheet_value
from pgb_admin.figures.constants import RateUnit

QUANTITY_FORMAT = "0.00"

CSV_COLUMNS = [
    "record",
    "batch_id",
    "declaration_id",
    "corrects_declaration_id",
    "month",
    "holder_svb_client_number",
    "holder_name",
    "agreement_svb_number",
    "provider_name",
    "provider_agb_code",
    "provider_kvk_number",
    "scheme",
    "care_product",
    "care_date",
    "quantity",
    "unit",
    "rate",
    "amount",
    "travel_kilometres",
    "travel_amount",
    "other_amount",
    "declaration_total",
]


@dataclass(frozen=True)
class ExportLine:
    care_date: date
    quantity: Decimal
    unit: str
    rate: Decimal
    amount: Decimal

    @property
    def unit_label(self) -> str:
        return _unit_label(self.unit)


@dataclass
class ExportDeclaration:
    declaration_id: int
    corrects_id: int | None
    month: date
    holder_name: str
    holder_svb_client_number: str
    agreement_svb_number: str
    provider_name: str
    provider_agb_code: str
    provider_kvk_number: str
    scheme: str
    care_product: str
    travel_kilometres: Decimal
    travel_amount: Decimal
    other_amount: Decimal
    total_amount: Decimal
    lines: list[ExportLine] = field(default_factory=list)
    care_amount: Decimal = Decimal(0)
    invoice_number: str = ""


@dataclass
class BatchContent:
    batch_id: int
    period: date
    created_at: datetime
    created_by: str
    declarations: list[ExportDeclaration]
    skipped: list[dict]
    channel: str = "svb"

    @property
    def line_count(self) -> int:
        return sum(len(declaration.lines) for declaration in self.declarations)

    @property
    def total(self) -> Decimal:
        return sum((declaration.total_amount for declaration in self.declarations), Decimal(0))


# --- CSV -------------------------------------------------------------------------------------


def write_csv(content: BatchContent) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads the accents), ``;`` separated, a header
    row; a ``line`` record per day of care and a ``declaration`` record with the costs and
    total of each declaration (see README: the export's CSV)."""
    buffer = io.StringIO(newline="")
    writer = csv_writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for d in content.declarations:
        common = [
            content.batch_id,
            d.declaration_id,
            d.corrects_id or "",
            f"{d.month:%Y-%m}",
            *(
                neutralise(text)
                for text in (d.holder_svb_client_number, d.holder_name, d.agreement_svb_number,
                             d.provider_name, d.provider_agb_code, d.provider_kvk_number,
                             d.scheme, d.care_product)
            ),
        ]  # fmt: skip
        writer.writerows(
            ["line", *common, line.care_date.isoformat(), line.quantity, line.unit, line.rate,
             line.amount, "", "", "", ""]
            for line in d.lines
        )  # fmt: skip
        writer.writerow(
            ["declaration", *common, "", "", "", "", "", d.travel_kilometres, d.travel_amount,
             d.other_amount, d.total_amount]
        )  # fmt: skip
    return buffer.getvalue().encode("utf-8-sig")


# --- XLSX ------------------------------------------------------------------------------------


def _row(sheet, values, *, bold: bool = False, formats: dict[int, str] | None = None):
    """Append a row. Only cells with a style become cell objects; plain values are much
    cheaper for openpyxl to write."""
    row = []
    for position, value in enumerate(values):
        value = sheet_value(value)
        number_format = formats.get(position) if formats else None
        if bold or (number_format and value is not None):
            cell = WriteOnlyCell(sheet, value=value)
            if bold:
                cell.font = BOLD
            if number_format:
                cell.number_format = number_format
            value = cell
        row.append(value)
    sheet.append(row)


def _rate_groups(lines: list[ExportLine]):
    """Lines grouped by rate and unit, in order: one row each."""
    groups: dict[tuple, list[ExportLine]] = {}
    for line in lines:
        groups.setdefault((line.rate, line.unit), []).append(line)
    return groups.items()


# The rows under a header are serialised here rather than by openpyxl, which builds and
# serialises an element per cell (most of an export's time). They come out as openpyxl's
# write-only writer (without lxml) writes them, byte for byte (tests/declarations/
# test_export_bytes.py compares the two; bench/bench_export.py the raw writer's file), and go
# into the worksheet's part when the workbook is saved (_saved).

#: the number format openpyxl gives a date cell without one
DATE_FORMAT = "yyyy-mm-dd"
_COLUMNS = [get_column_letter(number) for number in range(1, 257)]
_MAX_TEXT = 32767  # openpyxl cuts longer text


class _SheetRows:
    """The rows of a write-only worksheet after the ``written`` rows openpyxl wrote (a header,
    or a summary and a header). Values: None, text (through :func:`sheet_value`), int,
    Decimal, float, date."""

    def __init__(self, sheet, styles: dict, written: int = 1) -> None:
        self.sheet = sheet
        self.number = written
        self.parts: list[str] = []
        self._styles = styles  # (bold, number format) -> ' s="<id>"', for the whole workbook
        self._texts: dict[str, str] = {}  # names, units, months: the same text again and again

    def _style(self, bold: bool, number_format: str | None) -> str:
        """The style attribute of a cell: the workbook registers the style the first time a
        cell of it is written, as openpyxl does, so the ids and styles.xml stay the same."""
        key = (bold, number_format)
        found = self._styles.get(key)
        if found is None:
            cell = WriteOnlyCell(self.sheet)
            if bold:
                cell.font = BOLD
            if number_format:
                cell.number_format = number_format
            found = self._styles[key] = f' s="{cell.style_id}"'
        return found

    def append(self, values: list, formats=None, *, bold: bool = False) -> None:
        """A row. ``formats``: a number format per position (or None), for a value in that
        position; ``bold``: every cell bold, also an empty one (as :func:`_row` makes them)."""
        self.number += 1
        number = self.number
        out = [f'<row r="{number}">']
        for position, value in enumerate(values):
            number_format = formats[position] if formats else None
            if value is None:
                if bold:
                    out.append(f'<c r="{_COLUMNS[position]}{number}"'
                               f'{self._style(True, number_format)} t="n" />')  # fmt: skip
                continue
            kind = type(value)
            if kind is date:
                number_format = number_format or DATE_FORMAT  # a format given wins, as in _row
                value = to_excel(value)
                kind = float
            style = self._style(bold, number_format) if bold or number_format else ""
            where = f'<c r="{_COLUMNS[position]}{number}"{style}'
            if kind is str:
                cell = self._texts.get(value)
                if cell is None:  # neutralised here, so no formula or XML-breaking character
                    cell = self._texts[value] = _text_cell(sheet_value(value))
                out.append(where + cell)
            elif kind is Decimal or kind is int or kind is float:
                # openpyxl's form of a number (a Decimal through float, as it writes it)
                text = "%.16g" % value  # noqa: UP031
                if text[-1] in "nf":  # nan, inf: openpyxl writes no number
                    out.append(f'{where} t="n"><v /></c>')
                else:
                    out.append(f'{where} t="n"><v>{text}</v></c>')
            else:
                raise TypeError(f"no worksheet value: {kind.__name__}")
        out.append("</row>")
        self.parts.append("".join(out))

    def write_to(self, part, rows_at_once: int = 1000) -> None:
        """The rows into a worksheet's part, UTF-8 as openpyxl writes (a few rows at a time:
        no second copy of a large sheet in memory)."""
        for start in range(0, len(self.parts), rows_at_once):
            text = "".join(self.parts[start : start + rows_at_once])
            part.write(text.encode("utf-8", "xmlcharrefreplace"))


def _text_cell(value: str) -> str:
    """The rest of a text cell after its reference and style, as openpyxl writes it: inline
    text (keeping leading and trailing spaces) or an error code. (A formula never: the text
    went through :func:`sheet_value`.)"""
    value = value[:_MAX_TEXT]
    if value == "":
        return ' t="inlineStr" />'
    if value in ERROR_CODES:
        return f' t="e"><v>{escape(value)}</v></c>'
    stripped = value.strip()
    space = ' xml:space="preserve"' if stripped and stripped != value else ""
    return f' t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>'


_SHEET_DATA_END = b"</sheetData>"


def _saved(workbook, sheets: list[_SheetRows]) -> bytes:
    """The workbook's file, with the rows of ``sheets`` in their worksheets' parts (every
    other part, and each part's place and zip entry, as openpyxl wrote them)."""
    written = io.BytesIO()
    workbook.save(written)
    rows = {sheet.sheet.path.lstrip("/"): sheet for sheet in sheets}
    result = io.BytesIO()
    with (
        zipfile.ZipFile(written) as source,
        zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as target,
    ):
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename not in rows:
                target.writestr(entry, data)
                continue
            end = data.index(_SHEET_DATA_END)
            with target.open(entry, "w") as part:
                part.write(data[:end])
                rows[entry.filename].write_to(part)
                part.write(data[end:])
    return result.getvalue()


def write_xlsx(content: BatchContent) -> bytes:
    workbook = Workbook(write_only=True)
    styles: dict = {}
    sheets = [
        _declarations_sheet(workbook, content, styles),
        _weeks_sheet(workbook, content, styles),
        _summary_sheet(workbook, content, styles),
    ]
    return _saved(workbook, sheets)


def _text(d: ExportDeclaration) -> list:
    """The declaration's text fields as worksheet cells (neutralised once per declaration)."""
    return [
        sheet_value(text)
        for text in (d.holder_name, d.holder_svb_client_number, d.agreement_svb_number,
                     d.provider_name, d.provider_agb_code, d.provider_kvk_number, d.scheme,
                     d.care_product)
    ]  # fmt: skip


#: the money columns of the declarations sheet: rate, care amount, travel and other costs, total
_DECLARATION_FORMATS = [MONEY_FORMAT if position in (12, 45, 47, 48, 49) else None
                        for position in range(50)]  # fmt: skip


def _declarations_sheet(workbook, content: BatchContent, styles: dict) -> _SheetRows:
    """A row per declaration and rate: the quantity of each day of the month in columns, the
    sums, and on the declaration's last row its costs and total (money formatted)."""
    sheet = workbook.create_sheet(_("Declarations"))
    sheet.freeze_panes = "A2"
    header = [
        _("Declaration"), _("Correction of"), _("Budget holder"), _("SVB client number"),
        _("SVB agreement number"), _("Care provider"), _("AGB code"), _("KvK number"),
        _("Law"), _("Care product"), _("Month"), _("Unit"), _("Rate"),
        *[str(day) for day in range(1, 32)],
        _("Quantity"), _("Care amount"), _("Travel (km)"), _("Travel costs"), _("Other costs"),
        _("Declaration total"),
    ]  # fmt: skip
    _row(sheet, header, bold=True)
    rows = _SheetRows(sheet, styles)
    for d in content.declarations:
        text = _text(d)
        month = f"{d.month:%Y-%m}"
        groups = list(_rate_groups(d.lines)) or [((Decimal(0), ""), [])]
        for position, ((rate, unit), lines) in enumerate(groups):
            days: list = [None] * 31
            quantity = amount = Decimal(0)
            for line in lines:
                days[line.care_date.day - 1] = line.quantity
                quantity += line.quantity
                amount += line.amount
            row = [d.declaration_id, d.corrects_id, *text, month, sheet_value(unit), rate,
                   *days, quantity, amount]  # fmt: skip
            if position == len(groups) - 1:
                row += [d.travel_kilometres, d.travel_amount, d.other_amount, d.total_amount]
            rows.append(row, _DECLARATION_FORMATS)
    return rows


@dataclass(frozen=True)
class WeekTotal:
    year: int
    week: int
    unit: str
    first_day: date
    last_day: date
    quantity: Decimal
    amount: Decimal

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    @property
    def unit_label(self) -> str:
        return str(RateUnit(self.unit).label)


def _week_sums(lines) -> list[tuple]:
    """(year, week, unit, first day, last day, quantity, amount) per ISO week and unit, in
    order; one pass over the lines."""
    weeks: dict[tuple, list] = {}
    for line in lines:
        day = line.care_date
        year, week, _weekday = day.isocalendar()
        key = (year, week, line.unit)
        found = weeks.get(key)
        if found is None:
            weeks[key] = [day, day, Decimal(0) + line.quantity, Decimal(0) + line.amount]
            continue
        if day < found[0]:
            found[0] = day
        if day > found[1]:
            found[1] = day
        found[2] += line.quantity
        found[3] += line.amount
    return [(*key, *sums) for key, sums in sorted(weeks.items())]


def weekly_totals(lines) -> list[WeekTotal]:
    """The care of a declaration per ISO week and unit, as the PGB Portaal asks for it. Takes
    anything with ``care_date``, ``quantity``, ``unit`` and ``amount`` (export or model lines)."""
    return [WeekTotal(*sums) for sums in _week_sums(lines)]


_WEEK_FORMATS = [None] * 8 + [MONEY_FORMAT]


def _weeks_sheet(workbook, content: BatchContent, styles: dict) -> _SheetRows:
    """The PGB Portaal asks for care per week: the totals per agreement and ISO week. (Dates
    need no number format of their own: openpyxl gives a date cell ``yyyy-mm-dd``.)"""
    sheet = workbook.create_sheet(_("Weekly totals"))
    sheet.freeze_panes = "A2"
    _row(
        sheet,
        [_("SVB agreement number"), _("Budget holder"), _("Care provider"), _("Week"),
         _("From"), _("To"), _("Quantity"), _("Unit"), _("Amount")],
        bold=True,
    )  # fmt: skip
    rows = _SheetRows(sheet, styles)
    for d in content.declarations:
        agreement, holder, provider = (
            sheet_value(d.agreement_svb_number),
            sheet_value(d.holder_name),
            sheet_value(d.provider_name),
        )
        for year, week, unit, first, last, quantity, amount in _week_sums(d.lines):
            rows.append(
                [agreement, holder, provider, f"{year}-W{week:02d}", first, last, quantity,
                 sheet_value(unit), amount],
                _WEEK_FORMATS,
            )  # fmt: skip
    return rows


def _summary_sheet(workbook, content: BatchContent, styles: dict) -> _SheetRows:
    sheet = workbook.create_sheet(_("Summary"))
    rows = [
        (_("Export"), content.batch_id),
        (_("Month"), f"{content.period:%Y-%m}"),
        (_("Exported at"), content.created_at.strftime("%Y-%m-%d %H:%M:%S %Z")),
        (_("Exported by"), content.created_by),
        (_("Declarations"), len(content.declarations)),
        (_("Care lines"), content.line_count),
        (_("Total"), content.total),
    ]
    for label, value in rows:
        _row(sheet, [label, value], formats={1: MONEY_FORMAT} if label == _("Total") else None)
    _row(sheet, [])
    _row(sheet, [_("Left out"), _("Reason")], bold=True)
    left_out = _SheetRows(sheet, styles, written=len(rows) + 2)
    for skipped in content.skipped:
        left_out.append([sheet_value(skipped["declaration_id"]), sheet_value(skipped["reason"])])
    return left_out


# --- the PGB Portaal entry aid ---------------------------------------------------------------


@dataclass(frozen=True)
class EntryAidPage:
    """One declaration as the PGB Portaal asks for it: choose the declaration type, the
    provider and the period; type the care per week in the agreed unit; travel costs and other
    costs are declarations of their own type (mijnpgb.nl "Declaraties en maandloon"; svb.nl
    "Declareren voor uw zorgverlener")."""

    declaration: ExportDeclaration
    weeks: list[WeekTotal]
    problems: list[str]

    @property
    def checked(self) -> bool:
        return not self.problems


def figure_problems(d: ExportDeclaration) -> list[str]:
    """Where the figures of a declaration do not add up: its days against its care amount and
    the weeks against the days, and care, travel and other costs against its total."""
    problems = []
    days = sum((line.amount for line in d.lines), Decimal(0))
    weeks = sum((week.amount for week in weekly_totals(d.lines)), Decimal(0))
    if days != d.care_amount:
        problems.append(
            _("The days add up to %(days)s, the care of the declaration is %(care)s.")
            % {"days": days, "care": d.care_amount}
        )
    if weeks != days:
        problems.append(
            _("The weeks add up to %(weeks)s, the days to %(days)s.")
            % {"weeks": weeks, "days": days}
        )
    costs = d.care_amount + d.travel_amount + d.other_amount
    if costs != d.total_amount:
        problems.append(
            _("Care, travel and other costs add up to %(sum)s, the total is %(total)s.")
            % {"sum": costs, "total": d.total_amount}
        )
    return problems


def entry_aid_pages(content: BatchContent) -> list[EntryAidPage]:
    """A page per agreement and month, in the order the PGB Portaal asks."""
    return [
        EntryAidPage(declaration=d, weeks=weekly_totals(d.lines), problems=figure_problems(d))
        for d in content.declarations
    ]


# --- the insurer declaration -----------------------------------------------------------------


def write_insurer_xlsx(content: BatchContent) -> bytes:
    """The specification a health insurer asks with a Zvw pgb declaration: per declaration the
    period, the provider with AGB code, the care per day (date, quantity, unit, rate, amount)
    with the invoice number, travel and other costs and the total; and a summary."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Insurer declaration"))
    sheet.freeze_panes = "A2"
    _row(
        sheet,
        [_("Declaration"), _("Period"), _("Budget holder"), _("Care provider"), _("AGB code"),
         _("Invoice number"), _("Date"), _("Quantity"), _("Unit"), _("Rate"), _("Amount")],
        bold=True,
    )  # fmt: skip
    styles: dict = {}
    rows = _SheetRows(sheet, styles)
    formats = [None] * 6 + [DATE_FORMAT, None, None, MONEY_FORMAT, MONEY_FORMAT]
    for d in content.declarations:
        common = [sheet_value(value) for value in (
            d.declaration_id, f"{d.month:%Y-%m}", d.holder_name, d.provider_name,
            d.provider_agb_code, d.invoice_number)]  # fmt: skip
        for line in d.lines:
            rows.append(
                [*common, line.care_date, line.quantity, sheet_value(line.unit_label),
                 line.rate, line.amount],
                formats,
            )  # fmt: skip
        blank = [None] * 3
        for label, amount in (
            (_("Care"), d.care_amount),
            (_("Travel costs"), d.travel_amount),
            (_("Other costs"), d.other_amount),
        ):
            if amount or label == _("Care"):
                rows.append([*common, *blank, sheet_value(label), amount], formats)
        rows.append([*common, *blank, sheet_value(_("Declaration total")), d.total_amount],
                    formats, bold=True)  # fmt: skip
    return _saved(workbook, [rows, _summary_sheet(workbook, content, styles)])


def _unit_label(unit: str) -> str:
    try:
        return str(RateUnit(unit).label)
    except ValueError:
        return unit
