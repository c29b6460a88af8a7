"""Downloadable XLSX hour templates: the sheet the import reads, filled in with what pgb-admin
already knows, so a person types hours in Excel and uploads the file again.

What the template writes, and what the import must read back from it:

- sheet ``Uren`` (HOURS_SHEET); row 1 holds the Dutch headers of COLUMNS, in that order. The
  holders template adds "Budgethouder" and "Zorgverlener" after them, only for the human: the
  import ignores headers it does not know.
- a DAY ROW per agreement and per day on which one of its versions runs (days outside every
  version are left out): the agreement's pk, the date (a real Excel date), the quantity (the
  sum of the day's time entries, see :func:`day_quantity`) and the note (see
  :func:`day_note`). An empty quantity on a day row means: no care that day.
- a COST ROW per existing expense, after the day rows of its agreement: agreement, date,
  kind ("reiskosten"/"overig"), kilometres, amount and description, with the QUANTITY LEFT
  EMPTY. An empty quantity on a row that has a cost means "this row is only a cost": it does
  not clear the hours of that day. The costs of the agreement and month on the file are the
  costs of the month.
- SPARE ROWS (SPARE_ROWS of them) at the end for new costs: the person types the agreement,
  the date and the cost. Rows without any value are not rows.
- Cost rows and spare rows have their quantity and note locked: care is typed on the day rows
  only, so each day has one care row. A person removes a cost by emptying its cells; a row
  that keeps its agreement and date but has neither a quantity nor a cost then says nothing
  about the care of that day when the day's own row has a quantity (the quantity wins).
- Text is written through :func:`sheet_value` (a leading apostrophe before = + - @ tab CR LF
  NUL; control characters XML cannot hold are left out), so the import undoes the apostrophe
  with :func:`restore_text` before comparing a note or description.
- Months whose declaration is exported (and not reopened by a correction) cannot change: the
  holders template leaves those agreements out (they are listed as such in the instructions);
  the template of one agreement shows them read-only.

The bytes depend only on the data: the document properties and the zip members carry fixed
dates, so the same data gives the same file.
"""

import io
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, prefetch_related_objects
from django.utils import translation

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.writer.excel import ExcelWriter

from contracts.constants import AgreementType
from contracts.models import AgreementVersion, CareAgreement
from contracts.selectors import version_on
from pgb_admin.audit.events import log_reads
from pgb_admin.audit.models import Action
from pgb_admin.core.files import FIXED_ZIP_TIME
from pgb_admin.core.periods import days_of_month, month_end, month_start, valid_during_q
from pgb_admin.core.spreadsheets import BOLD, FORMULA_TRIGGERS, sheet_value
from pgb_admin.figures.constants import RateUnit

from ..constants import FROZEN_STATUSES, OPEN_STATUSES, ExpenseKind
from ..models import Declaration, Expense, TimeEntry
from .columns import COLUMNS, HOURS_SHEET, INSTRUCTIONS_SHEET

SPARE_ROWS = 50
HOLDER_HEADER = "Budgethouder"
PROVIDER_HEADER = "Zorgverlener"
EXTRA_HEADERS = (HOLDER_HEADER, PROVIDER_HEADER)  # holders template only; the import ignores them
COST_KIND_WORDS = {ExpenseKind.TRAVEL: "reiskosten", ExpenseKind.OTHER: "overig"}
COST_KEYS = ("cost_kind", "kilometres", "amount", "description")
DATE_FORMAT = "yyyy-mm-dd"

POSITION = {column.key: index for index, column in enumerate(COLUMNS, start=1)}
LETTER = {key: get_column_letter(index) for key, index in POSITION.items()}
WIDTHS = {
    "agreement": 18,
    "date": 12,
    "quantity": 10,
    "note": 32,
    "cost_kind": 14,
    "kilometres": 12,
    "amount": 12,
    "description": 32,
}
NUMBER_FORMATS = {"kilometres": "0.0", "amount": "0.00"}

UNLOCKED = Protection(locked=False)
TITLE = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")
LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")
WRAP = Alignment(wrap_text=True, vertical="top")

