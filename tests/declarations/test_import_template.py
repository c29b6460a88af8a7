"""The downloadable hours templates: the sheet the import reads, filled in with what is known,
with validations, a locked structure, instructions in Dutch and English, and the same bytes
for the same data."""

import io
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest
import time_machine
from openpyxl import load_workbook

from contracts.constants import AgreementType
from declarations.constants import DeclarationStatus
from declarations.imports.columns import COLUMNS, HOURS_SHEET, INSTRUCTIONS_SHEET
from declarations.imports.template import (
    SPARE_ROWS,
    agreement_month_template,
    holders_month_template,
    restore_text,
)
from declarations.models import Declaration
from declarations.services import hours as hour_services
from pgb_admin.figures.constants import RateUnit
from tests.conftest import FIXED_MOMENT
from tests.factories import AgreementVersionFactory, CareAgreementFactory, ProviderFactory

OCTOBER = date(2026, 10, 1)
DUTCH_HEADERS = [column.dutch for column in COLUMNS]
COLUMN = {column.key: index for index, column in enumerate(COLUMNS)}


def _open(content: bytes):
    return load_workbook(io.BytesIO(content))


def _rows(sheet):
    return list(sheet.iter_rows(min_row=2, values_only=True))


def _day(value) -> date:
    assert isinstance(value, datetime), value
    return value.date()


def _validations(sheet, letter: str):
    """The data validations that cover any cell of the column ``letter``."""
    return [
        rule
        for rule in sheet.data_validations.dataValidation
        if any(cell_range.coord.startswith(letter) for cell_range in rule.sqref.ranges)
    ]


def _covers(rule, coordinate: str) -> bool:
    return coordinate in rule.sqref


