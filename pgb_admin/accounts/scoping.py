"""Who may see and change which budget holder's data.

Every query that returns holder data starts from ``Model.objects.visible_to(user)`` or
``.editable_by(user)``. Both are defined once, here, in :class:`ScopedQuerySet`; a model only
says where its holder is (``holder_field``) and which of its rows an auditor of a funder may
read (``audited_q``).

- Staff see and change everything (the back office).
- A valid mandate gives access to that holder: holder, representative and bureau may change
  the holder's data, a read-only family member may only look.
- An auditor scope gives read-only access to a funder's holders. Auditors never write.
- Anything else, including an expired mandate, is out of scope: ``NotFound``, which pages and
  the API answer with a 404.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeAlias, TypeGuard, TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pgb_admin.core.errors import NotFound

from .constants import ACTING_ROLES, MandateRole

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from pgb_admin.budgets.models import BudgetHolder

    from .models import User

#: whom a query is scoped for: ``request.user``, or the unsaved system user of the commands
AnyUser: TypeAlias = "User | AnonymousUser"

_M = TypeVar("_M", bound=models.Model)
_M_co = TypeVar("_M_co", bound=models.Model, covariant=True)


class ReadOnlyAccess(PermissionDenied):
    """The user may see the object but not change it (an auditor or a read-only family
    member): a 403, unlike an object out of scope, which is a 404."""

    def __init__(self) -> None:
        super().__init__(_("You may look at this data but not change it."))


def sees_everything(user: AnyUser | None) -> bool:
    return bool(user and user.is_active and user.is_staff)


def represented_holder_ids(
    user: User, *, roles: Collection[str] | None = None
) -> models.QuerySet[Any, Any]:
    """Ids of the holders for whom the user has a mandate valid today (in the given roles)."""
    from .models import Mandate

    mandates = Mandate.objects.valid_on(timezone.localdate()).filter(user=user)
    if roles is not None:
        mandates = mandates.filter(role__in=roles)
    return mandates.values("holder_id")


def audited_funder_ids(user: User) -> models.QuerySet[Any, Any]:
    """Ids of the funders the user audits today."""
    from .models import AuditorScope

    return AuditorScope.objects.valid_on(timezone.localdate()).filter(user=user).values("funder_id")


class ScopedQuerySet(models.QuerySet[_M]):
    #: path from the model to the budget holder's id, e.g. ``"holder_id"``; ``None`` for rows
    #: of no one holder, whose queryset overrides ``holder_q``
    holder_field: str | None = "holder_id"

    def holder_q(self, holder_ids: models.QuerySet[Any, Any]) -> Q:
        """The rows that belong to the holders ``holder_ids``."""
        if self.holder_field is None:
            raise NotImplementedError(f"{type(self).__name__} belongs to no one holder")
        return Q(**{f"{self.holder_field}__in": holder_ids})

    def audited_q(self, funder_ids: models.QuerySet[Any, Any]) -> Q | None:
        """The rows an auditor of ``funder_ids`` may read; ``None`` means none at all."""
        return None

    def visible_to(self, user: AnyUser) -> Self:
        return self._restrict(user, write=False)

    def editable_by(self, user: AnyUser) -> Self:
        return self._restrict(user, write=True)

    def with_full_bsn_for(self, user: AnyUser) -> Self:
        """The rows whose holder's full BSN the user may see: the holder and those who act
        for them. Everyone else, auditors and staff included, sees it masked."""
        if not _is_logged_in(user):
            return self.none()
        return self.filter(self.holder_q(represented_holder_ids(user, roles=ACTING_ROLES)))

    def _restrict(self, user: AnyUser, *, write: bool) -> Self:
        if not _is_logged_in(user):
            return self.none()
        if sees_everything(user):
            return self
        roles = ACTING_ROLES if write else list(MandateRole)
        condition = self.holder_q(represented_holder_ids(user, roles=roles))
        if not write:
            audited = self.audited_q(audited_funder_ids(user))
            if audited is not None:
                condition |= audited
        return self.filter(condition)


def _is_logged_in(user: AnyUser | None) -> TypeGuard[User]:
    return bool(user and user.is_authenticated and user.is_active)


class Scoped(Protocol[_M_co]):
    """A scoped queryset, or the manager made from one (``Model.objects``). The model's type
    is read from ``model``: the manager's copies of the ``Self``-typed methods lose it."""

    @property
    def model(self) -> type[_M_co]: ...

    def visible_to(self, user: AnyUser) -> models.QuerySet[Any]: ...

    def editable_by(self, user: AnyUser) -> models.QuerySet[Any]: ...


def get_visible(queryset: Scoped[_M], user: AnyUser, **lookup: Any) -> _M:
    """The object, if the user may see it; otherwise :class:`NotFound` (its existence is not
    revealed)."""
    try:
        found: _M = queryset.visible_to(user).get(**lookup)
    except ObjectDoesNotExist:
        raise NotFound(_("Not found.")) from None
    return found


def get_editable(queryset: Scoped[_M], user: AnyUser, **lookup: Any) -> _M:
    """The object, if the user may change it; 403 if they may only look; otherwise
    :class:`NotFound`."""
    try:
        found: _M = queryset.editable_by(user).get(**lookup)
    except ObjectDoesNotExist:
        if queryset.visible_to(user).filter(**lookup).exists():
            raise ReadOnlyAccess from None
        raise NotFound(_("Not found.")) from None
    return found


def is_auditor(user: AnyUser) -> bool:
    """Whether the user audits a funder today (staff are not auditors, whatever their scopes)."""
    from .models import AuditorScope

    if not _is_logged_in(user) or sees_everything(user):
        return False
    return AuditorScope.objects.valid_on(timezone.localdate()).filter(user=user).exists()


def refuse_auditors(user: AnyUser) -> None:
    """Auditors never write, also not where no single holder is concerned (a new holder, an
    export of a period)."""
    if is_auditor(user):
        raise ReadOnlyAccess


def can_see_full_bsn(user: AnyUser, holder: BudgetHolder) -> bool:
    from pgb_admin.budgets.models import BudgetHolder

    return BudgetHolder.objects.filter(pk=holder.pk).with_full_bsn_for(user).exists()