DUTCH_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
                "september", "oktober", "november", "december")  # fmt: skip
ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December")  # fmt: skip
UNIT_WORDS = {
    RateUnit.HOUR: ("uur", "hour"),
    RateUnit.DAY_PART: ("dagdeel", "day part"),
    RateUnit.DAY: ("etmaal (24 uur)", "24-hour period"),
    RateUnit.MONTH: ("maand (vast maandloon)", "month (fixed monthly pay)"),
}

# What each column means, in Dutch; the English text is the column's help (or the text below).
DUTCH_HELP = {
    "agreement": "Het nummer van de zorgovereenkomst in pgb-admin; het sjabloon vult het in. "
    "Alleen op een lege rij voor nieuwe kosten vult u het zelf in.",
    "date": "De dag van de zorg: 2026-10-05 of 5-10-2026.",
    "quantity": "Uren in kwartieren (7,5), of dagdelen / etmalen in hele getallen; "
    "leeg: geen zorg die dag.",
    "note": "Een opmerking bij de zorg van die dag (mag leeg blijven).",
    "cost_kind": "reiskosten of overig, op een rij met kosten.",
    "kilometres": "Gereden kilometers, bij reiskosten.",
    "amount": "Het bedrag in euro's: 12,50. Bij reiskosten mag het leeg blijven als er een "
    "kilometervergoeding is afgesproken.",
    "description": "Waarvoor de kosten zijn.",
}
ENGLISH_HELP = {
    "note": "A note on the day's care (may stay empty).",
    "kilometres": "Kilometres driven, for travel costs.",
    "description": "What the cost is for.",
}


# --- what the import compares with ----------------------------------------------------------


def day_quantity(entries) -> Decimal | None:
    """The quantity a day row shows: the sum of the day's entries; None without entries."""
    entries = list(entries)
    if not entries:
        return None
    return sum((entry.quantity for entry in entries), Decimal(0))


def day_note(entries) -> str:
    """The note a day row shows: the notes of the day's entries, joined by '; '."""
    return "; ".join(entry.note for entry in entries if entry.note)


def restore_text(value):
    """Undo the apostrophe of :func:`sheet_value`: text the template wrote with a leading
    apostrophe comes back as it was stored."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


# --- loading: a fixed number of queries for any number of agreements ------------------------


PREFETCHED = ("template_versions", "template_entries", "template_expenses", "template_declarations")


def _load(agreements: list[CareAgreement], month: date) -> None:
    """Fetch, for all agreements at once, their holder and provider, the versions that run in
    the month (with the product), and the month's entries, expenses and declarations."""
    last = month_end(month)
    for agreement in agreements:  # a second call must not reuse the month of the first
        for name in PREFETCHED:
            agreement.__dict__.pop(name, None)
    prefetch_related_objects(
        agreements,
        "holder",
        "provider",
        Prefetch(
            "versions",
            queryset=AgreementVersion.objects.filter(valid_during_q(month, last))
            .select_related("product")
            .order_by("valid_from"),
            to_attr="template_versions",
        ),
        Prefetch(
            "time_entries",
            queryset=TimeEntry.objects.filter(care_date__range=(month, last)).order_by(
                "care_date", "start_time", "pk"
            ),
            to_attr="template_entries",
        ),
        Prefetch(
            "expenses",
            queryset=Expense.objects.filter(expense_date__range=(month, last)).order_by(
                "expense_date", "pk"
            ),
            to_attr="template_expenses",
        ),
        Prefetch(
            "declarations",
            queryset=Declaration.objects.filter(month=month).order_by("pk"),
            to_attr="template_declarations",
        ),
    )


def _is_locked(agreement: CareAgreement) -> bool:
    """As services.month_is_locked, from the prefetched declarations: exported, and no
    correction opened since."""
    declarations = agreement.template_declarations
    frozen = any(d.status in FROZEN_STATUSES for d in declarations)
    reopened = any(d.status in OPEN_STATUSES and d.corrects_id is not None for d in declarations)
    return frozen and not reopened


# --- the rows ---------------------------------------------------------------------------------


