"""The user's own record for several declarations at once (those of one export): that they
declared them, or that they were paid or rejected. Each goes through the same service as one
declaration's record and the API (``declaration_submit``, ``declaration_settle``), all in one
transaction: when one is refused, none is recorded."""

from collections.abc import Iterable
from datetime import date

from django.db import transaction

from pgb_admin.accounts.models import User

from ..constants import DeclarationStatus
from ..models import Declaration
from .declarations import declaration_settle, declaration_submit

RECORDED_OUTCOMES = frozenset(
    {DeclarationStatus.SUBMITTED, DeclarationStatus.PAID, DeclarationStatus.REJECTED}
)


@transaction.atomic
def declarations_record(
    *,
    actor: User,
    declaration_ids: Iterable[int],
    outcome: str,
    on: date | None = None,
    evidence: str = "",
    rejection_reason: str = "",
) -> list[Declaration]:
    """Record ``outcome`` (submitted, paid or rejected) on each of ``declaration_ids``, in the
    order of their ids; returns them as recorded."""
    if outcome not in RECORDED_OUTCOMES:
        raise ValueError(f"not an outcome to record: {outcome!r}")
    recorded = []
    for declaration_id in sorted(set(declaration_ids)):
        if outcome == DeclarationStatus.SUBMITTED:
            recorded.append(declaration_submit(actor=actor, declaration_id=declaration_id, on=on))
        else:
            recorded.append(
                declaration_settle(
                    actor=actor,
                    declaration_id=declaration_id,
                    paid=outcome == DeclarationStatus.PAID,
                    evidence=evidence,
                    rejection_reason=rejection_reason,
                    on=on,
                )
            )
    return recorded
