"""The municipal report's files as an auditor opens them: the XLSX in the page's words (real
dates, labels not codes, frozen headers, column widths, charts with axis titles) and the chart
in the theme's colours, with month names and the page's thousands separator."""

import io
import re
from datetime import datetime

from django.utils import translation

import openpyxl
import pytest
from PIL import Image

from reports import files, selectors

from .test_municipality import audited  # noqa: F401 (a fixture)


@pytest.fixture
def content(world, audited):  # noqa: F811
    with translation.override("nl"):
        report = selectors.municipality_report(
            user=world.users["auditor_same"], code="GM0518", year=2026
        )
        return report.as_dict()


def _workbook(content: dict, language: str = "nl") -> openpyxl.Workbook:
    with translation.override(language):
        return openpyxl.load_workbook(io.BytesIO(files.municipality_xlsx(content)))


def _values(sheet) -> list[object]:
    return [cell.value for row in sheet.iter_rows() for cell in row if cell.value is not None]


def test_every_sheet_has_a_frozen_bold_header_and_widths(content):
    workbook = _workbook(content)
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(cell.font.bold for cell in sheet[1] if cell.value), sheet.title
        widths = [dimension.width for dimension in sheet.column_dimensions.values()]
        assert widths, sheet.title
        assert all(8 <= width <= 60 for width in widths), sheet.title
    providers = workbook["Per zorgverlener"]
    longest = max(len(str(cell.value)) for cell in providers["A"])
    assert providers.column_dimensions["A"].width >= longest


def test_months_and_days_are_real_dates(content):
    workbook = _workbook(content)
    months = workbook["Per maand"]
    assert [cell.value for cell in months[1]] == ["Maand", "Besteed"]
    first = months["A2"]
    assert isinstance(first.value, datetime)
    assert (first.value.year, first.value.month, first.value.day) == (2026, 1, 1)
    assert "mmm" in first.number_format  # shown as "januari 2026", sorted as a date
    assert months["B2"].number_format.startswith('"€"')
    near = workbook["Bijna op"]
    runs_out = [row[3] for row in near.iter_rows(min_row=2) if row[3].value is not None]
    assert all(isinstance(cell.value, datetime) for cell in runs_out)
    assert all("yyyy" in cell.number_format for cell in runs_out)


def test_words_not_codes_and_the_labels_of_the_page(content):
    workbook = _workbook(content)
    text = " ".join(str(value) for sheet in workbook.worksheets for value in _values(sheet))
    schemes = [row[0].value for row in workbook["Per wet"].iter_rows(min_row=2)]
    assert "Wmo 2015" in schemes
    assert "wmo" not in schemes
    care = [row[0].value for row in workbook["Formeel en informeel"].iter_rows(min_row=2)]
    assert care == ["Informele zorg (sociaal netwerk)"]  # not "informal"
    assert {"formal", "informal", "wmo", "alarm", "context"}.isdisjoint(text.split())
    # the headers are the page's table headers, in the page's language
    assert [cell.value for cell in workbook["Per zorgverlener"][1]] == [
        "Zorgverlener",
        "Besteed",
        "Budgethouders",
    ]
    signals = workbook["Signalen"]
    header = [cell.value for cell in signals[1]]
    assert header[:3] == ["Signaal", "Niveau", "Controleregel"]
    evidence = [row[5].value for row in signals.iter_rows(min_row=2)]
    assert any("Week: week 41 (5 – 11 okt)" in (value or "") for value in evidence)
    keys = re.compile(r"\b(rate_cents|holder_ids|provider_ids)\b")
    assert not any(keys.search(value or "") for value in evidence)
    shares = [row[2] for row in workbook["Formeel en informeel"].iter_rows(min_row=2)]
    assert all(cell.number_format == "0.0%" and cell.value <= 1 for cell in shares)


def test_the_workbook_in_english_says_the_same_in_english(content):
    workbook = _workbook(content, "en")
    assert [cell.value for cell in workbook["By month"][1]] == ["Month", "Spent"]


def test_the_charts_have_axis_titles(content):
    workbook = _workbook(content)
    charts = [chart for sheet in workbook.worksheets for chart in sheet._charts]
    assert len(charts) == 2
    for chart in charts:
        assert chart.x_axis.title is not None
        assert chart.y_axis.title is not None
        assert chart.x_axis.delete is False  # drawn: openpyxl 3.1 hides axes otherwise
        assert chart.y_axis.delete is False


def _svg_text(content: dict, language: str) -> str:
    with translation.override(language):
        svg = files.municipality_chart(content, "svg").decode()
    return " ".join(re.findall(r">([^<>]+)</text>", svg))


def test_the_chart_speaks_the_page_language_with_month_names_and_separators(content):
    dutch = _svg_text(content, "nl")
    assert "jan" in dutch
    assert "okt" in dutch
    assert "2026-01" not in dutch
    assert re.search(r"€\xa0\d{1,3}\.\d{3}", dutch)  # € 2.000: a thousands dot
    assert "Maand" in dutch  # the axis titles
    assert "Besteed" in dutch
    english = _svg_text(content, "en")
    assert "Oct" in english
    assert re.search(r"€\xa0\d{1,3},\d{3}", english)
    with translation.override("nl"):
        svg = files.municipality_chart(content, "svg").decode()
    assert "#00598a" in svg.lower()  # the theme's colours
    assert "#7fb3d1" in svg.lower()
    assert "rotate(-45" not in svg


def test_the_png_is_made_to_be_read_on_a_phone(content):
    png = files.municipality_chart(content, "png")
    width, _height = Image.open(io.BytesIO(png)).size
    # 5 inches at 150 dpi: 12-point text is about 12 px high when scaled to a 390 px screen
    assert width == 750
