"""Reads of hours, costs, declarations, batches and the rule catalogue, scoped to the user."""

from django.db.models import Prefetch, QuerySet

from .models import Batch, BatchFile, Declaration, DeclarationLine, Expense, Finding, TimeEntry
from .validation.registry import Rule, catalogue


def time_entry_list(*, user) -> QuerySet[TimeEntry]:
    return TimeEntry.objects.visible_to(user).select_related("agreement")


def expense_list(*, user) -> QuerySet[Expense]:
    return Expense.objects.visible_to(user).select_related("agreement")


def declaration_list(*, user, with_lines: bool = False) -> QuerySet[Declaration]:
    """Declarations with their findings (and, for one declaration, its lines)."""
    declarations = (
        Declaration.objects.visible_to(user)
        .select_related("agreement", "budget")
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


def batch_list(*, user) -> QuerySet[Batch]:
    """Batches with their files' metadata (not their content) and declaration ids."""
    return (
        Batch.objects.visible_to(user)
        .select_related("funder", "created_by")
        .prefetch_related(
            Prefetch("files", queryset=BatchFile.objects.defer("content").order_by("format")),
            Prefetch("declarations", queryset=Declaration.objects.only("pk", "batch_id")),
        )
    )


def rule_list() -> list[Rule]:
    return sorted(catalogue().values(), key=lambda rule: rule.code)