def _all_text(workbook_or_sheet) -> str:
    sheets = getattr(workbook_or_sheet, "worksheets", [workbook_or_sheet])
    return "\n".join(
        str(value)
        for sheet in sheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def _another_agreement(world, *, agreement_type=AgreementType.EMPLOYMENT_HOURLY, **version):
    agreement = CareAgreementFactory(
        holder=world.mine, provider=world.mine_provider, agreement_type=agreement_type
    )
    budget = world.mine_wmo_budget
    AgreementVersionFactory(
        agreement=agreement, budget=budget, product=budget.products.first(), **version
    )
    return agreement


@pytest.fixture
def filled(world):
    """The Wmo agreement with 4 hours on the Mondays of October, 1.5 more on the 5th, and two
    costs."""
    agreement, actor = world.mine_wmo_agreement, world.users["representative"]
    hour_services.time_entries_fill_month(
        actor=actor, agreement_id=agreement.pk, month=OCTOBER, pattern={0: "4"}
    )
    hour_services.time_entry_add(
        actor=actor,
        agreement_id=agreement.pk,
        care_date=date(2026, 10, 5),
        quantity="1,5",
        note="avond",
    )
    hour_services.expense_add(
        actor=actor,
        agreement_id=agreement.pk,
        expense_date=date(2026, 10, 7),
        kind="travel",
        kilometres="12",
        amount="2.76",
        description="=1+1",
    )
    hour_services.expense_add(
        actor=actor,
        agreement_id=agreement.pk,
        expense_date=date(2026, 10, 12),
        kind="other",
        amount="15.00",
    )
    return agreement


def test_the_template_has_the_columns_the_days_and_what_is_known(filled):
    workbook = _open(agreement_month_template(filled, OCTOBER))

    assert workbook.sheetnames == [HOURS_SHEET, INSTRUCTIONS_SHEET]
    sheet = workbook[HOURS_SHEET]
    assert [cell.value for cell in sheet[1]] == DUTCH_HEADERS
    rows = _rows(sheet)
    days, costs, spare = rows[:31], rows[31:33], rows[33:]
    assert [_day(row[COLUMN["date"]]) for row in days] == [
        OCTOBER + timedelta(days=n) for n in range(31)
    ]
    assert {row[COLUMN["agreement"]] for row in days} == {filled.pk}
    assert sheet.cell(row=2, column=COLUMN["date"] + 1).number_format == "yyyy-mm-dd"
    quantities = {_day(row[COLUMN["date"]]).day: row[COLUMN["quantity"]] for row in days}
    assert quantities[5] == pytest.approx(5.5)  # 4 + 1.5: the sum of the day
    assert [quantities[day] for day in (12, 19, 26)] == [4, 4, 4]
    assert quantities[6] is None
    assert days[4][COLUMN["note"]] == "avond"

    travel, other = costs
    assert travel[COLUMN["agreement"]] == filled.pk
    assert _day(travel[COLUMN["date"]]) == date(2026, 10, 7)
    assert travel[COLUMN["quantity"]] is None
    assert travel[COLUMN["cost_kind"]] == "reiskosten"
    assert travel[COLUMN["kilometres"]] == 12
    assert Decimal(str(travel[COLUMN["amount"]])) == Decimal("2.76")
    assert travel[COLUMN["description"]] == "'=1+1"  # never a formula
    assert restore_text(travel[COLUMN["description"]]) == "=1+1"
    assert other[COLUMN["cost_kind"]] == "overig"
    assert other[COLUMN["quantity"]] is None
    assert Decimal(str(other[COLUMN["amount"]])) == Decimal("15")

    assert len(spare) == SPARE_ROWS
    assert all(value is None for row in spare for value in row)


def test_the_quantity_and_the_costs_have_validations(filled):
    sheet = _open(agreement_month_template(filled, OCTOBER))[HOURS_SHEET]

    (hours,) = _validations(sheet, "C")
    assert (hours.type, hours.operator, hours.formula1, hours.formula2) == (
        "decimal",
        "between",
        "0",
        "24",
    )
    assert _covers(hours, "C2")
    assert _covers(hours, "C32")
    assert not _covers(hours, "C33")  # a cost row has no care
    assert hours.showErrorMessage
    assert "uren" in hours.error
    assert "hours" in hours.error

    (kind,) = _validations(sheet, "E")
    assert kind.type == "list"
    assert kind.formula1 == '"reiskosten,overig"'
    assert _covers(kind, "E33")
    assert _covers(kind, f"E{33 + 2 + SPARE_ROWS - 1}")
    for letter in ("F", "G"):
        (rule,) = _validations(sheet, letter)
        assert (rule.type, rule.operator, rule.formula1) == ("decimal", "greaterThanOrEqual", "0")
    (day,) = _validations(sheet, "B")
    assert day.type == "date"
    assert day.formula1 == "DATE(2026,10,1)"
    assert day.formula2 == "DATE(2026,10,31)"


def test_the_sheet_is_protected_with_only_the_input_cells_open(filled):
    sheet = _open(agreement_month_template(filled, OCTOBER))[HOURS_SHEET]

    assert sheet.protection.sheet
    assert sheet.freeze_panes == "A2"
    assert all(cell.protection.locked for cell in sheet[1])
    day_row, cost_row, spare_row = 2, 33, 35
    locked = {
        column.key: sheet.cell(row=day_row, column=index + 1).protection.locked
        for index, column in enumerate(COLUMNS)
    }
    assert locked == {
        "agreement": True,
        "date": True,
        "quantity": False,
        "note": False,
        "cost_kind": True,
        "kilometres": True,
        "amount": True,
        "description": True,
    }
    for row in (cost_row, spare_row):
        cells = {column.key: sheet.cell(row=row, column=i + 1) for i, column in enumerate(COLUMNS)}
        assert cells["quantity"].protection.locked
        assert cells["note"].protection.locked
        for key in ("agreement", "date", "cost_kind", "kilometres", "amount", "description"):
            assert not cells[key].protection.locked, (row, key)
    assert sheet.column_dimensions["D"].width > sheet.column_dimensions["C"].width


def test_the_instructions_are_in_dutch_and_in_english(filled, world):
    workbook = _open(agreement_month_template(filled, OCTOBER))
    text = _all_text(workbook.worksheets[1])

    assert "oktober 2026" in text
    assert "October 2026" in text
    assert world.mine_provider.name in text
    assert "Individuele begeleiding" in text
    assert "Individual support" in text
    assert "8 uur per week" in text
    assert "8 hours per week" in text
    assert "geen zorg" in text
    assert "no care" in text
    assert "7,5" in text
    assert "twee keer uploaden verandert niets" in text
    assert "twice changes nothing" in text
    assert "geëxporteerd" in text
    assert "exported" in text
    for column in COLUMNS:
        assert column.dutch in text
        assert column.english in text
    assert text.index("Uitleg") < text.index("Instructions")


def test_the_same_data_gives_the_same_bytes(filled):
    first = agreement_month_template(filled, OCTOBER)
    with time_machine.travel(FIXED_MOMENT + timedelta(days=3, hours=5), tick=True):
        second = agreement_month_template(filled, date(2026, 10, 17))
    assert first == second
    members = zipfile.ZipFile(io.BytesIO(first)).infolist()
    assert {member.date_time for member in members} == {(1980, 1, 1, 0, 0, 0)}


def test_days_outside_every_version_are_left_out(world):
    agreement = _another_agreement(
        world, valid_from=date(2026, 10, 10), valid_to=date(2026, 10, 20)
    )
    rows = _rows(_open(agreement_month_template(agreement, OCTOBER))[HOURS_SHEET])
    days = [_day(row[COLUMN["date"]]) for row in rows if row[COLUMN["date"]] is not None]
    assert days == [date(2026, 10, n) for n in range(10, 21)]


def test_each_day_is_validated_in_the_unit_of_its_version(world):
    agreement = _another_agreement(
        world,
        agreement_type=AgreementType.ASSIGNMENT,
        valid_from=date(2026, 10, 1),
        valid_to=date(2026, 10, 15),
    )
    budget = world.mine_wmo_budget
    AgreementVersionFactory(
        agreement=agreement,
        budget=budget,
        product=budget.products.first(),
        valid_from=date(2026, 10, 16),
        unit=RateUnit.DAY_PART,
        hours_per_week=None,
    )
    sheet = _open(agreement_month_template(agreement, OCTOBER))[HOURS_SHEET]

    rules = {rule.type: rule for rule in _validations(sheet, "C")}
    assert set(rules) == {"decimal", "whole"}
    assert str(rules["decimal"].sqref) == "C2:C16"
    assert str(rules["whole"].sqref) == "C17:C32"
    assert (rules["whole"].formula1, rules["whole"].formula2) == ("0", "3")
    text = _all_text(_open(agreement_month_template(agreement, OCTOBER)).worksheets[1])
    assert "dagdeel" in text
    assert "day part" in text


def test_an_exported_month_is_read_only(filled, world):
    Declaration.objects.create(agreement=filled, month=OCTOBER, status=DeclarationStatus.EXPORTED)

    workbook = _open(agreement_month_template(filled, OCTOBER))
    sheet = workbook[HOURS_SHEET]
    assert sheet.max_row == 1 + 31 + 2  # no spare rows: nothing can be added
    assert all(cell.protection.locked for row in sheet.iter_rows() for cell in row)
    assert "alleen om te lezen" in _all_text(workbook.worksheets[1])

    holders = _open(holders_month_template(actor=world.users["bureau"], month=OCTOBER))
    ids = {row[COLUMN["agreement"]] for row in _rows(holders[HOURS_SHEET])}
    assert filled.pk not in ids
    assert world.mine_wlz_agreement.pk in ids
    assert "nee, geëxporteerd / no, exported" in _all_text(holders.worksheets[1])


def test_the_holders_template_holds_only_what_the_actor_may_change(filled, world):
    fixed = _another_agreement(
        world, agreement_type=AgreementType.EMPLOYMENT_FIXED, unit=RateUnit.MONTH
    )
    content = holders_month_template(actor=world.users["bureau"], month=OCTOBER)
    workbook = _open(content)
    sheet = workbook[HOURS_SHEET]

    assert [cell.value for cell in sheet[1]] == [*DUTCH_HEADERS, "Budgethouder", "Zorgverlener"]
    rows = [row for row in _rows(sheet) if row[COLUMN["agreement"]] is not None]
    ids = [row[COLUMN["agreement"]] for row in rows]
    assert set(ids) == {world.mine_wmo_agreement.pk, world.mine_wlz_agreement.pk}
    assert world.theirs_agreement.pk not in ids
    assert fixed.pk not in ids
    assert ids == sorted(ids)  # one holder: by agreement
    assert len([row for row in rows if row[COLUMN["quantity"]] is not None]) == 4
    assert {row[len(COLUMNS)] for row in rows} == {world.mine.display_name}
    assert {row[len(COLUMNS) + 1] for row in rows} == {world.mine_provider.name}

    assert world.mine.bsn not in _all_text(workbook)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            assert world.mine.bsn.encode() not in archive.read(name), name

    (hours,) = _validations(sheet, "C")
    assert _covers(hours, "C2")
    assert sheet.protection.sheet
    assert "Budgethouder" in _all_text(workbook.worksheets[1])


def test_the_holders_template_can_be_limited_to_holders(world):
    bureau = world.users["bureau"]
    none = _open(holders_month_template(actor=bureau, month=OCTOBER, holder_ids=[]))
    assert none[HOURS_SHEET].max_row == 1
    mine = _open(holders_month_template(actor=bureau, month=OCTOBER, holder_ids=[world.mine.pk]))
    assert len(_rows(mine[HOURS_SHEET])) == 2 * 31 + SPARE_ROWS
    staff = holders_month_template(
        actor=world.users["staff"], month=OCTOBER, holder_ids=[world.theirs.pk]
    )
    ids = {row[COLUMN["agreement"]] for row in _rows(_open(staff)[HOURS_SHEET])}
    assert ids == {world.theirs_agreement.pk, None}


@pytest.mark.parametrize("persona", ["auditor_same", "family", "stranger", "expired"])
def test_who_may_not_change_gets_an_empty_template(world, persona):
    sheet = _open(holders_month_template(actor=world.users[persona], month=OCTOBER))[HOURS_SHEET]
    assert sheet.max_row == 1


def test_the_holders_template_takes_the_same_queries_for_any_number_of_agreements(
    world, django_assert_max_num_queries
):
    bureau = world.users["bureau"]
    with CaptureQueriesContext(connection) as two:
        holders_month_template(actor=bureau, month=OCTOBER)
    for _ in range(10):
        agreement = _another_agreement(world)
        hour_services.time_entries_fill_month(
            actor=bureau, agreement_id=agreement.pk, month=OCTOBER, pattern={1: "2"}
        )
        hour_services.expense_add(
            actor=bureau,
            agreement_id=agreement.pk,
            expense_date=date(2026, 10, 2),
            kind="other",
            amount="3",
        )
    with django_assert_max_num_queries(len(two)):
        content = holders_month_template(actor=bureau, month=OCTOBER)
    with CaptureQueriesContext(connection) as twelve:
        holders_month_template(actor=bureau, month=OCTOBER)
    assert len(twelve) == len(two)
    ids = {row[COLUMN["agreement"]] for row in _rows(_open(content)[HOURS_SHEET])} - {None}
    assert len(ids) == 12


def test_other_providers_of_the_holder_are_named_on_their_rows(world):
    provider = ProviderFactory(name="=HYPERLINK(1)")
    agreement = CareAgreementFactory(holder=world.mine, provider=provider)
    AgreementVersionFactory(
        agreement=agreement,
        budget=world.mine_wmo_budget,
        product=world.mine_wmo_budget.products.first(),
    )
    sheet = _open(holders_month_template(actor=world.users["bureau"], month=OCTOBER))[HOURS_SHEET]
    names = {row[len(COLUMNS) + 1] for row in _rows(sheet) if row[0] == agreement.pk}
    assert names == {"'=HYPERLINK(1)"}


def test_a_month_outside_the_agreement_has_only_the_header(world):
    workbook = _open(agreement_month_template(world.mine_wmo_agreement, date(2025, 6, 1)))
    assert workbook[HOURS_SHEET].max_row == 1
    assert "loopt niet in deze maand" in _all_text(workbook.worksheets[1])


def test_a_second_call_sees_the_changes_made_since(filled, world):
    first = agreement_month_template(filled, OCTOBER)
    hour_services.time_entry_add(
        actor=world.users["representative"],
        agreement_id=filled.pk,
        care_date=date(2026, 10, 6),
        quantity="2",
    )
    second = agreement_month_template(filled, OCTOBER)
    assert first != second
    assert _rows(_open(second)[HOURS_SHEET])[5][COLUMN["quantity"]] == 2
