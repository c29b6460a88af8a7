"""SVB-ready batch files: XLSX laid out like the SVB's declaration (a row per declaration and
rate with the hours per day), the weekly totals the PGB Portaal asks for and a summary; and a
CSV of every line for other systems. Pure functions: rows in, bytes out.

Text that a spreadsheet could take for a formula is neutralised in every CSV field and
worksheet cell (:mod:`pgb_admin.core.spreadsheets`).
"""

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

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


@dataclass
class BatchContent:
    batch_id: int
    period: date
    created_at: datetime
    created_by: str
    declarations: list[ExportDeclaration]
    skipped: list[dict]

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
    total of each declaration (see README: SVB batch CSV)."""
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
    """Lines grouped by rate and unit, in order: one SVB form row each."""
    groups: dict[tuple, list[ExportLine]] = {}
    for line in lines:
        groups.setdefault((line.rate, line.unit), []).append(line)
    return groups.items()


def write_xlsx(content: BatchContent) -> bytes:
    workbook = Workbook(write_only=True)
    _declarations_sheet(workbook, content)
    _weeks_sheet(workbook, content)
    _summary_sheet(workbook, content)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _declarations_sheet(workbook, content: BatchContent) -> None:
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
    first_day_column = 13
    money = {12: MONEY_FORMAT, first_day_column + 32: MONEY_FORMAT}
    money.update({first_day_column + 31 + offset: MONEY_FORMAT for offset in (1, 3, 4, 5)})
    for d in content.declarations:
        groups = list(_rate_groups(d.lines)) or [((Decimal(0), ""), [])]
        for position, ((rate, unit), lines) in enumerate(groups):
            days: list = [None] * 31
            for line in lines:
                days[line.care_date.day - 1] = line.quantity
            last = position == len(groups) - 1
            _row(
                sheet,
                [
                    d.declaration_id, d.corrects_id, d.holder_name, d.holder_svb_client_number,
                    d.agreement_svb_number, d.provider_name, d.provider_agb_code,
                    d.provider_kvk_number, d.scheme, d.care_product, f"{d.month:%Y-%m}", unit,
                    rate, *days,
                    sum((line.quantity for line in lines), Decimal(0)),
                    sum((line.amount for line in lines), Decimal(0)),
                    d.travel_kilometres if last else None,
                    d.travel_amount if last else None,
                    d.other_amount if last else None,
                    d.total_amount if last else None,
                ],
                formats=money,
            )  # fmt: skip


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


def weekly_totals(lines) -> list[WeekTotal]:
    """The care of a declaration per ISO week and unit, as the PGB Portaal asks for it. Takes
    anything with ``care_date``, ``quantity``, ``unit`` and ``amount`` (export or model lines)."""
    weeks: dict[tuple, list] = defaultdict(list)
    for line in lines:
        year, week, _weekday = line.care_date.isocalendar()
        weeks[year, week, line.unit].append(line)
    return [
        WeekTotal(
            year=year,
            week=week,
            unit=unit,
            first_day=min(line.care_date for line in week_lines),
            last_day=max(line.care_date for line in week_lines),
            quantity=sum((line.quantity for line in week_lines), Decimal(0)),
            amount=sum((line.amount for line in week_lines), Decimal(0)),
        )
        for (year, week, unit), week_lines in sorted(weeks.items())
    ]


def _weeks_sheet(workbook, content: BatchContent) -> None:
    """The PGB Portaal asks for care per week: the totals per agreement and ISO week."""
    sheet = workbook.create_sheet(_("Weekly totals"))
    sheet.freeze_panes = "A2"
    _row(
        sheet,
        [_("SVB agreement number"), _("Budget holder"), _("Care provider"), _("Week"),
         _("From"), _("To"), _("Quantity"), _("Unit"), _("Amount")],
        bold=True,
    )  # fmt: skip
    for d in content.declarations:
        for week in weekly_totals(d.lines):
            _row(
                sheet,
                [
                    d.agreement_svb_number, d.holder_name, d.provider_name, week.label,
                    week.first_day, week.last_day, week.quantity, week.unit, week.amount,
                ],
                formats={4: "yyyy-mm-dd", 5: "yyyy-mm-dd", 8: MONEY_FORMAT},
            )  # fmt: skip


def _summary_sheet(workbook, content: BatchContent) -> None:
    sheet = workbook.create_sheet(_("Summary"))
    rows = [
        (_("Batch"), content.batch_id),
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
    for skipped in content.skipped:
        _row(sheet, [skipped["declaration_id"], skipped["reason"]])
