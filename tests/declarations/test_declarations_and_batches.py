"""Declarations from hours, freezing on export, corrections, and SVB batches."""

import csv
import hashlib
import io
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import translation

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.services import agreement_change, provider_update
from declarations.constants import DeclarationStatus
from declarations.models import (
    Batch,
    BatchFile,
    Declaration,
    DeclarationLine,
    Expense,
    Finding,
    TimeEntry,
)
from declarations.selectors import batches as batch_selectors
from declarations.services import batches as batch_services
from declarations.services import declarations as declaration_services
from declarations.services import hours as hour_services
from declarations.services.batches import NothingToExport
from pgb_admin.core.errors import Conflict
from pgb_admin.core.money import round_money

# October 2026 is over on the fixed today (23 November) and still within the SVB's deadlines.
OCTOBER, MARCH = date(2026, 10, 1), date(2026, 3, 1)


@pytest.fixture
def actor(world):
    return world.users["representative"]


def _clean_month(actor, agreement, month=OCTOBER, pattern=None):
    hour_services.time_entries_fill_month(
        actor=actor, agreement_id=agreement.pk, month=month, pattern=pattern or {0: "4", 3: "4"}
    )
    declaration = declaration_services.declaration_draft(
        actor=actor, agreement_id=agreement.pk, month=month
    )
    declaration_services.declaration_validate(actor=actor, declaration_ids=[declaration.pk])
    declaration.refresh_from_db()
    return declaration


def test_a_clean_month_validates(world, actor):
    declaration = _clean_month(actor, world.mine_wmo_agreement)
    assert declaration.status == DeclarationStatus.VALIDATED
    assert not declaration.findings.exclude(severity="info").exists()
    lines = list(declaration.lines.all())
    assert len(lines) == 9  # 4 Mondays and 5 Thursdays in October 2026
    assert declaration.care_amount == sum(line.amount for line in lines)
    assert declaration.total_amount == declaration.care_amount
    assert declaration.budget == world.mine_wmo_budget


def test_each_day_takes_the_rate_of_the_version_valid_that_day(world, actor):
    agreement = world.mine_wmo_agreement
    agreement_change(
        actor=actor, agreement_id=agreement.pk, effective_from=date(2026, 3, 16),
        rate=Decimal("19.25"),
    )  # fmt: skip
    hour_services.time_entries_fill_month(
        actor=actor, agreement_id=agreement.pk, month=MARCH, pattern={0: "4"}
    )
    declaration = declaration_services.declaration_draft(
        actor=actor, agreement_id=agreement.pk, month=MARCH
    )
    rates = {line.care_date.day: line.rate for line in declaration.lines.all()}
    assert rates == {
        2: Decimal("18.50"),
        9: Decimal("18.50"),
        16: Decimal("19.25"),
        23: Decimal("19.25"),
        30: Decimal("19.25"),
    }
    assert declaration.care_amount == Decimal("4") * (2 * Decimal("18.50") + 3 * Decimal("19.25"))


def test_redrafting_reuses_the_open_declaration(world, actor):
    agreement = world.mine_wmo_agreement
    first = declaration_services.declaration_draft(
        actor=actor, agreement_id=agreement.pk, month=OCTOBER
    )
    again = declaration_services.declaration_draft(
        actor=actor, agreement_id=agreement.pk, month=OCTOBER
    )
    assert first.pk == again.pk
    assert Declaration.objects.count() == 1


def _export(actor, month=OCTOBER, **kwargs):
    return batch_services.batch_export(actor=actor, month=month, **kwargs)


def test_export_freezes_declaration_and_hours(world, actor):
    agreement = world.mine_wmo_agreement
    declaration = _clean_month(actor, agreement)
    batch = _export(actor)
    declaration.refresh_from_db()
    assert (declaration.status, declaration.batch) == (DeclarationStatus.EXPORTED, batch)

    entry = TimeEntry.objects.filter(agreement=agreement).first()
    refusals = [
        lambda: hour_services.time_entry_add(
            actor=actor, agreement_id=agreement.pk, care_date=date(2026, 10, 6), quantity="1"
        ),
        lambda: hour_services.time_entry_update(actor=actor, entry_id=entry.pk, quantity="1"),
        lambda: hour_services.time_entry_delete(actor=actor, entry_id=entry.pk),
        lambda: hour_services.time_entries_fill_month(
            actor=actor, agreement_id=agreement.pk, month=OCTOBER, pattern={1: "1"}
        ),
        lambda: hour_services.expense_add(
            actor=actor, agreement_id=agreement.pk, expense_date=date(2026, 10, 6), kind="other",
            amount="5",
        ),
        lambda: declaration_services.declaration_validate(
            actor=actor, declaration_ids=[declaration.pk]
        ),
        lambda: declaration_services.declaration_delete(actor=actor, declaration_id=declaration.pk),
    ]  # fmt: skip
    lines_before = list(declaration.lines.values_list("care_date", "quantity", "rate", "amount"))
    for refuse in refusals:
        with pytest.raises(ValidationError) as error:
            refuse()
        assert {e.code for errors in error.value.error_dict.values() for e in errors} <= {
            "month_declared",
            "declaration_frozen",
        }
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.EXPORTED
    assert list(declaration.lines.values_list("care_date", "quantity", "rate", "amount")) == (
        lines_before
    )