@dataclass
class _Row:
    values: dict
    unlocked: tuple = ()
    unit: str | None = None  # the unit of the quantity on a day row that takes one


@dataclass
class _Sheet:
    month: date
    agreements: list[CareAgreement]  # in the order of the sheet, with prefetched data
    with_people: bool  # the holders template: holder and provider columns
    rows: list[_Row] = field(default_factory=list)
    open_ids: list[int] = field(default_factory=list)


def _agreement_rows(agreement: CareAgreement, month: date, *, with_people: bool) -> list[_Row]:
    locked = _is_locked(agreement)
    people = {}
    if with_people:
        people = {
            HOLDER_HEADER: agreement.holder.display_name,
            PROVIDER_HEADER: agreement.provider.name,
        }
    entries = defaultdict(list)
    for entry in agreement.template_entries:
        entries[entry.care_date].append(entry)
    rows = []
    for day in days_of_month(month):
        version = version_on(agreement.template_versions, day)
        if version is None:
            continue
        takes_care = not locked and version.unit != RateUnit.MONTH
        rows.append(
            _Row(
                values={
                    "agreement": agreement.pk,
                    "date": day,
                    "quantity": day_quantity(entries[day]),
                    "note": day_note(entries[day]),
                    **people,
                },
                unlocked=("quantity", "note") if takes_care else (),
                unit=version.unit if takes_care else None,
            )
        )
    if not rows:
        return rows
    for expense in agreement.template_expenses:
        rows.append(
            _Row(
                values={
                    "agreement": agreement.pk,
                    "date": expense.expense_date,
                    "cost_kind": COST_KIND_WORDS.get(expense.kind, expense.kind),
                    "kilometres": expense.kilometres,
                    "amount": expense.amount,
                    "description": expense.description,
                    **people,
                },
                unlocked=() if locked else ("agreement", "date", *COST_KEYS),
            )
        )
    return rows


def _build(
    month: date, agreements: list[CareAgreement], *, with_people: bool, skip_locked: bool
) -> _Sheet:
    sheet = _Sheet(month=month, agreements=agreements, with_people=with_people)
    for agreement in agreements:
        if skip_locked and _is_locked(agreement):
            continue
        rows = _agreement_rows(agreement, month, with_people=with_people)
        sheet.rows.extend(rows)
        if rows and not _is_locked(agreement):
            sheet.open_ids.append(agreement.pk)
    if sheet.open_ids:
        spare = _Row(values={}, unlocked=("agreement", "date", *COST_KEYS))
        sheet.rows.extend([spare] * SPARE_ROWS)
    return sheet


# --- writing ----------------------------------------------------------------------------------


def _headers(with_people: bool) -> list[str]:
    return [column.dutch for column in COLUMNS] + (list(EXTRA_HEADERS) if with_people else [])


def _write_hours(worksheet, sheet: _Sheet) -> None:
    headers = _headers(sheet.with_people)
    for index, header in enumerate(headers, start=1):
        cell = worksheet.cell(row=1, column=index, value=header)
        cell.font = BOLD
        cell.fill = HEADER_FILL
    keys = [column.key for column in COLUMNS] + (list(EXTRA_HEADERS) if sheet.with_people else [])
    for number, row in enumerate(sheet.rows, start=2):
        for index, key in enumerate(keys, start=1):
            value = row.values.get(key)
            if value == "":
                value = None
            cell = worksheet.cell(row=number, column=index, value=sheet_value(value))
            if key == "date":
                cell.number_format = DATE_FORMAT
            elif key in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[key]
            if key in row.unlocked:
                cell.protection = UNLOCKED
            elif key in POSITION and key not in ("agreement", "date"):
                cell.fill = LOCKED_FILL
    for key, width in WIDTHS.items():
        worksheet.column_dimensions[LETTER[key]].width = width
    for index in range(len(COLUMNS) + 1, len(headers) + 1):
        worksheet.column_dimensions[get_column_letter(index)].width = 28
    worksheet.freeze_panes = "A2"
    _validations(worksheet, sheet)
    _protect(worksheet)


