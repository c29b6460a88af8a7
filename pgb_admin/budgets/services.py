"""Changes to budget holders and their grants. Each function is one transaction, checks that
the actor may make the change (404 out of scope, 403 read-only) and validates the model before
saving, so a page, the API, a command and a task all get the same errors."""

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pgb_admin.accounts.constants import ACTING_ROLES, MandateRole
from pgb_admin.accounts.models import Mandate, User
from pgb_admin.accounts.scoping import (
    get_editable,
    refuse_auditors,
    represented_holder_ids,
    sees_everything,
)
from pgb_admin.audit.events import log_changes
from pgb_admin.audit.models import Action
from pgb_admin.core.errors import NotFound
from pgb_admin.core.validators import normalize_bsn

from .models import (
    Budget,
    BudgetHolder,
    CareProduct,
    FreeAmountClaim,
    Funder,
    HolderAdmission,
    Indication,
)
from .selectors import free_amounts


@transaction.atomic
def holder_create(
    *,
    actor: User,
    role: str,
    initials: str,
    surname: str,
    bsn: str,
    date_of_birth: date,
    funders: Sequence[Funder] = (),
    first_name: str = "",
    svb_client_number: str = "",
    representative_kind: str = "",
    postcode: str = "",
    house_number: str = "",
    date_of_death: date | None = None,
    cak_exemption: str = "",
) -> BudgetHolder:
    """Register a budget holder and give the actor a mandate for them in ``role`` (the holder
    themselves, a representative or, for a pgb bureau, the bureau). Auditors cannot register
    holders; only staff set funders (otherwise they follow from the grants).

    A BSN already registered for a holder the actor does not act for is not refused: that
    would tell anyone whether a person is registered. The new holder is then a held copy of
    the registered one (``duplicate_of``), which the actor works with like any new holder, out
    of every auditor's scope, until the back office resolves it (:func:`held_copy_merge`,
    :func:`held_copy_reject`)."""
    if not actor.is_authenticated:
        raise PermissionDenied
    refuse_auditors(actor)
    if MandateRole(role) not in ACTING_ROLES:
        raise PermissionDenied
    _check_self_service_registration(actor, role=role, funders=funders)
    holder = BudgetHolder(
        initials=initials,
        first_name=first_name,
        surname=surname,
        bsn=bsn,
        date_of_birth=date_of_birth,
        svb_client_number=svb_client_number,
        postcode=postcode,
        house_number=house_number,
        date_of_death=date_of_death,
        cak_exemption=cak_exemption,
        duplicate_of=_registered_out_of_sight(actor, bsn),
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


def _check_self_service_registration(actor: User, *, role: str, funders: Sequence[Funder]) -> None:
    """Staff register as they like; anyone else registers themselves or someone they
    represent, as a bureau only when they work for a pgb bureau, and without funders."""
    if sees_everything(actor):
        return
    errors: dict[str, ValidationError] = {}
    if role == MandateRole.BUREAU and not _acts_as_bureau(actor):
        errors["role"] = ValidationError(
            _(
                "Only a pgb bureau registers a holder as their bureau: your account acts for "
                "no holder as a bureau. Register as the holder or as their representative."
            ),
            code="bureau_role_not_allowed",
        )
    if funders:
        errors["funders"] = ValidationError(
            _(
                "A holder's funders follow from the grants registered for them: register the "
                "grant instead."
            ),
            code="funders_from_grants",
        )
    if errors:
        raise ValidationError(errors)


def _acts_as_bureau(user: User) -> bool:
    return represented_holder_ids(user, roles=[MandateRole.BUREAU]).exists()


def _registered_out_of_sight(actor: User, bsn: str) -> BudgetHolder | None:
    """The registered holder with this BSN when the actor does not see it (the new holder is
    then a copy of it); None for a new BSN, and for a holder whose full BSN the actor sees
    or who is staff: they are told it exists (a duplicate) without learning anything."""
    if not bsn or sees_everything(actor):
        return None
    same_bsn = BudgetHolder.objects.with_bsn(bsn)
    if same_bsn.with_full_bsn_for(actor).exists():
        return None
    return same_bsn.registered().first()


HOLDER_EDITABLE_FIELDS = frozenset(
    {
        "initials",
        "first_name",
        "surname",
        "bsn",
        "date_of_birth",
        "svb_client_number",
        "postcode",
        "house_number",
        "date_of_death",
        "cak_exemption",
    }
)


@transaction.atomic
def holder_update(*, actor: User, holder_id: int, **changes: Any) -> BudgetHolder:
    unknown = set(changes) - HOLDER_EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"holder_update() cannot change {', '.join(sorted(unknown))}")
    holder = get_editable(BudgetHolder.objects.select_for_update(), actor, pk=holder_id)
    if "bsn" in changes:
        _check_bsn_change(actor, holder, changes["bsn"])
    for field, value in changes.items():
        setattr(holder, field, value)
    holder.full_clean()
    holder.save()
    return holder


