"""Reads of budget holders and grants, always scoped to the user who asks."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from .models import Budget, BudgetHolder


def holder_list(*, user) -> QuerySet[BudgetHolder]:
    """The holders the user may see, with their grants (only those the user may see) and
    ``shows_full_bsn``: whether this user may see the holder's full BSN."""
    full_bsn = BudgetHolder.objects.with_full_bsn_for(user).filter(pk=OuterRef("pk"))
    return (
        BudgetHolder.objects.visible_to(user)
        .annotate(shows_full_bsn=Exists(full_bsn))
        .prefetch_related(
            Prefetch(
                "budgets",
                queryset=Budget.objects.visible_to(user).select_related("funder"),
                to_attr="visible_budgets",
            )
        )
    )
