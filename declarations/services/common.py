"""What the services of hours, declarations and batches share: how they word a refusal, how
they read a number a person typed, and how they log changes made without ``save()``."""

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from contracts.models import CareAgreement
from pgb_admin.accounts.models import User
from pgb_admin.audit.events import log_changes
from pgb_admin.audit.models import Action
from pgb_admin.core.errors import Conflict

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def field_error(field: str, message: "StrOrPromise", code: str, **params: Any) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params)})


def conflict(field: str, message: "StrOrPromise", code: str, **params: Any) -> Conflict:
    """The change is refused because of the state it meets (an exported declaration)."""
    return Conflict({field: ValidationError(message, code=code, params=params)})


def parse_quantity(value: object, field: str = "quantity") -> Decimal:
    """A number as typed by a person: '7,5', '7.50' or 7.5 (never a float in storage)."""
    if isinstance(value, Decimal):
        number = value
    else:
        text = str(value).strip().replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise field_error(
                field, _("%(value)s is not a number."), "not_a_number", value=value
            ) from None
    if not number.is_finite():
        raise field_error(field, _("%(value)s is not a number."), "not_a_number", value=value)
    return number


def log_bulk(actor: User, action: Action, model: type[models.Model], holder_ids: list[int]) -> None:
    """Changes made without ``save()`` (which the change log sees): one access-log row per
    holder with how many rows changed."""
    if holder_ids:
        log_changes(user=actor, action=action, what=model._meta.label, holder_ids=holder_ids)


def holders_of_agreements(agreement_ids: list[int]) -> list[int]:
    holder_of = dict(
        CareAgreement.objects.filter(pk__in=set(agreement_ids)).values_list("pk", "holder_id")
    )
    return [holder_of[agreement_id] for agreement_id in agreement_ids]
