"""Storing what the validation engine finds: the findings of a run replace the old ones, the
declarations become validated or stay drafts, and the grants' declared totals follow."""

from datetime import date

from django.db import transaction
from django.utils import timezone

import pandas as pd

from ..constants import DeclarationStatus, Severity
from ..grants import grants_of, refresh_declared
from ..models import Declaration, Finding
from ..selectors.validation import load_input
from ..validation.engine import run


def validate_declarations(declarations: list[Declaration], *, today: date | None = None) -> None:
    """Run the catalogue on drafted declarations and store the findings: a declaration with
    no error becomes validated, one with errors stays a draft. Warnings acknowledged before
    stay acknowledged when they are found again with the same figures. The grants' declared
    totals follow (:func:`~declarations.grants.refresh_declared`), in the same transaction."""
    if not declarations:
        return
    today = today or timezone.localdate()
    by_id = {declaration.pk: declaration for declaration in declarations}
    findings = run(load_input(list(by_id), today=today))

    acknowledged = {
        finding.key(): finding
        for finding in Finding.objects.filter(
            declaration_id__in=by_id, acknowledged_at__isnull=False
        )
    }
    with transaction.atomic():
        Finding.objects.filter(declaration_id__in=by_id).delete()
        new = []
        rows = zip(
            findings["declaration_id"].tolist(),
            findings["rule_code"].tolist(),
            findings["severity"].tolist(),
            findings["care_date"].tolist(),
            findings["params"].tolist(),
            strict=True,
        )
        for declaration_id, rule_code, severity, day, params in rows:
            finding = Finding(
                declaration_id=declaration_id,
                rule_code=rule_code,
                severity=severity,
                care_date=None if pd.isna(day) else day.date(),
                params=params,
            )
            previous = acknowledged.get(finding.key())
            if previous is not None and previous.declaration_id == finding.declaration_id:
                finding.acknowledged_at = previous.acknowledged_at
                finding.acknowledged_by_id = previous.acknowledged_by_id
                finding.acknowledgement_reason = previous.acknowledgement_reason
            new.append(finding)
        Finding.objects.bulk_create(new, batch_size=2000)
        with_errors = set(findings.loc[findings["severity"] == Severity.ERROR, "declaration_id"])
        now = timezone.now()
        for declaration in declarations:
            if declaration.pk in with_errors:
                declaration.status, declaration.validated_at = DeclarationStatus.DRAFT, None
            else:
                declaration.status, declaration.validated_at = DeclarationStatus.VALIDATED, now
        model = type(declarations[0])
        model.objects.bulk_update(declarations, ["status", "validated_at"])
        refresh_declared(grants_of(model.objects.filter(pk__in=by_id)))
