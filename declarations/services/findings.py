"""Storing what the validation engine finds: the findings of a run replace the old ones, the
declarations become validated or stay drafts, and the grants' declared totals follow."""

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

import pandas as pd

from pgb_admin.core.bulk import insert_rows, update_rows
from pgb_admin.core.lookups import any_of

from ..constants import DeclarationStatus, Severity
from ..grants import grants_of, refresh_declared
from ..models import Declaration, Finding
from ..selectors.validation import load_input
from ..validation.engine import run


def validate_declarations(
    declarations: list[Declaration],
    *,
    today: date | None = None,
    grants: Iterable[int | None] | None = None,
) -> None:
    """Run the catalogue on drafted declarations and store the findings: a declaration with
    no error becomes validated, one with errors stays a draft. Warnings acknowledged before
    stay acknowledged when they are found again with the same figures. The declared totals of
    their grants (or of ``grants``, when the caller knows more grants concerned) follow
    (:func:`~declarations.grants.refresh_declared`), in the same transaction. The findings
    are written in one go (COPY on PostgreSQL), the statuses in one UPDATE."""
    if not declarations:
        return
    today = today or timezone.localdate()
    by_id = {declaration.pk: declaration for declaration in declarations}
    findings = run(load_input(list(by_id), today=today))
    acknowledged = _acknowledged(by_id)
    with transaction.atomic():
        Finding.objects.filter(any_of("declaration_id", by_id)).delete()
        insert_rows(Finding, _FINDING_FIELDS, _finding_rows(findings, acknowledged))
        with_errors = set(findings.loc[findings["severity"] == Severity.ERROR, "declaration_id"])
        now = timezone.now()
        for declaration in declarations:
            if declaration.pk in with_errors:
                declaration.status, declaration.validated_at = DeclarationStatus.DRAFT, None
            else:
                declaration.status, declaration.validated_at = DeclarationStatus.VALIDATED, now
        model = type(declarations[0])
        update_rows(
            model,
            ("status", "validated_at"),
            ((d.pk, d.status, d.validated_at) for d in declarations),
        )
        refresh_declared(
            grants_of(model.objects.filter(any_of("pk", by_id))) if grants is None else grants
        )


_FINDING_FIELDS = (
    "declaration_id",
    "rule_code",
    "severity",
    "care_date",
    "params",
    "created_at",
    "acknowledged_at",
    "acknowledged_by_id",
    "acknowledgement_reason",
)

_Key = tuple[int, str, date | None, tuple[Any, ...]]
_Acknowledgement = tuple[datetime | None, int | None, str]


def _acknowledged(declaration_ids: Iterable[int]) -> dict[_Key, _Acknowledgement]:
    """The acknowledged warnings of the declarations, by declaration and :meth:`Finding.key`:
    when, by whom and why."""
    return {
        (finding.declaration_id, *finding.key()): (
            finding.acknowledged_at,
            finding.acknowledged_by_id,
            finding.acknowledgement_reason,
        )
        for finding in Finding.objects.filter(
            any_of("declaration_id", declaration_ids), acknowledged_at__isnull=False
        ).only(
            "declaration_id",
            "rule_code",
            "care_date",
            "params",
            "acknowledged_at",
            "acknowledged_by_id",
            "acknowledgement_reason",
        )
    }


def _finding_rows(
    findings: pd.DataFrame, acknowledged: dict[_Key, _Acknowledgement]
) -> Iterator[tuple[Any, ...]]:
    """The engine's findings as rows of :data:`_FINDING_FIELDS`; one found again with the same
    figures keeps its acknowledgement."""
    now = timezone.now()
    for declaration_id, rule_code, severity, day, params in zip(
        findings["declaration_id"].tolist(),
        findings["rule_code"].tolist(),
        findings["severity"].tolist(),
        findings["care_date"].tolist(),
        findings["params"].tolist(),
        strict=True,
    ):
        care_date = None if pd.isna(day) else day.date()
        key = (declaration_id, rule_code, care_date, tuple(sorted(params.items())))
        yield (
            declaration_id,
            rule_code,
            severity,
            care_date,
            params,
            now,
            *acknowledged.get(key, (None, None, "")),
        )