def test_a_second_declaration_for_the_month_is_refused_unless_a_correction(world, actor):
    agreement = world.mine_wmo_agreement
    original = _clean_month(actor, agreement)
    _export(actor)
    with pytest.raises(Conflict) as refused:  # refused at creation (the API answers 409)
        declaration_services.declaration_draft(
            actor=actor, agreement_id=agreement.pk, month=OCTOBER
        )
    assert refused.value.error_dict["month"][0].code == "month_already_declared"
    # the validation stays the backstop for a second one written otherwise
    second = Declaration.objects.create(agreement=agreement, month=OCTOBER)
    declaration_services.declaration_validate(actor=actor, declaration_ids=[second.pk])
    assert second.findings.filter(rule_code="declaration.second_for_month").exists()
    declaration_services.declaration_delete(actor=actor, declaration_id=second.pk)

    correction = declaration_services.declaration_correct(actor=actor, declaration_id=original.pk)
    assert correction.corrects == original
    assert (
        declaration_services.declaration_correct(actor=actor, declaration_id=original.pk)
        == correction
    )
    # the correction reopens the hours; the exported declaration keeps its own lines
    hour_services.time_entry_add(
        actor=actor, agreement_id=agreement.pk, care_date=date(2026, 10, 6), quantity="2"
    )
    declaration_services.declaration_validate(actor=actor, declaration_ids=[correction.pk])
    correction.refresh_from_db()
    original.refresh_from_db()
    assert not correction.findings.filter(rule_code="declaration.second_for_month").exists()
    assert correction.lines.count() == original.lines.count() + 1
    assert correction.total_amount > original.total_amount


def test_submit_and_settle(world, actor):
    declaration = _clean_month(actor, world.mine_wmo_agreement)
    _export(actor)
    assert (
        declaration_services.declaration_mark_submitted(
            actor=actor, declaration_ids=[declaration.pk]
        )
        == 1
    )
    with pytest.raises(ValidationError):
        declaration_services.declaration_settle(
            actor=actor, declaration_id=declaration.pk, paid=False, evidence="PGB Portaal"
        )
    declaration_services.declaration_settle(
        actor=actor,
        declaration_id=declaration.pk,
        paid=False,
        rejection_reason="tarief onjuist",
        evidence="PGB Portaal, bericht van 3 november 2026",
    )
    declaration.refresh_from_db()
    assert (declaration.status, declaration.rejection_reason) == ("rejected", "tarief onjuist")


def test_export_leaves_out_what_is_not_ready_and_says_why(world, actor):
    ready = _clean_month(actor, world.mine_wmo_agreement)
    warned = _clean_month(actor, world.mine_wlz_agreement)
    Finding.objects.create(
        declaration=warned, rule_code="hours.week_above_agreement", severity="warning"
    )
    with translation.override("en"):
        batch = _export(actor)
    assert list(batch.declarations.all()) == [ready]
    assert batch.skipped == [{"declaration_id": warned.pk, "reason": "warnings not acknowledged"}]
    warned.refresh_from_db()
    assert warned.status == DeclarationStatus.VALIDATED


def test_nothing_to_export_changes_nothing(world, actor):
    hour_services.time_entries_fill_month(
        actor=actor, agreement_id=world.mine_wmo_agreement.pk, month=OCTOBER, pattern={0: "1.5"}
    )
    declaration_services.declaration_draft(
        actor=actor, agreement_id=world.mine_wmo_agreement.pk, month=OCTOBER
    )
    with pytest.raises(NothingToExport) as error:
        _export(actor)
    assert error.value.error_dict["month"][0].code == "nothing_to_export"
    assert not Batch.objects.exists()
    assert not Declaration.objects.filter(status="exported").exists()


def test_auditors_cannot_export(world):
    from pgb_admin.accounts.scoping import ReadOnlyAccess

    with pytest.raises(ReadOnlyAccess):
        _export(world.users["auditor_same"])


def test_batch_files_match_their_checksum_and_download_identically(world, actor):
    _clean_month(actor, world.mine_wmo_agreement)
    batch = _export(actor)
    for file_format in ("xlsx", "csv"):
        first = batch_selectors.batch_file(actor=actor, batch_id=batch.pk, file_format=file_format)
        second = batch_selectors.batch_file(actor=actor, batch_id=batch.pk, file_format=file_format)
        content = bytes(first.content)
        assert content == bytes(second.content)
        assert hashlib.sha256(content).hexdigest() == first.sha256
        assert first.size == len(content)


