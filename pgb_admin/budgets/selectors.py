"""Reads of funders, care products, budget holders and grants; holder data always scoped to
the user who asks."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from .models import Budget, BudgetHolder, CareProduct, Funder


def funder_list(*, user=None) -> QuerySet[Funder]:
    """Funders are public reference data: every logged-in user sees them all."""
    return Funder.objects.all()


def care_product_list(*, user=None) -> QuerySet[CareProduct]:
    return CareProduct.objects.all()


def holder_list(*, user) -> QuerySet[BudgetHolder]:
    """The holders the user may see, with their grants (only those the user may see),
    ``shows_full_bsn`` (whether this user may see the full BSN) and ``can_edit``."""
    full_bsn = BudgetHolder.objects.with_full_bsn_for(user).filter(pk=OuterRef("pk"))
    editable = BudgetHolder.objects.editable_by(user).filter(pk=OuterRef("pk"))
    return (
        BudgetHolder.objects.visible_to(user)
        .annotate(shows_full_bsn=Exists(full_bsn), can_edit=Exists(editable))
        .prefetch_related(
            "funders",
            Prefetch(
                "budgets",
                queryset=Budget.objects.visible_to(user).select_related("funder"),
                to_attr="visible_budgets",
            ),
        )
    )


def budget_list(*, user) -> QuerySet[Budget]:
    return (
        Budget.objects.visible_to(user)
        .select_related("funder")
        .prefetch_related("products")
        .order_by("holder_id", "-start_date", "pk")
    )
