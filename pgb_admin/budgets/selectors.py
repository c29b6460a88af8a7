"""Reads of funders, care products, budget holders and grants; holder data always scoped to
the user who asks."""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from pgb_admin.accounts.scoping import AnyUser
from pgb_admin.audit.events import log_reads
from pgb_admin.audit.models import Action, Outcome

from .models import Budget, BudgetHolder, BudgetHolderQuerySet, CareProduct, Funder


def funder_list(*, user: "AnyUser | None" = None) -> QuerySet[Funder]:
    """Funders are public reference data: every logged-in user sees them all."""
    return Funder.objects.all()


def care_product_list(*, user: "AnyUser | None" = None) -> QuerySet[CareProduct]:
    return CareProduct.objects.all()


def holder_list(*, user: AnyUser) -> BudgetHolderQuerySet:
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


# what the access log calls a lookup by BSN (the BSN itself is never logged)
HOLDER_LOOKUP = "budget_holder_lookup"


class LookupRefused(PermissionDenied):
    def __init__(self) -> None:
        super().__init__(
            _(
                "Looking up a holder by BSN is for those who act for a holder: the holder, "
                "their representative or their pgb bureau. The back office finds holders in "
                "the admin."
            )
        )


def holder_lookup(*, user: AnyUser, bsn: str) -> BudgetHolder | None:
    """The holder with this BSN among those whose full BSN the user sees already (so a hit
    tells them nothing new), or None. Refused (403) to whoever sees no full BSN at all: family,
    auditors, staff, users without a mandate. Every attempt is in the access log."""
    may_see = BudgetHolder.objects.with_full_bsn_for(user)
    if not may_see.exists():
        log_holder_lookup(user=user, holder=None, outcome=Outcome.REFUSED)
        raise LookupRefused
    holder = holder_list(user=user).filter(pk__in=may_see.values("pk")).with_bsn(bsn).first()
    log_holder_lookup(user=user, holder=holder, outcome=Outcome.OK if holder else Outcome.NOT_FOUND)
    return holder


def log_holder_lookup(*, user: AnyUser, holder: BudgetHolder | None, outcome: Outcome) -> None:
    """One access-log row for a lookup by BSN, whoever makes it: against the holder found, or
    against no holder (nothing found, refused, too many)."""
    log_reads(
        user=user,
        action=Action.SEARCH,
        what=HOLDER_LOOKUP,
        holder_counts={holder.pk if holder else None: 1},
        object_pk=holder.pk if holder else "",
        outcome=outcome,
        everyone=True,
    )


def budget_list(*, user: AnyUser) -> QuerySet[Budget]:
    return (
        Budget.objects.visible_to(user)
        .select_related("funder")
        .prefetch_related("products")
        .order_by("holder_id", "-start_date", "pk")
    )
