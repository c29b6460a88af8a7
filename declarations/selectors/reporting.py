"""Reads of hours, costs and declarations for the reports, which read this app only through its
selectors: the evidence pack of a declaration, the spend counted against grants, the care
behind the audit signals, and the maximum tariffs of the validation (``max_tariffs``)."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Min, Q, QuerySet, Sum

from pgb_admin.accounts.scoping import AnyUser
from pgb_admin.figures.constants import RateUnit

from ..constants import SPENDING_STATUSES, DeclarationStatus
from ..documents.models import Document
from ..documents.selectors import declaration_documents, document_content
from ..models import Batch, Declaration, DeclarationLine, Expense, TimeEntry
from ..validation.tariffs import max_tariffs
from .lists import declaration_list

__all__ = [
    "DeclaredSpend",
    "batch_wholly_visible",
    "care_hours_per_day",
    "counted_declarations",
    "counted_lines",
    "declared_hours_per_day",
    "declared_spend",
    "draft_totals",
    "evidence_declaration",
    "evidence_documents",
    "max_tariffs",
    "month_expenses",
    "month_time_entries",
    "statement_documents",
]


# --- the evidence pack -------------------------------------------------------------------------


def evidence_declaration(*, user: AnyUser, declaration_id: int) -> Declaration | None:
    """The declaration, if the user may see it, with its lines, findings, agreement, holder,
    provider, grant and batch."""
    try:
        return (
            declaration_list(user=user, with_lines=True)
            .select_related(
                "agreement__holder", "agreement__provider", "budget__funder", "batch__created_by"
            )
            .get(pk=declaration_id)
        )
    except Declaration.DoesNotExist:
        return None


def evidence_documents(*, user: AnyUser, declaration_id: int) -> list[tuple[Document, bytes]]:
    """The documents behind the declaration that the user may see (the archive's invoices, hour
    slips, decisions linked to it), each with its file's bytes."""
    documents = declaration_documents(user=user, declaration_id=declaration_id)
    return [(document, document_content(document)) for document in documents]


def statement_documents(
    *, user: AnyUser, holder_id: int, year: int, budget_ids: Iterable[int]
) -> list[Document]:
    """The archive's documents a year statement lists: those dated in the year and those of
    its grants (a decision made the year before), that the user may see, oldest first."""
    return list(
        Document.objects.counting()
        .visible_to(user)
        .filter(holder_id=holder_id)
        .filter(Q(document_date__year=year) | Q(budget_id__in=list(budget_ids)))
        .select_related("budget")
        .order_by("document_date", "pk")
    )


def month_time_entries(*, user: AnyUser, agreement_id: int, month: date) -> QuerySet[TimeEntry]:
    """The hours of an agreement in a month that the user may see, in the order of the day."""
    return (
        TimeEntry.objects.visible_to(user)
        .filter(agreement_id=agreement_id)
        .in_month(month)
        .order_by("care_date", "start_time", "pk")
    )


def month_expenses(*, user: AnyUser, agreement_id: int, month: date) -> QuerySet[Expense]:
    """The costs of an agreement in a month that the user may see, by date."""
    return (
        Expense.objects.visible_to(user)
        .filter(agreement_id=agreement_id)
        .in_month(month)
        .order_by("expense_date", "pk")
    )


def batch_wholly_visible(*, user: AnyUser, batch: Batch) -> bool:
    """Whether the user may see every declaration in the batch (a batch of several holders is
    not shown whole to one holder's auditor or family)."""
    visible = Declaration.objects.visible_to(user).values("pk")
    return not batch.declarations.exclude(pk__in=visible).exists()


# --- what the grants used ----------------------------------------------------------------------


def counted_declarations(budget_ids: Iterable[int]) -> QuerySet[Declaration]:
    """The declarations that use the grants: validated or further, not replaced by a counted
    correction (as the validation counts them)."""
    replaced = Declaration.objects.filter(corrections__status__in=SPENDING_STATUSES).values("pk")
    return Declaration.objects.filter(
        budget_id__in=budget_ids, status__in=SPENDING_STATUSES
    ).exclude(pk__in=replaced)


class DeclaredSpend(NamedTuple):
    """A counted declaration, with the care product of its lines (None: no lines) and whether
    it declares hours."""

    declaration_id: int
    budget_id: int
    agreement_id: int
    holder_id: int
    provider_id: int
    product_id: int | None
    month: date
    status: str
    total: Decimal
    care_quantity: Decimal
    hourly: bool


def declared_spend(budget_ids: list[int]) -> list[DeclaredSpend]:
    """The counted declarations on the grants, in three queries whatever their number."""
    declarations = counted_declarations(budget_ids)
    products = dict(
        DeclarationLine.objects.filter(declaration__in=declarations)
        .values_list("declaration_id")
        .annotate(product=Min("version__product_id"))
        .order_by()
    )
    hourly = set(
        DeclarationLine.objects.filter(declaration__in=declarations, unit=RateUnit.HOUR)
        .values_list("declaration_id", flat=True)
        .distinct()
    )
    return [
        DeclaredSpend(
            pk, budget, agreement, holder, provider, products.get(pk), month, status, total,
            quantity, pk in hourly,
        )
        for pk, budget, agreement, holder, provider, month, status, total, quantity
        in declarations.values_list(
            "pk", "budget_id", "agreement_id", "agreement__holder_id", "agreement__provider_id",
            "month", "status", "total_amount", "care_quantity",
        )
    ]  # fmt: skip


def draft_totals(budget_ids: list[int]) -> dict[int, Decimal]:
    """Per grant, the total of its declarations still in draft (grants without: absent)."""
    return dict(
        Declaration.objects.filter(budget_id__in=budget_ids, status=DeclarationStatus.DRAFT)
        .values_list("budget_id")
        .annotate(total=Sum("total_amount"))
        .order_by()
    )


# --- the care behind the audit signals ---------------------------------------------------------


def care_hours_per_day(*, agreement_ids: list[int], year: int) -> list[tuple[int, date, Decimal]]:
    """(provider, day, hours) of the hours logged on the agreements in the year."""
    return list(
        TimeEntry.objects.filter(agreement_id__in=agreement_ids, care_date__year=year)
        .values_list("agreement__provider_id", "care_date")
        .annotate(hours=Sum("quantity"))
        .order_by()
    )


def counted_lines(
    *, budget_ids: list[int], agreement_ids: list[int], year: int
) -> list[tuple[int, int, int, int, date]]:
    """(agreement, holder, provider, declaration, care date) of every line in the year of the
    counted declarations on the grants under the agreements."""
    return list(
        DeclarationLine.objects.filter(
            declaration__in=counted_declarations(budget_ids),
            declaration__agreement_id__in=agreement_ids,
            care_date__year=year,
        ).values_list(
            "declaration__agreement_id",
            "declaration__agreement__holder_id",
            "declaration__agreement__provider_id",
            "declaration_id",
            "care_date",
        )
    )


def declared_hours_per_day(
    *, budget_ids: list[int], year: int
) -> list[tuple[int, int, date, Decimal]]:
    """(provider, holder, care date, hours) of the hours on the counted declarations of the
    grants in the year, one row per provider, holder and day."""
    return list(
        DeclarationLine.objects.filter(
            declaration__in=counted_declarations(budget_ids),
            unit=RateUnit.HOUR,
            care_date__year=year,
        )
        .values_list(
            "declaration__agreement__provider_id", "declaration__agreement__holder_id", "care_date"
        )
        .annotate(hours=Sum("quantity"))
        .order_by()
    )