def test_batch_files_are_only_for_those_who_may_see_them(world, actor):
    from pgb_admin.core.errors import NotFound

    _clean_month(actor, world.mine_wmo_agreement)
    batch = _export(actor)
    for persona in ("auditor_other", "stranger"):
        with pytest.raises(NotFound):
            batch_selectors.batch_file(
                actor=world.users[persona], batch_id=batch.pk, file_format="csv"
            )


def test_xlsx_layout(world, actor):
    declaration = _clean_month(actor, world.mine_wmo_agreement)
    batch = _export(actor)
    content = bytes(batch.files.get(format="xlsx").content)
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    assert len(workbook.sheetnames) == 3
    declarations_sheet, weeks_sheet, summary = (workbook[name] for name in workbook.sheetnames)
    rows = list(declarations_sheet.iter_rows(values_only=True))
    row = rows[1]
    assert len(rows) == 2
    assert row[0] == declaration.pk
    days = row[13 : 13 + 31]
    assert [day for day, value in enumerate(days, start=1) if value] == [
        line.care_date.day for line in declaration.lines.all()
    ]
    assert Decimal(str(row[-1])) == declaration.total_amount
    weeks = list(weeks_sheet.iter_rows(values_only=True))[1:]
    assert sum(Decimal(str(week[6])) for week in weeks) == declaration.care_quantity
    labels = {r[0]: r[1] for r in summary.iter_rows(values_only=True) if r and r[0]}
    assert batch.pk in labels.values()


def test_csv_layout(world, actor):
    declaration = _clean_month(actor, world.mine_wmo_agreement)
    batch = _export(actor)
    text = bytes(batch.files.get(format="csv").content).decode("utf-8-sig")
    records = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    lines = [r for r in records if r["record"] == "line"]
    totals = [r for r in records if r["record"] == "declaration"]
    assert len(lines) == declaration.lines.count()
    assert sum(Decimal(r["amount"]) for r in lines) == declaration.care_amount
    assert [Decimal(r["declaration_total"]) for r in totals] == [declaration.total_amount]
    assert world.mine.bsn not in text


def test_text_that_looks_like_a_formula_is_neutralised(world, actor):
    provider_update(
        actor=actor, provider_id=world.mine_provider.pk, name='=HYPERLINK("http://x","y")'
    )
    _clean_month(actor, world.mine_wmo_agreement)
    batch = _export(actor)
    workbook = openpyxl.load_workbook(io.BytesIO(bytes(batch.files.get(format="xlsx").content)))
    cell = workbook.worksheets[0].cell(row=2, column=6)
    assert cell.data_type == "s"
    assert cell.value.startswith("'=")
    text = bytes(batch.files.get(format="csv").content).decode("utf-8-sig")
    names = {r["provider_name"] for r in csv.DictReader(io.StringIO(text), delimiter=";")}
    assert names == {'\'=HYPERLINK("http://x","y")'}


@settings(max_examples=15)
@given(
    hours=st.lists(st.integers(min_value=1, max_value=40).map(lambda q: Decimal(q) / 4), min_size=1,
                   max_size=20),
    rate=st.decimals(min_value="15.00", max_value="21.99", places=2),
    other=st.decimals(min_value="0", max_value="250", places=2),
)  # fmt: skip
def test_batch_total_is_the_sum_of_declarations_and_of_rounded_lines(world, hours, rate, other):
    actor = world.users["representative"]
    agreement = world.mine_wmo_agreement
    month = OCTOBER
    # each example starts from a month without hours, declarations or batches
    Declaration.objects.filter(agreement=agreement).update(batch=None, status="draft")
    Declaration.objects.filter(agreement=agreement).delete()
    BatchFile.objects.all().delete()
    Batch.objects.all().delete()
    TimeEntry.objects.filter(agreement=agreement).delete()
    Expense.objects.filter(agreement=agreement).delete()
    agreement.versions.update(rate=rate, hours_per_week=None)
    TimeEntry.objects.bulk_create(
        TimeEntry(agreement=agreement, care_date=date(2026, 10, day), quantity=quantity)
        for day, quantity in enumerate(hours, start=2)
    )
    if other:
        hour_services.expense_add(
            actor=actor, agreement_id=agreement.pk, expense_date=month, kind="other", amount=other
        )
    declaration = declaration_services.declaration_draft(
        actor=actor, agreement_id=agreement.pk, month=month
    )
    declaration_services.declaration_validate(actor=actor, declaration_ids=[declaration.pk])
    for finding in Finding.objects.filter(declaration=declaration, severity="warning"):
        declaration_services.finding_acknowledge(
            actor=actor, finding_id=finding.pk, reason="property test"
        )
    batch = _export(actor, month=month)
    rounded_lines = sum(round_money(q * rate) for q in hours)
    assert (
        batch.total_amount
        == (batch.declarations.aggregate(total=Sum("total_amount"))["total"])
        == rounded_lines + other
    )
    assert (
        DeclarationLine.objects.filter(declaration__batch=batch).aggregate(total=Sum("amount"))[
            "total"
        ]
        == rounded_lines
    )
