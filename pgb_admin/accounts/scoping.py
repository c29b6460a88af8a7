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

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, Self, TypeAlias, TypeGuard, TypeVar, cast

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.db.models import Q, Value
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


def granted_agreement_ids(user: AnyUser) -> models.QuerySet[Any, Any]:
    """Ids of the care agreements a provider's login reaches today (their provider accesses).
    A provider access is no mandate: ``visible_to`` and ``editable_by`` never follow it, so a
    provider sees none of the holder's data through them; the provider's pages read through
    :meth:`ScopedQuerySet.granted_to` only."""
    from .models import ProviderAccess

    if not _is_logged_in(user):
        return ProviderAccess.objects.none().values("agreement_id")
    return (
        ProviderAccess.objects.valid_on(timezone.localdate())
        .filter(user=user)
        .values("agreement_id")
    )


def is_provider(user: AnyUser) -> bool:
    """Whether the user logs in as a care provider today (has a valid provider access)."""
    return _is_logged_in(user) and granted_agreement_ids(user).exists()


@dataclass(frozen=True)
class UserScope:
    """What a user may see today, resolved once: their mandates (holder id to roles) and the
    funders they audit. Within a request (:func:`scopes_cached_per_request`) the access log
    takes the roles from it and reads are scoped by it without asking again whether the user
    audits anyone."""

    mandates: dict[int, tuple[str, ...]]
    audited_funders: tuple[int, ...]


#: the scopes resolved in this request, by user id; None outside a request
_request_scopes: ContextVar[dict[int, UserScope] | None] = ContextVar(
    "request_scopes", default=None
)
# marks an auditor scope's row among the mandates' in the one query of resolve_scope
_AUDITS = "@audits"


@contextmanager
def scopes_cached_per_request() -> Iterator[None]:
    """Within the block (a request), each user's scope is resolved once and reused."""
    token = _request_scopes.set({})
    try:
        yield
    finally:
        _request_scopes.reset(token)


def forget_request_scopes(**kwargs: Any) -> None:
    """A mandate or an auditor scope changed: what this request resolved may be out of date."""
    cached = _request_scopes.get()
    if cached:
        cached.clear()


def request_scope(user: AnyUser) -> UserScope | None:
    """The user's scope resolved once in this request; None outside a request and for users
    whose reads are not restricted by mandates (anonymous, inactive, staff)."""
    cached = _request_scopes.get()
    if cached is None or not _is_logged_in(user) or sees_everything(user):
        return None
    scope = cached.get(user.pk)
    if scope is None:
        scope = cached[user.pk] = resolve_scope(user)
    return scope


def resolve_scope(user: User) -> UserScope:
    """The user's mandates and audited funders valid today, in one query."""
    from .models import AuditorScope, Mandate

    today = timezone.localdate()
    mandates = (
        Mandate.objects.valid_on(today)
        .filter(user=user)
        .order_by()  # a part of a UNION has no order of its own
        .values_list("holder_id", "role")
    )
    audits = (
        AuditorScope.objects.valid_on(today)
        .filter(user=user)
        .annotate(kind=Value(_AUDITS))
        .order_by()
        .values_list("funder_id", "kind")
    )
    roles: dict[int, tuple[str, ...]] = {}
    funders: list[int] = []
    for pk, role in mandates.union(audits, all=True):
        if role == _AUDITS:
            funders.append(pk)
        else:
            roles[pk] = (*roles.get(pk, ()), role)
    return UserScope(mandates=roles, audited_funders=tuple(sorted(set(funders))))


class ScopedQuerySet(models.QuerySet[_M]):
    #: path from the model to the budget holder's id, e.g. ``"holder_id"``; ``None`` for rows
    #: of no one holder, whose queryset overrides ``holder_q``
    holder_field: str | None = "holder_id"

    #: path from the model to the care agreement's id, for the rows a care provider's login
    #: may see (:meth:`granted_to`); ``None`` for what a provider never sees
    agreement_field: str | None = None

    def granted_to(self, user: AnyUser) -> Self:
        """The rows of the agreements granted to a care provider's login today: the one
        place a provider's reads are scoped. Models without ``agreement_field`` give none."""
        if self.agreement_field is None:
            return self.none()
        return self.filter(**{f"{self.agreement_field}__in": granted_agreement_ids(user)})

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
        scope = None if write else request_scope(user)
        if scope is not None:
            return self._readable_in(user, scope)
        roles = ACTING_ROLES if write else list(MandateRole)
        condition = self.holder_q(represented_holder_ids(user, roles=roles))
        if not write:
            audited = self.audited_q(audited_funder_ids(user))
            if audited is not None:
                condition |= audited
        return self.filter(condition)

    def _readable_in(self, user: User, scope: UserScope) -> Self:
        """``visible_to`` with what was resolved once for the request: only the branches the
        user has (mandates, audits), the audited funders' ids as a list (``audited_q`` takes it
        as its queryset). The holders stay a subquery: a bureau's hundreds of ids as
        parameters cost more to compile and send than the database takes to find them."""
        condition: Q | None = None
        if scope.mandates:
            condition = self.holder_q(represented_holder_ids(user, roles=list(MandateRole)))
        if scope.audited_funders:
            audited = self.audited_q(cast(Any, list(scope.audited_funders)))
            if audited is not None:
                condition = audited if condition is None else condition | audited
        return self.none() if condition is None else self.filter(condition)


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
