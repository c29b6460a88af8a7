"""The reports' worksheets as people open them: a bold header row that stays in view (frozen)
with a filter, columns wide enough for what they hold, amounts as euro numbers, days and
months as real dates (date cells with a date format, so Excel sorts and filters them), and
charts with a title on each axis in the theme's petrol blue. Every text cell is neutralised
(:func:`pgb_admin.core.spreadsheets.sheet_value`)."""

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pgb_admin.core.spreadsheets import sheet_value

EURO = '"€" #,##0.00'
PERCENT = "0.0%"
DAY = "d mmmm yyyy"
MONTH = "mmmm yyyy"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="00598A")  # the theme's petrol blue
PETROL, LIGHT = "00598A", "7FB3D1"
MIN_WIDTH, MAX_WIDTH = 8, 60


@dataclass(frozen=True)
class Month:
    """A month as a date cell shown as "maart 2026" (its first day, formatted as a month)."""

    day: date


@dataclass(frozen=True)
class Share:
    """A percentage (``12.5``) as a fraction cell shown as 12,5%."""

    percent: float | None


def new_workbook() -> Workbook:
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])  # the empty sheet it starts with
    return workbook


def save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet(
    workbook: Workbook, title: object, header: Sequence[object], rows: Iterable[Iterable[object]]
) -> Worksheet:
    """A sheet with its header frozen and filtered, amounts (Decimal) in euros, dates and
    months (:class:`Month`) as date cells, shares (:class:`Share`) as percentages, and each
    column as wide as its longest value (within limits)."""
    ws = workbook.create_sheet(title=str(title)[:31])
    ws.append([str(text) for text in header])
    for cell in ws[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    widths = [len(str(text)) for text in header]
    for values in rows:
        cells = []
        for index, value in enumerate(values):
            cell_value, number_format, shown = _cell(value)
            cells.append((cell_value, number_format))
            if index < len(widths):
                widths[index] = max(widths[index], shown)
            else:
                widths.append(shown)
        ws.append([value for value, _format in cells])
        for cell, (_value, number_format) in zip(ws[ws.max_row], cells, strict=False):
            if number_format:
                cell.number_format = number_format
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = min(
            max(width + 2, MIN_WIDTH), MAX_WIDTH
        )
    ws.freeze_panes = "A2"
    if ws.max_row > 1:
        ws.auto_filter.ref = ws.dimensions
    return ws


def _cell(value) -> tuple[object, str, int]:
    """The cell's value, its number format and about how many characters it shows."""
    if isinstance(value, Month):
        return value.day, MONTH, 15
    if isinstance(value, Share):
        return (None if value.percent is None else value.percent / 100), PERCENT, 7
    if isinstance(value, Decimal):
        return value, EURO, len(f"{value:,.2f}") + 2
    if isinstance(value, date):
        return value, DAY, 18
    if isinstance(value, bool):
        return value, "", 6
    if isinstance(value, int | float):
        return value, "#,##0" if isinstance(value, int) else "", len(f"{value:,}")
    if value is None:
        return None, "", 0
    text = sheet_value(str(value))
    return text, "", max((len(line) for line in text.splitlines()), default=0)


def _axes(chart: BarChart | LineChart, x_title: object, y_title: object) -> None:
    chart.x_axis.title = str(x_title)
    chart.y_axis.title = str(y_title)
    # openpyxl 3.1 marks axes deleted unless told: Excel would then draw none
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend = None if len(chart.series) < 2 else chart.legend


def bar_chart(
    ws: Worksheet,
    *,
    title: object,
    value_column: int,
    rows: int,
    x_title: object,
    y_title: object,
    anchor: str,
    horizontal: bool = False,
    months: bool = False,
) -> BarChart:
    """Bars of ``value_column`` (header row 1, ``rows`` rows below) over the categories in
    column A; ``x_title`` names the categories' axis, ``y_title`` the values' (also when the
    bars lie horizontally)."""
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.title = str(title)
    chart.add_data(
        Reference(ws, min_col=value_column, min_row=1, max_row=rows + 1), titles_from_data=True
    )
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=rows + 1))
    for series in chart.series:
        series.graphicalProperties.solidFill = PETROL if not horizontal else LIGHT
        series.graphicalProperties.line.solidFill = PETROL
    _axes(chart, x_title, y_title)
    if months:
        chart.x_axis.number_format = "mmm yyyy"
    chart.y_axis.number_format = '"€" #,##0'
    chart.height, chart.width = (4 + 0.5 * rows, 18) if horizontal else (9, 18)
    ws.add_chart(chart, anchor)
    return chart


def line_chart(
    ws: Worksheet,
    *,
    title: object,
    min_col: int,
    max_col: int,
    rows: int,
    x_title: object,
    y_title: object,
    anchor: str,
) -> LineChart:
    chart = LineChart()
    chart.title = str(title)
    chart.add_data(
        Reference(ws, min_col=min_col, max_col=max_col, min_row=1, max_row=rows + 1),
        titles_from_data=True,
    )
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=rows + 1))
    colours = [PETROL, LIGHT, PETROL, "1B1B1B"]
    for series, colour in zip(chart.series, colours, strict=False):
        series.graphicalProperties.line.solidFill = colour
        series.smooth = False
    _axes(chart, x_title, y_title)
    chart.x_axis.number_format = "mmm yyyy"
    chart.y_axis.number_format = '"€" #,##0'
    chart.height, chart.width = 9, 18
    ws.add_chart(chart, anchor)
    return chart
