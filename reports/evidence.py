"""The evidence pack of one declaration: a ZIP with everything an auditor needs to check it.

- ``declaration.json``: the declaration, its totals, the holder (the BSN masked, for everyone:
  a pack is passed on, and checking a declaration does not need it), the agreement, the
  provider and the grant;
- ``agreement_versions.json``: the agreement versions valid in the declared month;
- ``time_entries.csv``, ``expenses.csv`` and ``declaration_lines.csv``: the hours and costs of
  the month and the lines declared from them;
- ``findings.json``: what the validation found, with who acknowledged a warning, when and why;
- ``batch.json`` and ``batch/…``: the export (entry aid or insurer declaration) the
  declaration is in, with each file's sha256, and the files themselves when every
  declaration in them is one the user may see;
- ``documents.json`` and ``documents/…``: the documents of the holder's archive behind the
  declaration (invoices, hour slips, decisions linked to it) that the user may see, with their
  kind, dates, amounts and sha256 as stored, and the files themselves;
- ``manifest.json``: every other file with its size and sha256, and the decisions of others
  in the pack (the funder's approvals, the SVB's answer) with who recorded them, as what and on
  what evidence: pgb-admin does not receive these decisions, someone typed them in.

The same declaration gives the same bytes (sorted keys, fixed timestamps in the ZIP), so two
downloads can be compared by their hash. Only what the user may see goes in: everything is read
through the scoped querysets. Every download is written to the access log.
"""

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models import AgreementVersion
from declarations.selectors.reporting import (
    batch_wholly_visible,
    evidence_declaration,
    evidence_documents,
    month_expenses,
    month_time_entries,
)
from pgb_admin.audit.events import log_read
from pgb_admin.audit.models import Action
from pgb_admin.core.files import FIXED_ZIP_TIME, evidence_pack_name, sha256
from pgb_admin.core.periods import valid_during_q
from pgb_admin.core.spreadsheets import csv_bytes

PACK_FORMAT = 1


@dataclass(frozen=True)
class EvidencePack:
    declaration: Any  # declarations.models.Declaration
    filename: str
    content: bytes

    @property
    def sha256(self) -> str:
        return sha256(self.content)


def evidence_pack(*, user, declaration_id: int) -> EvidencePack:
    """The pack of a declaration the user may see (else 404); the download is logged."""
    declaration = evidence_declaration(user=user, declaration_id=declaration_id)
    if declaration is None:
        raise Http404(_("Not found."))
    holder = declaration.agreement.holder
    versions = list(_versions(user, declaration))
    files = _pack_files(user, declaration, versions)
    manifest = _manifest(declaration, files, _recorded_decisions(declaration, versions))
    content = _zip([*files, ("manifest.json", manifest)])
    log_read(
        user=user,
        what="evidence_pack",
        holder_id=holder.pk,
        obj=declaration,
        action=Action.EXPORT,
    )
    return EvidencePack(
        declaration=declaration,
        filename=evidence_pack_name(declaration.pk, declaration.month),
        content=content,
    )


# --- the files -----------------------------------------------------------------------------


def _versions(user, declaration):
    """The agreement versions valid in the declared month that the user may see."""
    month, last = declaration.month, declaration.month_end
    return (
        AgreementVersion.objects.visible_to(user)
        .filter(valid_during_q(month, last), agreement=declaration.agreement)
        .select_related("budget__funder", "product", "approval_recorded_by")
        .order_by("valid_from")
    )


