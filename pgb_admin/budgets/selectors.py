"""Reads of funders, care products, budget holders and grants; holder data always scoped to
the user who asks."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from pgb_admin.accounts.scoping import AnyUser
from pgb_admin.audit.events import log_reads
from pgb_admin.audit.models import Action, Outcome
from pgb_admin.figures.constants import FigureKind
from pgb_admin.figures.models import FigureLookup

from .constants import Scheme
from .models import (
    Budget,
    BudgetHolder,
    BudgetHolderQuerySet,
    CareProduct,
    FreeAmountClaim,
    Funder,
    Indication,
)


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


_INDICATIONS = Indication.objects.select_related("product")


def budget_list(*, user: AnyUser) -> QuerySet[Budget]:
    return (
        Budget.objects.visible_to(user)
        .select_related("funder")
        .prefetch_related("products", Prefetch("indications", queryset=_INDICATIONS))
        .order_by("holder_id", "-start_date", "pk")
    )


# --- the verantwoordingsvrij bedrag ------------------------------------------------------------

#: the schemes whose grants have a verantwoordingsvrij bedrag (a free amount, paid to the
#: holder's own account, spent without accounting for it)
FREE_AMOUNT_SCHEMES = (Scheme.WLZ, Scheme.ZVW)
DAYS_IN_A_YEAR = 365


@dataclass(frozen=True)
class FreeAmount:
    """A grant's verantwoordingsvrij bedrag: what it may be (None: no figure for its scheme
    and start), what is claimed of it and what remains."""

    allowed: Decimal | None
    claimed: Decimal

    @property
    def remaining(self) -> Decimal | None:
        return None if self.allowed is None else self.allowed - self.claimed


def free_amount_allowed(
    amount: Decimal,
    days: int,
    pct: Decimal | None,
    minimum: Decimal | None,
    maximum: Decimal | None,
) -> Decimal | None:
    """``pct`` percent of the grant's ``amount``, at least ``minimum`` and at most ``maximum``
    a year, both pro rata for a grant of fewer than 365 days (``days`` / 365), and never more
    than the grant. Rounded half up to the cent once, at the end. None without a percentage
    (a missing minimum or maximum does not bound). Menzis zorgkantoor "Kosten declareren":
    1.5 %, at least € 250 and at most € 1,250 a year (the figures ``verantwoordingsvrij_*``)."""
    if pct is None:
        return None
    share = Decimal(min(max(days, 0), DAYS_IN_A_YEAR)) / DAYS_IN_A_YEAR
    value = amount * pct / 100
    if minimum is not None:
        value = max(value, minimum * share)
    if maximum is not None:
        value = min(value, maximum * share)
    value = min(value, amount)
    return max(value, Decimal(0)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def free_amounts(budgets: Iterable[Budget]) -> dict[int, FreeAmount]:
    """The verantwoordingsvrij bedrag of each Wlz or Zvw grant (others are left out): the
    figures of the grant's scheme valid on its first day, and the claims summed in one query."""
    grants = [b for b in budgets if b.scheme in FREE_AMOUNT_SCHEMES]
    claimed = dict(
        FreeAmountClaim.objects.filter(budget__in=grants)
        .values_list("budget_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    figures = FigureLookup()
    result = {}
    for budget in grants:
        on, scheme = budget.start_date, budget.scheme
        result[budget.pk] = FreeAmount(
            allowed=free_amount_allowed(
                budget.amount,
                (budget.end_date - budget.start_date).days + 1,
                figures.value_on(FigureKind.VERANTWOORDINGSVRIJ_PCT, on, scheme=scheme),
                figures.value_on(FigureKind.VERANTWOORDINGSVRIJ_MIN, on, scheme=scheme),
                figures.value_on(FigureKind.VERANTWOORDINGSVRIJ_MAX, on, scheme=scheme),
            ),
            claimed=Decimal(claimed.get(budget.pk) or 0).quantize(Decimal("0.01")),
        )
    return result
