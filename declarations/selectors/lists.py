"""Lists of hours, costs, declarations, batches and the rule catalogue, scoped to the user, and
the counts that sum them up."""

from collections.abc import Iterable

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from contracts.models import CareAgreement
from pgb_admin.accounts.scoping import AnyUser

from ..constants import DeclarationStatus, Severity
from ..models import (
    Batch,
    BatchFile,
    Declaration,
    DeclarationLine,
    Expense,
    Finding,
    TimeEntry,
)
from ..validation.registry import Rule, catalogue


def time_entry_list(*, user: AnyUser) -> QuerySet[TimeEntry]:
    return TimeEntry.objects.visible_to(user).select_related("agreement")


def expense_list(*, user: AnyUser) -> QuerySet[Expense]:
    return Expense.objects.visible_to(user).select_related("agreement")


def declaration_list(*, user: AnyUser, with_lines: bool = False) -> QuerySet[Declaration]:
    """Declarations with their findings (and, for one declaration, its lines)."""
    declarations = (
        Declaration.objects.visible_to(user)
        .select_related("agreement", "budget", "settled_recorded_by")
        .prefetch_related(
            Prefetch(
                "findings",
                queryset=Finding.objects.select_related("acknowledged_by").order_by(
                    "care_date", "rule_code", "pk"
                ),
            )
        )
    )
    if with_lines:
        declarations = declarations.prefetch_related(
            Prefetch("lines", queryset=DeclarationLine.objects.order_by("care_date"))
        )
    return declarations


def batch_list(*, user: AnyUser) -> QuerySet[Batch]:
    """Batches with their files' metadata (not their content) and declaration ids."""
    return (
        Batch.objects.visible_to(user)
        .select_related("funder", "created_by")
        .prefetch_related(
            Prefetch("files", queryset=BatchFile.objects.defer("content").order_by("format")),
            Prefetch("declarations", queryset=Declaration.objects.only("pk", "batch_id")),
        )
    )


def editable_agreement_holders(*, user: AnyUser, agreement_ids: Iterable[int]) -> set[int]:
    """The holders of those of ``agreement_ids`` that the user may change."""
    return set(
        CareAgreement.objects.editable_by(user)
        .filter(pk__in=set(agreement_ids))
        .values_list("holder_id", flat=True)
    )


def validation_summary(ids: list[int]) -> dict[str, int]:
    """How many of the declarations ``ids`` are validated, and how many stayed drafts with
    errors."""
    has_error = Exists(Finding.objects.filter(declaration=OuterRef("pk"), severity=Severity.ERROR))
    counts = Declaration.objects.filter(pk__in=ids).aggregate(
        validated=Count("pk", filter=Q(status=DeclarationStatus.VALIDATED)),
        with_errors=Count("pk", filter=Q(has_error, status=DeclarationStatus.DRAFT)),
    )
    return {"declarations": len(ids), **counts}


def rule_list() -> list[Rule]:
    return sorted(catalogue().values(), key=lambda rule: rule.code)
