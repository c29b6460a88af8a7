"""Changes to budget holders and their grants. Each function is one transaction, checks that
the actor may make the change (404 out of scope, 403 read-only) and validates the model before
saving, so a page, the API, a command and a task all get the same errors."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from pgb_admin.accounts.constants import ACTING_ROLES, MandateRole
from pgb_admin.accounts.models import Mandate, User
from pgb_admin.accounts.scoping import get_editable, refuse_auditors, sees_everything

from .models import Budget, BudgetHolder, CareProduct, Funder


@transaction.atomic
def holder_create(
    *,
    actor: User,
    role: str,
    initials: str,
    surname: str,
    bsn: str,
    date_of_birth: date,
    funders: list[Funder],
    first_name: str = "",
    svb_client_number: str = "",
    representative_kind: str = "",
) -> BudgetHolder:
    """Register a budget holder and give the actor a mandate for them in ``role`` (the holder
    themselves, a representative or a bureau). Auditors cannot register holders."""
    if not actor.is_authenticated:
        raise PermissionDenied
    refuse_auditors(actor)
    if MandateRole(role) not in ACTING_ROLES:
        raise PermissionDenied
    holder = BudgetHolder(
        initials=initials,
        first_name=first_name,
        surname=surname,
        bsn=bsn,
        date_of_birth=date_of_birth,
        svb_client_number=svb_client_number,
    )
    holder.full_clean()
    holder.save()
    holder.funders.set(funders)
    mandate = Mandate(
        user=actor,
        holder=holder,
        role=role,
        representative_kind=representative_kind,
        valid_from=timezone.localdate(),
    )
    mandate.full_clean()
    mandate.save()
    return holder


HOLDER_EDITABLE_FIELDS = frozenset(
    {"initials", "first_name", "surname", "bsn", "date_of_birth", "svb_client_number"}
)


@transaction.atomic
def holder_update(*, actor: User, holder_id: int, **changes) -> BudgetHolder:
    unknown = set(changes) - HOLDER_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"holder_update() cannot change {', '.join(sorted(unknown))}")
    holder = get_editable(BudgetHolder.objects.select_for_update(), actor, pk=holder_id)
    for field, value in changes.items():
        setattr(holder, field, value)
    holder.full_clean()
    holder.save()
    return holder


@transaction.atomic
def budget_create(
    *,
    actor: User,
    holder_id: int,
    funder: Funder,
    scheme: str,
    products: list[CareProduct],
    start_date: date,
    end_date: date,
    amount: Decimal,
    decision_date: date,
    decision_reference: str,
) -> Budget:
    """Register a grant. Its funder becomes one of the holder's funders."""
    holder = get_editable(BudgetHolder.objects, actor, pk=holder_id)
    budget = Budget(
        holder=holder,
        funder=funder,
        scheme=scheme,
        start_date=start_date,
        end_date=end_date,
        amount=amount,
        decision_date=decision_date,
        decision_reference=decision_reference,
    )
    budget.full_clean()
    budget.save()
    budget.products.set(products)
    holder.funders.add(funder)
    return budget


BUDGET_EDITABLE_FIELDS = frozenset(
    {"start_date", "end_date", "amount", "decision_date", "decision_reference"}
)


@transaction.atomic
def budget_update(*, actor: User, budget_id: int, products=None, **changes) -> Budget:
    """Correct a registered grant (a typo, or a revised decision). The agreement versions that
    rest on it must still fit its period and products."""
    unknown = set(changes) - BUDGET_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"budget_update() cannot change {', '.join(sorted(unknown))}")
    budget = get_editable(Budget.objects.select_for_update(), actor, pk=budget_id)
    for field, value in changes.items():
        setattr(budget, field, value)
    budget.full_clean()
    budget.save()
    if products is not None:
        budget.products.set(products)
    for version in budget.agreement_versions.select_related("agreement", "product"):
        version.full_clean()
    return budget


@transaction.atomic
def mandate_grant(
    *,
    actor: User,
    holder_id: int,
    user: User,
    role: str,
    valid_from: date,
    valid_to: date | None = None,
    representative_kind: str = "",
) -> Mandate:
    """Let ``user`` act for (or look at) a holder. Those who act for the holder may grant
    read-only access to family; other roles are granted by staff."""
    holder = get_editable(BudgetHolder.objects, actor, pk=holder_id)
    if role != MandateRole.FAMILY_READONLY and not sees_everything(actor):
        raise PermissionDenied
    mandate = Mandate(
        user=user,
        holder=holder,
        role=role,
        valid_from=valid_from,
        valid_to=valid_to,
        representative_kind=representative_kind,
    )
    mandate.full_clean()
    mandate.save()
    return mandate
