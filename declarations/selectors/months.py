"""Where a month of an agreement stands: its declaration that can still change, and whether
its hours and costs are locked because it is declared and exported."""

from collections.abc import Iterable
from datetime import date

from pgb_admin.accounts.scoping import AnyUser, get_editable, refuse_auditors
from pgb_admin.budgets.models import BudgetHolder, Funder
from pgb_admin.core.periods import month_start

from ..constants import FROZEN_STATUSES, OPEN_STATUSES
from ..models import Declaration


def open_declaration(agreement_id: int, month: date) -> Declaration | None:
    """The declaration of the month that can still change (a draft, a validated one, or an
    open correction), if any."""
    return (
        Declaration.objects.filter(agreement_id=agreement_id, month=month, status__in=OPEN_STATUSES)
        .order_by("-pk")
        .first()
    )


def month_is_locked(agreement_id: int, month: date) -> bool:
    """A month is locked once a declaration of it is exported, until a correction is opened."""
    declarations = Declaration.objects.filter(agreement_id=agreement_id, month=month)
    frozen = declarations.filter(status__in=FROZEN_STATUSES)
    if not frozen.exists():
        return False
    return not declarations.filter(status__in=OPEN_STATUSES, corrects__isnull=False).exists()


def locked_months(pairs: Iterable[tuple[int, date]]) -> set[tuple[int, date]]:
    """Of the (agreement id, month) pairs, those that are locked, as :func:`month_is_locked`
    says, in one query for all of them."""
    wanted = set(pairs)
    if not wanted:
        return set()
    frozen: set[tuple[int, date]] = set()
    reopened: set[tuple[int, date]] = set()
    for agreement_id, month, status, corrects_id in Declaration.objects.filter(
        agreement_id__in={agreement for agreement, _month in wanted},
        month__in={month for _agreement, month in wanted},
    ).values_list("agreement_id", "month", "status", "corrects_id"):
        if status in FROZEN_STATUSES:
            frozen.add((agreement_id, month))
        elif status in OPEN_STATUSES and corrects_id is not None:
            reopened.add((agreement_id, month))
    return (frozen - reopened) & wanted


def declarations_open_in_period(
    *, actor: AnyUser, month: date, holder_id: int | None = None, funder: Funder | None = None
) -> list[int]:
    """Ids of the month's open declarations the actor may change (optionally of one holder,
    whom the actor must be able to change, or of one funder): what a period validation runs
    over."""
    refuse_auditors(actor)
    declarations = Declaration.objects.editable_by(actor).filter(
        month=month_start(month), status__in=OPEN_STATUSES
    )
    if holder_id is not None:
        holder = get_editable(BudgetHolder.objects, actor, pk=holder_id)
        declarations = declarations.filter(agreement__holder=holder)
    if funder is not None:
        declarations = declarations.filter(budget__funder=funder)
    return list(declarations.order_by("pk").values_list("pk", flat=True))