def _protect(worksheet) -> None:
    """Protected without a password: a guide against mistakes, not a lock against people."""
    protection = worksheet.protection
    protection.sheet = True
    protection.formatColumns = False  # widening a column is fine
    protection.formatRows = False
    protection.selectLockedCells = False
    protection.selectUnlockedCells = False


def _runs(numbers: list[int], letter: str) -> str:
    """Row numbers as ranges of consecutive rows: 'C2:C32 C40:C45'."""
    ranges, start, previous = [], None, None
    for number in numbers:
        if start is None:
            start = previous = number
        elif number == previous + 1:
            previous = number
        else:
            ranges.append((start, previous))
            start = previous = number
    if start is not None:
        ranges.append((start, previous))
    return " ".join(f"{letter}{first}:{letter}{last}" for first, last in ranges)


def _validation(kind: str, cells: str, title: str, error: str, **options) -> DataValidation:
    validation = DataValidation(
        type=kind,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle=title,
        error=error,
        **options,
    )
    validation.sqref = MultiCellRange(cells)
    return validation


QUANTITY_RULES = {
    RateUnit.HOUR: (
        "decimal", "0", "24",
        "Vul uren in van 0 tot 24, in kwartieren (7,5). / "
        "Enter hours from 0 to 24, in quarter hours (7.5).",
    ),
    RateUnit.DAY_PART: (
        "whole", "0", "3",
        "Vul een heel aantal dagdelen in, 0 tot 3. / Enter whole day parts, 0 to 3.",
    ),
    RateUnit.DAY: (
        "whole", "0", "1",
        "Vul 0 of 1 etmaal in. / Enter 0 or 1 24-hour period.",
    ),
}  # fmt: skip


def _validations(worksheet, sheet: _Sheet) -> None:
    by_unit = defaultdict(list)
    by_key = defaultdict(list)
    for number, row in enumerate(sheet.rows, start=2):
        if row.unit in QUANTITY_RULES:
            by_unit[row.unit].append(number)
        for key in row.unlocked:
            by_key[key].append(number)
    for unit, (kind, low, high, error) in QUANTITY_RULES.items():
        if by_unit[unit]:
            worksheet.add_data_validation(
                _validation(
                    kind,
                    _runs(by_unit[unit], LETTER["quantity"]),
                    "Aantal / Quantity",
                    error,
                    operator="between",
                    formula1=low,
                    formula2=high,
                )
            )
    for key, title in (("kilometres", "Kilometers / Kilometres"), ("amount", "Bedrag / Amount")):
        if by_key[key]:
            worksheet.add_data_validation(
                _validation(
                    "decimal",
                    _runs(by_key[key], LETTER[key]),
                    title,
                    "Vul een getal van 0 of meer in (12,50). / Enter a number of 0 or more "
                    "(12.50).",
                    operator="greaterThanOrEqual",
                    formula1="0",
                )
            )
    if by_key["cost_kind"]:
        worksheet.add_data_validation(
            _validation(
                "list",
                _runs(by_key["cost_kind"], LETTER["cost_kind"]),
                "Soort kosten / Kind of cost",
                "Kies reiskosten of overig. / Choose reiskosten (travel) or overig (other).",
                formula1='"reiskosten,overig"',
            )
        )
    if by_key["date"]:
        month, last = sheet.month, month_end(sheet.month)
        worksheet.add_data_validation(
            _validation(
                "date",
                _runs(by_key["date"], LETTER["date"]),
                "Datum / Date",
                f"Vul een datum in {DUTCH_MONTHS[month.month - 1]} {month.year} in "
                f"({month:%Y-%m}-05). / Enter a date in {ENGLISH_MONTHS[month.month - 1]} "
                f"{month.year} ({month:%Y-%m}-05).",
                operator="between",
                formula1=f"DATE({month.year},{month.month},1)",
                formula2=f"DATE({last.year},{last.month},{last.day})",
            )
        )
    if by_key["agreement"]:
        numbers = ",".join(str(pk) for pk in sheet.open_ids)
        error = (
            "Vul het nummer van een zorgovereenkomst uit dit bestand in. / "
            "Enter the number of an agreement in this file."
        )
        cells = _runs(by_key["agreement"], LETTER["agreement"])
        if len(numbers) <= 250:  # Excel's limit for a list typed into the rule
            rule = _validation(
                "list", cells, "Zorgovereenkomst / Agreement", error, formula1=f'"{numbers}"'
            )
        else:
            rule = _validation(
                "whole",
                cells,
                "Zorgovereenkomst / Agreement",
                error,
                operator="greaterThanOrEqual",
                formula1="1",
            )
        worksheet.add_data_validation(rule)