def _pack_files(user, declaration, versions) -> list[tuple[str, bytes]]:
    month, agreement_id = declaration.month, declaration.agreement_id
    entries = month_time_entries(user=user, agreement_id=agreement_id, month=month)
    expenses = month_expenses(user=user, agreement_id=agreement_id, month=month)
    files = [
        ("declaration.json", _json(_declaration(declaration))),
        ("agreement_versions.json", _json([_version(version) for version in versions])),
        (
            "time_entries.csv",
            csv_bytes(
                ["care_date", "quantity", "start_time", "end_time", "note"],
                [[e.care_date, e.quantity, e.start_time or "", e.end_time or "", e.note]
                 for e in entries],
            ),
        ),
        (
            "expenses.csv",
            csv_bytes(
                ["expense_date", "kind", "kilometres", "amount", "description"],
                [[e.expense_date, e.kind, "" if e.kilometres is None else e.kilometres,
                  e.amount, e.description]
                 for e in expenses],
            ),
        ),
        (
            "declaration_lines.csv",
            csv_bytes(
                ["care_date", "quantity", "unit", "rate", "amount", "agreement_version"],
                [[line.care_date, line.quantity, line.unit, line.rate, line.amount,
                  line.version_id or ""]
                 for line in declaration.lines.all()],
            ),
        ),
        ("findings.json", _json([_finding(finding) for finding in declaration.findings.all()])),
    ]  # fmt: skip
    if declaration.batch_id:
        files.extend(_batch_files(user, declaration.batch))
    files.extend(_document_files(user, declaration))
    return files


def _document_files(user, declaration) -> list[tuple[str, bytes]]:
    """The archive's documents behind the declaration: their record and their files."""
    documents = evidence_documents(user=user, declaration_id=declaration.pk)
    record = [
        {
            "id": document.pk,
            "kind": document.kind,
            "name": f"documents/{document.download_name}",
            "document_date": document.document_date,
            "valid_from": document.valid_from,
            "valid_to": document.valid_to,
            "grant": document.budget_id,
            "agreement": document.agreement_id,
            "invoice_number": document.invoice_number,
            "amount": document.amount,
            "vat_amount": document.vat_amount,
            "media_type": document.media_type,
            "size": document.size,
            "sha256": document.sha256,
            "sha256_matches": sha256(content) == document.sha256,
        }
        for document, content in documents
    ]
    return [
        ("documents.json", _json(record)),
        *((f"documents/{document.download_name}", content) for document, content in documents),
    ]


def _declaration(declaration) -> dict:
    agreement, budget = declaration.agreement, declaration.budget
    holder, provider = agreement.holder, agreement.provider
    lines = list(declaration.lines.all())
    return {
        "format": PACK_FORMAT,
        "declaration": {
            "id": declaration.pk,
            "month": f"{declaration.month:%Y-%m}",
            "status": declaration.status,
            "corrects": declaration.corrects_id,
            "declared_rate": declaration.declared_rate,
            "validated_at": declaration.validated_at,
            "submitted_at": declaration.submitted_at,
            "settled_at": declaration.settled_at,
            "rejection_reason": declaration.rejection_reason,
            "settlement_provenance": _provenance(declaration.settlement_provenance),
            "batch": declaration.batch_id,
        },
        "totals": {
            "care_quantity": declaration.care_quantity,
            "care_amount": declaration.care_amount,
            "travel_kilometres": declaration.travel_kilometres,
            "travel_amount": declaration.travel_amount,
            "other_amount": declaration.other_amount,
            "total_amount": declaration.total_amount,
            "lines": len(lines),
            "lines_quantity": sum((line.quantity for line in lines), Decimal(0)),
            "lines_amount": sum((line.amount for line in lines), Decimal(0)),
        },
        "holder": {
            "id": holder.pk,
            "name": holder.display_name,
            "bsn": holder.masked_bsn,
            "bsn_masked": True,
            "svb_client_number": holder.svb_client_number,
        },
        "agreement": {
            "id": agreement.pk,
            "type": agreement.agreement_type,
            "svb_agreement_number": agreement.svb_agreement_number,
        },
        "provider": {
            "id": provider.pk,
            "name": provider.name,
            "kind": provider.kind,
            "agb_code": provider.agb_code,
            "kvk_number": provider.kvk_number,
            "iban": provider.masked_iban,
        },
        "grant": None
        if budget is None
        else {
            "id": budget.pk,
            "scheme": budget.scheme,
            "funder": budget.funder.code,
            "start_date": budget.start_date,
            "end_date": budget.end_date,
        },
    }


