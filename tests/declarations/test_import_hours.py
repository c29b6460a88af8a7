"""Importing hours and costs: the round trip through the template, all rows or none, every
problem with its sheet, row, column and value, scope, frozen months, the same file twice, the
page, the API and the command."""

import csv
import io
import json
from datetime import date
from decimal import Decimal

from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from rest_framework.test import APIClient

from declarations.imports.columns import COLUMNS, HOURS_SHEET
from declarations.imports.hours import hours_import
from declarations.imports.problems import ImportRefused
from declarations.imports.template import agreement_month_template
from declarations.models import Declaration, Expense, TimeEntry
from declarations.selectors import months as month_selectors
from declarations.services import batches as batch_services
from declarations.services import declarations as declaration_services
from declarations.services import hours as hour_services

from ..api.conftest import token_client
from ..two_factor import verified_login
from . import hostile

OCTOBER = date(2026, 10, 1)
HEADERS = [column.dutch for column in COLUMNS]


@pytest.fixture
def actor(world):
    return world.users["representative"]


def _csv(rows, headers=HEADERS, delimiter=";") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode("utf-8-sig")


def _row(agreement, day, quantity="", note="", kind="", km="", amount="", description=""):
    return [agreement.pk, day, quantity, note, kind, km, amount, description]


def _state(agreement):
    entries = sorted(
        (e.care_date, e.quantity, e.note) for e in TimeEntry.objects.filter(agreement=agreement)
    )
    expenses = sorted(
        (e.expense_date, e.kind, e.amount) for e in Expense.objects.filter(agreement=agreement)
    )
    return entries, expenses


def _filled_template(agreement, hours: dict[int, str]) -> bytes:
    """The template as a user fills it in Excel: hours typed on some days, one cost."""
    workbook = load_workbook(io.BytesIO(agreement_month_template(agreement, OCTOBER)))
    sheet = workbook[HOURS_SHEET]
    header = [cell.value for cell in sheet[1]]
    date_col, quantity_col = header.index("Datum") + 1, header.index("Aantal") + 1
    last = 1
    for row in range(2, sheet.max_row + 1):
        value = sheet.cell(row, date_col).value
        if value is None:
            continue
        last = row
        day = value.day
        if day in hours:
            sheet.cell(row, quantity_col).value = hours[day]
    cost_row = last + 1
    sheet.cell(cost_row, header.index("Zorgovereenkomst") + 1).value = agreement.pk
    sheet.cell(cost_row, date_col).value = date(2026, 10, 12)
    sheet.cell(cost_row, header.index("Soort kosten") + 1).value = "overig"
    sheet.cell(cost_row, header.index("Bedrag") + 1).value = 12.5
    sheet.cell(cost_row, header.index("Omschrijving") + 1).value = "incontinentiemateriaal"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_round_trip_template_fill_import_declare(world, actor):
    agreement = world.mine_wmo_agreement
    content = _filled_template(agreement, {5: 4, 8: "3,5", 12: 0.5})
    result = hours_import(actor=actor, filename="uren.xlsx", content=content)
    assert result.total("entries_added") == 3
    assert result.total("expenses_added") == 1
    declaration = declaration_services.declaration_draft(
        actor=actor, agreement_id=agreement.pk, month=OCTOBER
    )
    lines = sorted((line.care_date.day, line.quantity) for line in declaration.lines.all())
    assert lines == [(5, Decimal("4")), (8, Decimal("3.5")), (12, Decimal("0.5"))]
    assert declaration.other_amount == Decimal("12.50")
    assert declaration.care_amount == Decimal("8.00") * agreement.versions.get().rate


def test_the_same_file_twice_changes_nothing_the_second_time(world, actor):
    agreement = world.mine_wmo_agreement
    content = _filled_template(agreement, {5: 4})
    hours_import(actor=actor, filename="uren.xlsx", content=content)
    before = _state(agreement)
    ids = set(TimeEntry.objects.filter(agreement=agreement).values_list("pk", flat=True))
    again = hours_import(actor=actor, filename="uren.xlsx", content=content)
    assert not again.as_dict()["changed"]
    assert _state(agreement) == before
    assert set(TimeEntry.objects.filter(agreement=agreement).values_list("pk", flat=True)) == ids