# --- the instructions -----------------------------------------------------------------------


def _month_words(month: date) -> tuple[str, str]:
    return (
        f"{DUTCH_MONTHS[month.month - 1]} {month.year}",
        f"{ENGLISH_MONTHS[month.month - 1]} {month.year}",
    )


def _number_text(value: Decimal | None, comma: bool) -> str:
    if value is None:
        return "-"
    text = f"{value.normalize():f}"
    return text.replace(".", ",") if comma else text


def _describe(agreement: CareAgreement, *, dutch: bool) -> str:
    """'{provider}, {product}, per {unit}, {hours} uur per week' for the versions of the
    month (a change within the month lists each version)."""
    parts = []
    for version in agreement.template_versions:
        product = version.product.name_nl if dutch else version.product.name_en
        unit = UNIT_WORDS.get(version.unit, (version.unit, version.unit))[0 if dutch else 1]
        text = f"{product}, per {unit}"
        if version.hours_per_week is not None:
            hours = _number_text(version.hours_per_week, dutch)
            text += f", {hours} uur per week" if dutch else f", {hours} hours per week"
        if len(agreement.template_versions) > 1:
            end = version.valid_to.isoformat() if version.valid_to else "…"
            text += f" ({version.valid_from.isoformat()} – {end})"
        parts.append(text)
    if not parts:
        parts.append("loopt niet in deze maand" if dutch else "does not run in this month")
    return f"{agreement.provider.name}: " + "; ".join(parts)


def _dutch_lines(sheet: _Sheet, single: CareAgreement | None) -> list[str]:
    month = _month_words(sheet.month)[0]
    if single is not None:
        about = (
            f"Dit is de urenstaat van {month} voor zorgovereenkomst {single.pk} met "
            f"{_describe(single, dutch=True)}."
        )
    else:
        about = (
            f"Dit is de urenstaat van {month} voor alle zorgovereenkomsten die u mag wijzigen "
            f"({len(sheet.open_ids)}); de tabel onderaan noemt ze. Vaste maandlonen staan er "
            "niet in: die hebben geen uren."
        )
    return [
        about,
        f"Vul op het blad '{HOURS_SHEET}' per dag in hoeveel zorg er is gegeven. Elke rij is "
        "één dag van één zorgovereenkomst; uren die al in pgb-admin staan, zijn ingevuld.",
        "Uren tikt u in kwartieren, met een komma of een punt: 7,5 of 7.5 is zeven en een half "
        "uur, 0,25 is een kwartier. Dagdelen en etmalen telt u in hele getallen.",
        "Een leeg vak bij Aantal betekent: die dag geen zorg. Maakt u een ingevuld aantal leeg, "
        "dan vervallen de uren van die dag.",
        "Kosten staan op eigen rijen, onder de dagen van hun zorgovereenkomst; Aantal blijft "
        "daar leeg. Een rij met kosten en zonder aantal verandert de uren van die dag niet. "
        "Nieuwe kosten zet u op een lege rij onderaan: vul de zorgovereenkomst, de datum en de "
        "kosten in. Kosten verwijdert u door hun vakken leeg te maken.",
        "Verander de opbouw van het bestand niet: hernoem het blad en de kolomkoppen niet en "
        "voeg geen kolommen toe of weg. Grijze vakken zijn vergrendeld.",
        "Hetzelfde bestand twee keer uploaden verandert niets: alleen wat u hebt gewijzigd, "
        "wordt overgenomen.",
        "De uren en kosten van een maand die gedeclareerd en geëxporteerd is, kunnen niet meer "
        "veranderen; daarvoor opent u een correctie van die declaratie.",
    ]