def _version(version: AgreementVersion) -> dict:
    return {
        "id": version.pk,
        "valid_from": version.valid_from,
        "valid_to": version.valid_to,
        "grant": version.budget_id,
        "funder": version.budget.funder.code,
        "product": version.product.name,
        "rate": version.rate,
        "unit": version.unit,
        "hours_per_week": version.hours_per_week,
        "rate_includes_holiday_pay": version.rate_includes_holiday_pay,
        "travel_allowance_per_km": version.travel_allowance_per_km,
        "approval_status": version.approval_status,
        "approval_date": version.approval_date,
        "approval_provenance": _provenance(version.approval_provenance),
        "change_reason": version.change_reason,
        "registered_at": version.registered_at,
    }


def _provenance(recorded) -> dict | None:
    return None if recorded is None else recorded.as_dict()


def _recorded_decisions(declaration, versions) -> list[dict]:
    """The decisions of others in the pack, as recorded: the funder's approval of each version
    and the SVB's answer to the declaration."""
    decisions = [
        {
            "decision": "approval",
            "agreement_version": version.pk,
            "status": version.approval_status,
            **version.approval_provenance.as_dict(),
        }
        for version in versions
        if version.approval_provenance is not None
    ]
    settlement = declaration.settlement_provenance
    if settlement is not None:
        decisions.append(
            {
                "decision": "svb_answer",
                "declaration": declaration.pk,
                "status": declaration.status,
                **settlement.as_dict(),
            }
        )
    return decisions


def _finding(finding) -> dict:
    return {
        "rule": finding.rule_code,
        "severity": finding.severity,
        "care_date": finding.care_date,
        "message": finding.message,
        "params": finding.params,
        "found_at": finding.created_at,
        "acknowledged_at": finding.acknowledged_at,
        "acknowledged_by": (
            finding.acknowledged_by.get_username() if finding.acknowledged_by else None
        ),
        "acknowledgement_reason": finding.acknowledgement_reason,
    }


def _batch_files(user, batch) -> list[tuple[str, bytes]]:
    """The batch's record, and its files when the user may see every declaration in it (a
    batch of several holders is not shown to one holder's auditor or family)."""
    shared = batch_wholly_visible(user=user, batch=batch)
    batch_files = list(batch.files.order_by("format"))
    record = {
        "id": batch.pk,
        "period": f"{batch.period:%Y-%m}",
        "exported_at": batch.created_at,
        "exported_by": batch.created_by.get_username() if batch.created_by else None,
        "declarations": batch.declaration_count,
        "lines": batch.line_count,
        "total_amount": batch.total_amount,
        "files": [
            {
                "name": f"batch/{file.filename}" if shared else None,
                "filename": file.filename,
                "format": file.format,
                "size": file.size,
                "sha256": file.sha256,
            }
            for file in batch_files
        ],
        "files_included": shared,
    }
    files = [("batch.json", _json(record))]
    if shared:
        files.extend((f"batch/{file.filename}", bytes(file.content)) for file in batch_files)
    return files


def _manifest(declaration, files: list[tuple[str, bytes]], decisions: list[dict]) -> bytes:
    return _json(
        {
            "format": PACK_FORMAT,
            "declaration": declaration.pk,
            "holder": declaration.agreement.holder_id,
            "month": f"{declaration.month:%Y-%m}",
            "files": [
                {"name": name, "size": len(data), "sha256": sha256(data)} for name, data in files
            ],
            "recorded_decisions": decisions,
        }
    )


# --- writing ---------------------------------------------------------------------------------


def _default(value):
    if isinstance(value, datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)  # lazy translations, times


def _json(value) -> bytes:
    text = json.dumps(value, default=_default, ensure_ascii=False, indent=2, sort_keys=True)
    return (text + "\n").encode("utf-8")


def _zip(files: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, wherever it is made
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()