def test_a_changed_file_changes_only_what_changed(world, actor):
    agreement = world.mine_wmo_agreement
    hours_import(
        actor=actor, filename="uren.xlsx", content=_filled_template(agreement, {5: 4, 8: 4})
    )
    kept = TimeEntry.objects.get(agreement=agreement, care_date=date(2026, 10, 5)).pk
    result = hours_import(
        actor=actor, filename="uren.xlsx", content=_filled_template(agreement, {5: 4, 8: 2})
    )
    assert result.total("entries_removed") == 1
    assert result.total("entries_added") == 1
    assert TimeEntry.objects.filter(pk=kept).exists()


def test_a_dry_run_stores_nothing(world, actor):
    agreement = world.mine_wmo_agreement
    result = hours_import(
        actor=actor,
        filename="uren.csv",
        content=_csv([_row(agreement, "2026-10-05", "4")]),
        dry_run=True,
    )
    assert result.total("entries_added") == 1
    assert not TimeEntry.objects.filter(agreement=agreement).exists()


def test_every_bad_row_is_reported_and_nothing_is_stored(world, actor):
    agreement = world.mine_wmo_agreement
    rows = [
        _row(agreement, "2026-10-05", "4"),  # fine, but not stored: the file is refused
        _row(agreement, "2026-10-06", "25"),
        _row(agreement, "2026-10-07", "abc"),
        _row(agreement, "2026-10-08", "1,3"),
        _row(agreement, "2026-13-01", "2"),
        _row(agreement, "2026-10-09", "-1"),
        _row(agreement, "2026-10-10", "", kind="iets"),
    ]
    with pytest.raises(ImportRefused) as refused:
        hours_import(actor=actor, filename="uren.csv", content=_csv(rows))
    problems = refused.value.problems
    assert [p.row for p in problems] == [3, 4, 5, 6, 7, 8]
    assert all(p.message and p.code and p.column for p in problems)
    assert {p.value for p in problems} >= {"25", "abc", "1,3", "2026-13-01", "-1", "iets"}
    assert not TimeEntry.objects.filter(agreement=agreement).exists()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_problems_in_the_readers_language(world, actor, language):
    from django.utils import translation

    agreement = world.mine_wmo_agreement
    with translation.override(language), pytest.raises(ImportRefused) as refused:
        hours_import(
            actor=actor, filename="u.csv", content=_csv([_row(agreement, "2026-10-07", "abc")])
        )
    text = refused.value.problems[0].message
    assert text == ("abc is geen getal." if language == "nl" else "abc is not a number.")


def test_rows_out_of_scope_are_refused_without_revealing_they_exist(world, actor):
    theirs = world.theirs_agreement
    missing = type("Missing", (), {"pk": 987654})()
    with pytest.raises(ImportRefused) as refused:
        hours_import(
            actor=actor,
            filename="u.csv",
            content=_csv([_row(theirs, "2026-10-05", "4"), _row(missing, "2026-10-05", "4")]),
        )
    first, second = refused.value.problems
    assert first.code == second.code == "unknown_agreement"
    assert first.message.replace(str(theirs.pk), "N") == second.message.replace("987654", "N")
    assert not TimeEntry.objects.filter(agreement=theirs).exists()


def test_a_frozen_month_is_refused(world, actor):
    agreement = world.mine_wmo_agreement
    hour_services.time_entries_fill_month(
        actor=actor, agreement_id=agreement.pk, month=OCTOBER, pattern={0: "4", 3: "4"}
    )
    declaration = declaration_services.declaration_draft(
        actor=actor, agreement_id=agreement.pk, month=OCTOBER
    )
    declaration_services.declaration_validate(actor=actor, declaration_ids=[declaration.pk])
    batch_services.batch_export(actor=actor, month=OCTOBER, holder_id=world.mine.pk)
    before = _state(agreement)
    with pytest.raises(ImportRefused) as refused:
        hours_import(
            actor=actor, filename="u.csv", content=_csv([_row(agreement, "2026-10-06", "2")])
        )
    assert refused.value.problems[0].code == "month_declared"
    assert _state(agreement) == before
    assert Declaration.objects.get(pk=declaration.pk).status == "exported"


def test_auditors_cannot_import(world):
    from django.core.exceptions import PermissionDenied

    agreement = world.mine_wmo_agreement
    with pytest.raises(PermissionDenied):
        hours_import(
            actor=world.users["auditor_same"],
            filename="u.csv",
            content=_csv([_row(agreement, "2026-10-05", "4")]),
        )