def _english_lines(sheet: _Sheet, single: CareAgreement | None) -> list[str]:
    month = _month_words(sheet.month)[1]
    if single is not None:
        about = (
            f"This is the timesheet of {month} for care agreement {single.pk} with "
            f"{_describe(single, dutch=False)}."
        )
    else:
        about = (
            f"This is the timesheet of {month} for all care agreements you may change "
            f"({len(sheet.open_ids)}); the table at the bottom lists them. Fixed monthly pay is "
            "left out: it has no hours."
        )
    return [
        about,
        f"On the sheet '{HOURS_SHEET}', fill in how much care was given on each day. Each row "
        "is one day of one agreement; hours already in pgb-admin are filled in.",
        "Type hours in quarter hours, with a comma or a point: 7,5 or 7.5 is seven and a half "
        "hours, 0,25 is a quarter of an hour. Count day parts and 24-hour periods in whole "
        "numbers.",
        "An empty Quantity (Aantal) means: no care that day. Emptying a filled-in quantity "
        "removes that day's hours.",
        "Costs have rows of their own, below the days of their agreement; their Quantity stays "
        "empty. A row with a cost and no quantity does not change the hours of that day. Put a "
        "new cost on an empty row at the bottom: fill in the agreement, the date and the cost. "
        "Remove a cost by emptying its cells.",
        "Do not change the structure of the file: do not rename the sheet or the headers, and "
        "do not add or remove columns. Grey cells are locked.",
        "Uploading the same file twice changes nothing: only what you changed is taken over.",
        "The hours and costs of a month that is declared and exported can no longer change; "
        "open a correction of that declaration instead.",
    ]


def _english_help(column) -> str:
    if column.help:
        with translation.override("en"):
            return str(column.help)
    return ENGLISH_HELP.get(column.key, "")


def _write_instructions(worksheet, sheet: _Sheet, single: CareAgreement | None) -> None:
    dutch_month, english_month = _month_words(sheet.month)
    lines: list[tuple] = []  # (cells, font)

    def text(*cells, font=None):
        lines.append((cells, font))

    text(f"Uitleg urenstaat {dutch_month}", font=TITLE)
    for line in _dutch_lines(sheet, single):
        text(line)
    if single is not None and _is_locked(single):
        text(
            f"{dutch_month} is gedeclareerd en geëxporteerd: dit bestand is alleen om te lezen; "
            "uploaden wordt geweigerd.",
            font=BOLD,
        )
    text()
    text("Kolommen", font=BOLD)
    for column in COLUMNS:
        text(column.dutch, DUTCH_HELP.get(column.key, ""))
    if sheet.with_people:
        text(
            ", ".join(EXTRA_HEADERS),
            "Alleen ter informatie (geen BSN); bij het uploaden worden ze overgeslagen.",
        )
    text()
    text(f"Instructions for the timesheet of {english_month}", font=TITLE)
    for line in _english_lines(sheet, single):
        text(line)
    if single is not None and _is_locked(single):
        text(
            f"{english_month} is declared and exported: this file is for reading only; an "
            "upload is refused.",
            font=BOLD,
        )
    text()
    text("Columns", font=BOLD)
    for column in COLUMNS:
        text(f"{column.english} ({column.dutch})", _english_help(column))
    if sheet.with_people:
        text(
            f"Budget holder ({HOLDER_HEADER}), Provider ({PROVIDER_HEADER})",
            "For your information only (no BSN); an upload skips them.",
        )
    text()
    text("Zorgovereenkomsten / Care agreements", font=BOLD)
    text(
        "Zorgovereenkomst / Agreement",
        "Budgethouder / Budget holder",
        "Zorgverlener / Provider",
        "Zorgproduct / Care product",
        "Eenheid / Unit",
        "Uren per week / Hours per week",
        "Geldig van / Valid from",
        "Geldig tot / Valid to",
        "Te wijzigen / Can change",
        font=BOLD,
    )
    for agreement in sheet.agreements:
        for version in agreement.template_versions:
            dutch_unit, english_unit = UNIT_WORDS.get(version.unit, (version.unit, version.unit))
            text(
                agreement.pk,
                agreement.holder.display_name,
                agreement.provider.name,
                f"{version.product.name_nl} / {version.product.name_en}",
                f"{dutch_unit} / {english_unit}",
                version.hours_per_week,
                version.valid_from,
                version.valid_to,
                "nee, geëxporteerd / no, exported" if _is_locked(agreement) else "ja / yes",
            )

    for number, (cells, font) in enumerate(lines, start=1):
        for index, value in enumerate(cells, start=1):
            cell = worksheet.cell(row=number, column=index, value=sheet_value(value))
            if isinstance(value, date):
                cell.number_format = DATE_FORMAT
            if font is not None:
                cell.font = font
            elif index <= 2 and isinstance(value, str):
                cell.alignment = WRAP
    worksheet.column_dimensions["A"].width = 100
    for letter in "BCDEFGHI":
        worksheet.column_dimensions[letter].width = 40 if letter == "B" else 22
    _protect(worksheet)


