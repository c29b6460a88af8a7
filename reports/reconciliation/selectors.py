"""The reads of the reconciliation, scoped to the user: the work list of differences (a
bureau's across its holders, filtered, a page at a time) and one difference."""

from django.db.models import QuerySet

from pgb_admin.accounts.scoping import AnyUser, get_visible
from pgb_admin.budgets.models import BudgetHolder

from .constants import DIFFERING, Resolution
from .models import Difference, Overview

#: the filters of the work list: name -> the values it takes
FILTERS = ("holder", "kind", "resolution", "channel")


def difference_list(
    *,
    user: AnyUser,
    holder: int | None = None,
    kind: str = "",
    resolution: str = Resolution.OPEN,
    channel: str = "",
) -> QuerySet[Difference]:
    """The differences the user may see (not the lines that agree), newest month first;
    empty filters take everything. Everything a row shows is joined in (no query per row)."""
    differences = (
        Difference.objects.visible_to(user)
        .differing()
        .select_related("holder", "agreement__provider", "budget__funder", "resolved_by")
        .order_by("-month", "holder_id", "key", "pk")
    )
    if holder:
        differences = differences.filter(holder_id=holder)
    if kind in DIFFERING:
        differences = differences.filter(kind=kind)
    if resolution in Resolution.values:
        differences = differences.filter(resolution=resolution)
    if channel:
        differences = differences.filter(channel=channel)
    return differences


def difference_get(*, user: AnyUser, difference_id: int) -> Difference:
    """One difference, if the user may see it; otherwise NotFound."""
    return get_visible(
        Difference.objects.select_related(
            "holder", "agreement__provider", "budget__funder", "overview__created_by",
            "resolved_by",
        ),
        user,
        pk=difference_id,
    )  # fmt: skip


def overview_list(*, user: AnyUser, holder: int | None = None) -> QuerySet[Overview]:
    overviews = (
        Overview.objects.visible_to(user)
        .select_related("holder", "created_by")
        .defer("content")
        .order_by("-created_at", "-pk")
    )
    return overviews.filter(holder_id=holder) if holder else overviews


def holder_choices(*, user: AnyUser, editable: bool) -> QuerySet[BudgetHolder]:
    """The holders to choose from: those the user acts for (uploading), or sees (filtering)."""
    holders = (
        BudgetHolder.objects.editable_by(user)
        if editable
        else BudgetHolder.objects.visible_to(user)
    )
    return holders.order_by("surname", "pk")
