"""What pgb-admin declared, for matching against the SVB's or the insurer's overview of what
was paid (``reports.reconciliation``)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from pgb_admin.budgets.constants import Channel

from ..constants import DeclarationStatus
from ..models import Declaration
from .batches import channel_q

#: declared here: exported (ready to type into the Portaal or send), declared, or paid by the
#: user's own record; a rejected one is no longer a claim
DECLARED_STATUSES = (
    DeclarationStatus.EXPORTED,
    DeclarationStatus.SUBMITTED,
    DeclarationStatus.PAID,
)


@dataclass(frozen=True)
class DeclaredMonth:
    declaration_id: int
    agreement_id: int
    month: date
    total_amount: Decimal
    budget_id: int | None


def declared_months(
    *, holder_id: int, channel: Channel | str, first: date, last: date
) -> dict[tuple[int, date], DeclaredMonth]:
    """(agreement, month) -> the declaration that stands for it: of the holder, declared
    through ``channel`` in the months ``first``..``last``. Of a declaration and its
    corrections the newest stands (a correction replaces what it corrects). One query."""
    rows = (
        Declaration.objects.filter(
            channel_q(channel),
            agreement__holder_id=holder_id,
            month__range=(first, last),
            status__in=DECLARED_STATUSES,
        )
        .order_by("agreement_id", "month", "pk")
        .values_list("pk", "agreement_id", "month", "total_amount", "budget_id")
    )
    found: dict[tuple[int, date], DeclaredMonth] = {}
    for pk, agreement_id, month, total, budget_id in rows:
        found[(agreement_id, month)] = DeclaredMonth(pk, agreement_id, month, total, budget_id)
    return found