# --- the workbook ---------------------------------------------------------------------------


def _workbook_bytes(sheet: _Sheet, single: CareAgreement | None) -> bytes:
    workbook = Workbook()
    hours = workbook.active
    hours.title = HOURS_SHEET
    _write_hours(hours, sheet)
    _write_instructions(workbook.create_sheet(INSTRUCTIONS_SHEET), sheet, single)
    workbook.active = 0
    moment = datetime.combine(sheet.month, time.min)
    workbook.properties.created = workbook.properties.modified = moment
    workbook.properties.creator = workbook.properties.lastModifiedBy = "pgb-admin"
    workbook.properties.title = f"Uren {sheet.month:%Y-%m}"
    buffer = io.BytesIO()
    # Workbook.save() stamps "modified" with the current time; the writer itself does not.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).save()
    return _fixed_zip_times(buffer.getvalue())


def _fixed_zip_times(content: bytes) -> bytes:
    """The same members with a fixed date, so the file's bytes do not depend on the clock."""
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = member.external_attr
            target.writestr(info, source.read(member.filename))
    return output.getvalue()


def agreement_month_template(agreement: CareAgreement, month: date) -> bytes:
    """The hours template of one agreement and month (any day of the month will do). The
    caller has checked that the user may see the agreement."""
    month = month_start(month)
    _load([agreement], month)
    sheet = _build(month, [agreement], with_people=False, skip_locked=False)
    return _workbook_bytes(sheet, agreement)


def holders_month_template(*, actor, month: date, holder_ids: list[int] | None = None) -> bytes:
    """The hours template of a month for every agreement ``actor`` may change (of
    ``holder_ids`` only, when given) that runs in the month, fixed monthly pay left out;
    ordered by the holder's surname. Agreements whose month is exported are listed in the
    instructions but have no rows. A fixed number of queries, whatever the number of
    agreements."""
    month = month_start(month)
    running = AgreementVersion.objects.filter(
        valid_during_q(month, month_end(month)), agreement_id=OuterRef("pk")
    ).exclude(unit=RateUnit.MONTH)
    agreements = (
        CareAgreement.objects.editable_by(actor)
        .exclude(agreement_type=AgreementType.EMPLOYMENT_FIXED)
        .filter(Exists(running))
        .select_related("holder", "provider")
        .order_by("holder__surname", "holder__initials", "holder_id", "pk")
    )
    if holder_ids is not None:
        agreements = agreements.filter(holder_id__in=holder_ids)
    agreements = list(agreements)
    log_reads(
        user=actor,
        action=Action.EXPORT,
        what="export:hours_template",
        holder_counts=Counter(agreement.holder_id for agreement in agreements),
    )
    _load(agreements, month)
    for agreement in agreements:
        # Fixed monthly pay has no hours: versions per month are left out, here only.
        agreement.template_versions = [
            v for v in agreement.template_versions if v.unit != RateUnit.MONTH
        ]
    sheet = _build(month, agreements, with_people=True, skip_locked=True)
    return _workbook_bytes(sheet, None)