def test_a_day_twice_in_the_file_is_refused(world, actor):
    agreement = world.mine_wmo_agreement
    rows = [_row(agreement, "2026-10-05", "4"), _row(agreement, "5-10-2026", "2")]
    with pytest.raises(ImportRefused) as refused:
        hours_import(actor=actor, filename="u.csv", content=_csv(rows))
    assert {p.code for p in refused.value.problems} == {"day_twice"}


# --- hostile and malformed files: 0 crashes, 0 partial imports --------------------------------


def _assert_all_or_nothing(world, actor, name, content):
    """Either the file is imported, or it is refused with a reason for each problem and
    nothing at all changed."""
    agreement = world.mine_wmo_agreement
    before = _state(agreement)
    problems = _problems_of(actor, name, content)
    if problems is not None:
        assert problems
        assert all(p.code and p.message for p in problems)
        assert _state(agreement) == before


def _problems_of(actor, name, content):
    try:
        hours_import(actor=actor, filename=name, content=content)
    except ImportRefused as refused:
        return refused.problems
    return None


@pytest.mark.parametrize("case", hostile.corpus(), ids=lambda case: case.name)
def test_hostile_uploads_are_refused_cleanly(world, actor, settings, case):
    """The corpus through the whole import: what the reader refuses is refused with its
    code, and nothing the reader lets through (awkward but fine files) half-imports."""
    for name, value in hostile.LIMITS.items():
        setattr(settings, name, value)
    _assert_all_or_nothing(world, actor, case.name, case.content)
    problems = _problems_of(actor, case.name, case.content)
    if case.expected is not None:
        assert case.expected in [problem.code for problem in problems]


TRICKY = ["4", "7,5", "=1+1", "+31", "@SUM(A1)", "2026-10-05", "31-02-2026", "\t", "\x00"]
CELLS = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, max_value=10**6),
    st.sampled_from(TRICKY),
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.lists(CELLS, min_size=8, max_size=8), min_size=1, max_size=6))
def test_fuzzed_csv_rows_never_crash_or_half_import(world, actor, rows):
    agreement = world.mine_wmo_agreement
    rows = [
        [agreement.pk if i == 0 and cell is None else cell for i, cell in enumerate(row)]
        for row in rows
    ]
    _assert_all_or_nothing(world, actor, "fuzz.csv", _csv(rows))


@pytest.fixture
def filled_template(world) -> bytes:
    """Made once per test, before any example imports something into the month."""
    return _filled_template(world.mine_wmo_agreement, {5: 4})


@hypothesis_settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_fuzzed_template_bytes_never_crash_or_half_import(world, actor, filled_template, data):
    content = bytearray(filled_template)
    for _ in range(data.draw(st.integers(min_value=1, max_value=8))):
        position = data.draw(st.integers(min_value=0, max_value=len(content) - 1))
        content[position] = data.draw(st.integers(min_value=0, max_value=255))
    cut = data.draw(st.integers(min_value=0, max_value=len(content)))
    _assert_all_or_nothing(world, actor, "fuzz.xlsx", bytes(content[:cut] or content))


# --- the page, the API and the command -------------------------------------------------------


