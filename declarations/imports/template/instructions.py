"""The instructions sheet: one block of text rendered in Dutch and then in English, and the
agreements of the file in a table with both languages in its headers."""

from collections.abc import Callable
from datetime import date

from django.utils import translation

from openpyxl.styles import Alignment, Font

from contracts.models import AgreementVersion
from pgb_admin.core.dates import format_month
from pgb_admin.core.spreadsheets import BOLD, sheet_value

from ..columns import COLUMNS, HOURS_SHEET
from . import text
from .hours_sheet import DATE_FORMAT, protect
from .rows import HOLDER_HEADER, PROVIDER_HEADER, AgreementMonth, Sheet

TITLE = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")

#: a line of the sheet: its cells, and their font (None: the plain one)
Line = tuple[tuple[object, ...], Font | None]


def _describe(loaded: AgreementMonth) -> str:
    """'{provider}: {product}, per {unit}, {hours} hours per week' for the versions of the
    month (a change within the month lists each version)."""
    parts = []
    versions = loaded.versions
    for version in versions:
        values = {
            "product": version.product.name,
            "unit": text.UNIT_WORDS.get(version.unit, version.unit),
        }
        if version.hours_per_week is None:
            part = text.VERSION % values
        else:
            part = text.VERSION_WITH_HOURS % {
                **values,
                "hours": text.number_text(version.hours_per_week),
            }
        if len(versions) > 1:
            end = version.valid_to.isoformat() if version.valid_to else "…"
            part += f" ({version.valid_from.isoformat()} – {end})"
        parts.append(part)
    if not parts:
        parts.append(str(text.NOT_RUNNING))
    return f"{loaded.agreement.provider.name}: " + "; ".join(parts)


def _block(sheet: Sheet, single: AgreementMonth | None) -> list[Line]:
    """The instructions in the active language, as (cells, font) lines ending with an empty
    line."""
    month = format_month(sheet.month)
    if single is not None:
        about = text.ABOUT_ONE % {
            "month": month,
            "number": single.agreement.pk,
            "agreement": _describe(single),
        }
    else:
        about = text.ABOUT_ALL % {"month": month, "count": len(sheet.open_ids)}
    lines: list[Line] = [
        ((text.TITLE % {"month": month},), TITLE),
        ((about,), None),
        ((text.ON_THE_SHEET % {"sheet": HOURS_SHEET},), None),
        *(((str(line),), None) for line in text.HOW_TO),
    ]
    if single is not None and single.locked:
        lines.append(((text.READ_ONLY % {"month": month},), BOLD))
    lines += [((), None), ((str(text.COLUMNS_TITLE),), BOLD)]
    for column in COLUMNS:
        lines.append(
            ((text.header_label(column.key, column.dutch), str(text.HELP[column.key])), None)
        )
    if sheet.with_people:
        people = ", ".join(
            text.header_label(key, header)
            for key, header in (("holder", HOLDER_HEADER), ("provider", PROVIDER_HEADER))
        )
        lines.append(((people, str(text.PEOPLE_HELP)), None))
    lines.append(((), None))
    return lines


def _agreements_table(sheet: Sheet) -> list[Line]:
    lines: list[Line] = [
        ((text.both(text.AGREEMENTS_TITLE),), BOLD),
        (tuple(text.both(header) for header in text.AGREEMENT_HEADERS), BOLD),
    ]
    for loaded in sheet.agreements:
        agreement = loaded.agreement
        can_change = text.EXPORTED if loaded.locked else text.CAN_CHANGE
        for version in loaded.versions:
            lines.append(
                (
                    (
                        agreement.pk,
                        agreement.holder.display_name,
                        agreement.provider.name,
                        text.both(_product_name(version)),
                        text.both(text.UNIT_WORDS.get(version.unit, version.unit)),
                        version.hours_per_week,
                        version.valid_from,
                        version.valid_to,
                        text.both(can_change),
                    ),
                    None,
                )
            )
    return lines


def _product_name(version: AgreementVersion) -> Callable[[], str]:
    """The product's name in the active language (it has one per language)."""
    return lambda: version.product.name


def write_instructions(worksheet, sheet: Sheet, single: AgreementMonth | None) -> None:
    lines: list[Line] = []
    for language in text.LANGUAGES:
        with translation.override(language):
            lines += _block(sheet, single)
    lines += _agreements_table(sheet)

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
    protect(worksheet)
