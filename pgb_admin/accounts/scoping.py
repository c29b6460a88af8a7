"""Who may see and change which budget holder's data.

Every query that returns holder data starts from ``Model.objects.visible_to(user)`` or
``.editable_by(user)``. Both are defined once, here, in :class:`ScopedQuerySet`; a model only
says where its holder is (``holder_field``) and which of its rows an auditor of a funder may
read (``audited_q``).

- Staff see and change everything (the back office).
- A valid mandate gives access to that holder: holder, representative and bureau may change
  the holder's data, a read-only family member may only look.
- An auditor scope gives read-only access to a funder's holders. Auditors never write.
- Anything else, including an expired mandate, is out of scope: selectors answer 404.
"""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .constants import ACTING_ROLES, MandateRole


class ReadOnlyAccess(PermissionDenied):
    """The user may see the object but not change it (an auditor or a read-only family
    member): a 403, unlike an object out of scope, which is a 404."""

    def __init__(self) -> None:
        super().__init__(_("You may look at this data but not change it."))


def sees_everything(user) -> bool:
    return bool(user and user.is_active and user.is_staff)


def represented_holder_ids(user, *, roles=None) -> models.QuerySet:
    """Ids of the holders for whom the user has a mandate valid today (in the given roles)."""
    from .models import Mandate

    mandates = Mandate.objects.valid_on(timezone.localdate()).filter(user=user)
    if roles is not None:
        mandates = mandates.filter(role__in=roles)
    return mandates.values("holder_id")


def audited_funder_ids(user) -> models.QuerySet:
    """Ids of the funders the user audits today."""
    from .models import AuditorScope

    return AuditorScope.objects.valid_on(timezone.localdate()).filter(user=user).values("funder_id")


class ScopedQuerySet(models.QuerySet):
    #: path from the model to the budget holder's id, e.g. ``"holder_id"``
    holder_field = "holder_id"

    def holder_q(self, holder_ids: models.QuerySet) -> Q:
        """The rows that belong to the holders ``holder_ids``."""
        return Q(**{f"{self.holder_field}__in": holder_ids})

    def audited_q(self, funder_ids: models.QuerySet) -> Q | None:
        """The rows an auditor of ``funder_ids`` may read; ``None`` means none at all."""
        return None

    def visible_to(self, user):
        return self._restrict(user, write=False)

    def editable_by(self, user):
        return self._restrict(user, write=True)

    def with_full_bsn_for(self, user):
        """The rows whose holder's full BSN the user may see: the holder and those who act
        for them. Everyone else, auditors and staff included, sees it masked."""
        if not _is_logged_in(user):
            return self.none()
        return self.filter(self.holder_q(represented_holder_ids(user, roles=ACTING_ROLES)))

    def _restrict(self, user, *, write: bool):
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


def _is_logged_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def get_visible(queryset: ScopedQuerySet, user, **lookup):
    """The object, if the user may see it; otherwise 404 (its existence is not revealed)."""
    try:
        return queryset.visible_to(user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404(_("Not found.")) from None


def get_editable(queryset: ScopedQuerySet, user, **lookup):
    """The object, if the user may change it; 403 if they may only look; otherwise 404."""
    try:
        return queryset.editable_by(user).get(**lookup)
    except queryset.model.DoesNotExist:
        if queryset.visible_to(user).filter(**lookup).exists():
            raise ReadOnlyAccess from None
        raise Http404(_("Not found.")) from None


def is_auditor(user) -> bool:
    """Whether the user audits a funder today (staff are not auditors, whatever their scopes)."""
    from .models import AuditorScope

    if not _is_logged_in(user) or sees_everything(user):
        return False
    return AuditorScope.objects.valid_on(timezone.localdate()).filter(user=user).exists()


def refuse_auditors(user) -> None:
    """Auditors never write, also not where no single holder is concerned (a new holder, an
    export of a period)."""
    if is_auditor(user):
        raise ReadOnlyAccess


def can_see_full_bsn(user, holder) -> bool:
    from pgb_admin.budgets.models import BudgetHolder

    return BudgetHolder.objects.filter(pk=holder.pk).with_full_bsn_for(user).exists()