def test_upload_page_imports_and_shows_problems(client, world, actor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    verified_login(client, actor)
    agreement = world.mine_wmo_agreement
    url = reverse("declarations:import")
    assert client.get(url).status_code == 200
    bad = SimpleUploadedFile("u.csv", _csv([_row(agreement, "2026-10-07", "abc")]))
    page = client.post(url, {"file": bad}).content.decode()
    assert "abc is geen getal." in page
    assert not TimeEntry.objects.filter(agreement=agreement).exists()
    good = SimpleUploadedFile("u.csv", _csv([_row(agreement, "2026-10-07", "4")]))
    assert client.post(url, {"file": good}).status_code == 200
    assert TimeEntry.objects.filter(agreement=agreement).count() == 1


def test_large_uploads_run_as_a_task(
    client, world, actor, settings, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.IMPORT_INLINE_BYTES = 10
    verified_login(client, actor)
    agreement = world.mine_wmo_agreement
    upload = SimpleUploadedFile("u.csv", _csv([_row(agreement, "2026-10-07", "4")]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("declarations:import"), {"file": upload})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert TimeEntry.objects.filter(agreement=agreement).count() == 1
    assert 'id="import-run"' in page
    other = world.users["holder"]
    verified_login(client, other)
    assert client.get(response["Location"]).status_code == 404


def test_template_downloads(client, world, actor):
    verified_login(client, actor)
    agreement = world.mine_wmo_agreement
    one = client.get(reverse("declarations:agreement_template", args=[agreement.pk, OCTOBER]))
    assert one.status_code == 200
    assert one.content[:2] == b"PK"
    bureau = client.get(reverse("declarations:holders_template", args=[OCTOBER]))
    assert bureau.status_code == 200
    theirs = reverse("declarations:agreement_template", args=[world.theirs_agreement.pk, OCTOBER])
    assert client.get(theirs).status_code == 404
    verified_login(client, world.users["auditor_same"])
    assert (
        client.get(
            reverse("declarations:agreement_template", args=[agreement.pk, OCTOBER])
        ).status_code
        == 403
    )


def test_api_import(world, actor):
    agreement = world.mine_wmo_agreement
    client: APIClient = token_client(actor)
    url = "/api/v1/imports/hours/"
    bad = io.BytesIO(_csv([_row(agreement, "2026-10-07", "abc")]))
    bad.name = "u.csv"
    response = client.post(url, {"file": bad}, format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "import_refused"
    assert body["invalid_params"][0]["name"] == "Aantal:2"
    good = io.BytesIO(_csv([_row(agreement, "2026-10-07", "4")]))
    good.name = "u.csv"
    response = client.post(url, {"file": good, "dry_run": "true"}, format="multipart")
    assert response.status_code == 200
    assert response.json()["entries_added"] == 1
    assert not TimeEntry.objects.filter(agreement=agreement).exists()


def test_command(world, actor, tmp_path, capsys):
    agreement = world.mine_wmo_agreement
    good = tmp_path / "uren.csv"
    good.write_bytes(_csv([_row(agreement, "2026-10-07", "4")]))
    call_command("import_hours", str(good), "--user", actor.username, "--dry-run")
    assert "would change" in capsys.readouterr().out
    assert not TimeEntry.objects.filter(agreement=agreement).exists()
    call_command("import_hours", str(good), "--user", actor.username, "--format", "json")
    assert json.loads(capsys.readouterr().out)["entries_added"] == 1
    bad = tmp_path / "fout.csv"
    bad.write_bytes(_csv([_row(agreement, "2026-10-07", "abc")]))
    with pytest.raises(CommandError) as error:
        call_command("import_hours", str(bad), "--user", actor.username)
    assert error.value.returncode == 1
    assert "abc is not a number." in capsys.readouterr().out  # commands speak English
    with pytest.raises(CommandError) as missing:
        call_command("import_hours", str(tmp_path / "none.csv"))
    assert missing.value.returncode == 2


def test_locked_months_agrees_with_month_is_locked(world, actor):
    """The import's one-query lookup says the same as the per-month check the forms use,
    before and after an export and a correction."""
    agreement = world.mine_wmo_agreement
    hour_services.time_entries_fill_month(
        actor=actor, agreement_id=agreement.pk, month=OCTOBER, pattern={0: "4"}
    )
    declaration = declaration_services.declaration_draft(
        actor=actor, agreement_id=agreement.pk, month=OCTOBER
    )
    pairs = [(agreement.pk, OCTOBER), (agreement.pk, date(2026, 9, 1))]

    def agree():
        expected = {pair for pair in pairs if month_selectors.month_is_locked(*pair)}
        assert month_selectors.locked_months(pairs) == expected
        return expected

    assert agree() == set()
    declaration_services.declaration_validate(actor=actor, declaration_ids=[declaration.pk])
    batch_services.batch_export(actor=actor, month=OCTOBER, holder_id=world.mine.pk)
    assert agree() == {(agreement.pk, OCTOBER)}
    declaration_services.declaration_correct(actor=actor, declaration_id=declaration.pk)
    assert agree() == set()


def test_a_file_without_data_rows_changes_nothing(world, actor):
    result = hours_import(actor=actor, filename="u.csv", content=_csv([]))
    assert result.as_dict() == {
        "rows": 0,
        "dry_run": False,
        "changed": False,
        "entries_removed": 0,
        "entries_added": 0,
        "expenses_removed": 0,
        "expenses_added": 0,
        "months": [],
    }