def _check_bsn_change(actor: User, holder: BudgetHolder, bsn: str | None) -> None:
    """Only the back office changes a BSN, after checking the person's identity: the answer
    to another BSN (taken or not) would tell whether that person is registered."""
    if sees_everything(actor) or normalize_bsn(bsn or "") == holder.bsn:
        return
    raise ValidationError(
        {
            "bsn": ValidationError(
                _(
                    "A BSN is changed by the back office, after checking the holder's "
                    "identity: ask them to correct it."
                ),
                code="bsn_change_by_back_office",
            )
        }
    )


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
    svb_payroll: bool = False,
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
        svb_payroll=svb_payroll,
    )
    budget.full_clean()
    budget.save()
    budget.products.set(products)
    holder.funders.add(funder)
    return budget


BUDGET_EDITABLE_FIELDS = frozenset(
    {"start_date", "end_date", "amount", "decision_date", "decision_reference", "svb_payroll"}
)


@transaction.atomic
def budget_update(
    *,
    actor: User,
    budget_id: int,
    products: Iterable[CareProduct] | None = None,
    **changes: Any,
) -> Budget:
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
    for indication in budget.indications.all():
        indication.budget = budget  # the grant as changed, not as stored
        indication.full_clean()
    return budget


@transaction.atomic
def indication_create(
    *,
    actor: User,
    budget_id: int,
    product: CareProduct,
    hours: Decimal,
    per: str,
    valid_from: date,
    valid_to: date | None = None,
) -> Indication:
    """Register the hours of a care product the grant's decision indicates (e.g. 3 hours of
    household help a week), for one of the grant's products and within its period."""
    budget = get_editable(Budget.objects.select_for_update(), actor, pk=budget_id)
    indication = Indication(
        budget=budget,
        product=product,
        hours=hours,
        per=per,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    indication.full_clean()
    indication.save()
    return indication


@transaction.atomic
def admission_create(
    *,
    actor: User,
    holder_id: int,
    kind: str,
    valid_from: date,
    valid_to: date | None = None,
    note: str = "",
) -> HolderAdmission:
    """Register a stay of the holder in a hospital or a Wlz institution (open-ended while it
    lasts): no care at home is expected meanwhile."""
    holder = get_editable(BudgetHolder.objects, actor, pk=holder_id)
    admission = HolderAdmission(
        holder=holder, kind=kind, valid_from=valid_from, valid_to=valid_to, note=note
    )
    admission.full_clean()
    admission.save()
    return admission


@transaction.atomic
def admission_end(*, actor: User, admission_id: int, valid_to: date) -> HolderAdmission:
    """Set the last day of a stay (the day of discharge)."""
    try:
        admission = HolderAdmission.objects.select_for_update().get(pk=admission_id)
    except HolderAdmission.DoesNotExist:
        raise NotFound(_("Not found.")) from None
    get_editable(BudgetHolder.objects, actor, pk=admission.holder_id)
    admission.valid_to = valid_to
    admission.full_clean()
    admission.save(update_fields=["valid_to"])
    return admission


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


@transaction.atomic
def held_copy_merge(*, actor: User, copy_id: int) -> BudgetHolder:
    """The back office checked that who registered the held copy may act for the registered
    holder: whoever holds a mandate for the copy today gets the same one for the registered
    holder, and the copy is removed. Refused while the copy holds data of its own (grants,
    providers, agreements …): that data would be lost, or go to the registered holder unseen."""
    copy, registered = _held_copy(actor, copy_id)
    _refuse_if_copy_holds_data(copy)
    today = timezone.localdate()
    for mandate in copy.mandates.valid_on(today):
        moved = Mandate(
            user=mandate.user,
            holder=registered,
            role=mandate.role,
            representative_kind=mandate.representative_kind,
            valid_from=today,
            valid_to=mandate.valid_to,
        )
        moved.full_clean()
        moved.save()
    _remove_copy(actor, copy, what="held_copy_merged")
    return registered


@transaction.atomic
def held_copy_reject(*, actor: User, copy_id: int) -> BudgetHolder:
    """The back office found that who registered the held copy may not act for the registered
    holder (a second holder with one BSN is not possible): the copy and the access to it are
    removed. Refused while the copy holds data of its own, which must be dealt with first."""
    copy, registered = _held_copy(actor, copy_id)
    _refuse_if_copy_holds_data(copy)
    _remove_copy(actor, copy, what="held_copy_rejected")
    return registered


def _held_copy(actor: User, copy_id: int) -> tuple[BudgetHolder, BudgetHolder]:
    """The held copy, locked, and the registered holder it copies."""
    if not sees_everything(actor):
        raise PermissionDenied
    try:
        holder = BudgetHolder.objects.select_for_update().get(pk=copy_id)
    except BudgetHolder.DoesNotExist:
        raise NotFound(_("Not found.")) from None
    if holder.duplicate_of is None:
        raise ValidationError(
            _("%(holder)s is a registered holder, not a held copy."),
            code="not_a_held_copy",
            params={"holder": holder},
        )
    return holder, holder.duplicate_of


def _refuse_if_copy_holds_data(copy: BudgetHolder) -> None:
    kinds = _data_of(copy)
    if kinds:
        raise ValidationError(
            _(
                "The held copy %(holder)s holds data of its own already (%(kinds)s): move or "
                "remove that data first."
            ),
            code="held_copy_has_data",
            params={"holder": copy, "kinds": ", ".join(kinds)},
        )


def _data_of(holder: BudgetHolder) -> list[str]:
    """The kinds of data registered for the holder, besides who has access (mandates)."""
    kinds = []
    for relation in holder._meta.related_objects:
        model = relation.field.model  # the model on the other side (related_model)
        # a task run that mentions the holder (many-to-many) is bookkeeping, not its data
        if model in (Mandate, BudgetHolder) or relation.many_to_many:
            continue
        if model._base_manager.filter(**{relation.field.name: holder}).exists():
            kinds.append(str(model._meta.verbose_name_plural))
    return kinds


def _remove_copy(actor: User, copy: BudgetHolder, *, what: str) -> None:
    """The copy goes, with its mandates (each in the change log); the registered holder's
    access log says that a copy of them was resolved, and how."""
    log_changes(
        user=actor,
        action=Action.DELETE,
        what=what,
        holder_ids=[copy.duplicate_of_id],
        object_pk=copy.pk,
    )
    copy.delete()


@transaction.atomic
def free_amount_claim_create(
    *, actor: User, budget_id: int, paid_on: date, amount: Decimal, description: str = ""
) -> FreeAmountClaim:
    """Record money of a Wlz or Zvw grant's verantwoordingsvrij bedrag paid to the holder's
    own account. Only within the grant's period and what is left of the bedrag (the grant is
    locked meanwhile, so two claims at once cannot both take the last euros)."""
    budget = get_editable(Budget.objects.select_for_update(), actor, pk=budget_id)
    claim = FreeAmountClaim(budget=budget, paid_on=paid_on, amount=amount, description=description)
    claim.full_clean()
    free = free_amounts([budget]).get(budget.pk)
    if free is None:
        raise ValidationError(
            _("Only a Wlz or Zvw grant has a verantwoordingsvrij bedrag."), code="no_free_amount"
        )
    if free.allowed is None or free.remaining is None:
        raise ValidationError(
            _(
                "No verantwoordingsvrij figure is registered for this grant's scheme and start: "
                "the bedrag is not known, so no claim can be checked."
            ),
            code="free_amount_unknown",
        )
    errors = {}
    if not budget.start_date <= paid_on <= budget.end_date:
        errors["paid_on"] = ValidationError(
            _("The date is outside the grant's period."), code="outside_grant"
        )
    if amount > free.remaining:
        errors["amount"] = ValidationError(
            _("Only %(remaining)s of the verantwoordingsvrij bedrag is left."),
            code="free_amount_exceeded",
            params={"remaining": f"€ {free.remaining}"},
        )
    if errors:
        raise ValidationError(errors)
    claim.save()
    return claim
