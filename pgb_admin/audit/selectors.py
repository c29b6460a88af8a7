"""Reading the access log: a holder (and those who act for them) sees who looked at their data;
a log manager searches all of it. A log manager's search is itself logged."""

from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pgb_admin.accounts.scoping import AnyUser, get_visible, sees_everything
from pgb_admin.budgets.models import BudgetHolder

from .events import log_reads
from .models import AccessEvent, Action

SEARCH_PERMISSION = "audit.view_accessevent"
FILES = {"evidence_pack": gettext_lazy("evidence pack"), "report_file": gettext_lazy("report file")}


def holder_log(*, user: AnyUser, holder_id: int) -> QuerySet[AccessEvent]:
    """What others did with the holder's data, newest first (404 for a holder out of scope;
    only the holder and those who act for them may read it)."""
    holders = BudgetHolder.objects.all()
    if not sees_everything(user):
        holders = holders.with_full_bsn_for(user)
    holder = get_visible(holders, user, pk=holder_id)
    return AccessEvent.objects.for_holder(holder.pk).exclude(user_pk=user.pk)


def can_search(user: AnyUser) -> bool:
    return user.is_active and user.has_perm(SEARCH_PERMISSION)


def search(
    *,
    user: AnyUser,
    username: str = "",
    holder: int | None = None,
    action: str = "",
    role: str = "",
    request_id: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AccessEvent]:
    """The log as a log manager filters it; the search is logged with what it asked for."""
    if not can_search(user):
        raise PermissionDenied(_("Only log managers may search the access log."))
    events = AccessEvent.objects.all()
    if username:
        events = events.filter(username__iexact=username)
    if holder is not None:
        events = events.filter(holder_pk=holder)
    if action:
        events = events.filter(action=action)
    if role:
        events = events.filter(role=role)
    if request_id:
        events = events.filter(request_id=request_id)
    if since:
        events = events.filter(at__gte=_start_of(since))
    if until:
        events = events.filter(at__lt=_start_of(until + timedelta(days=1)))
    log_reads(
        user=user,
        action=Action.SEARCH,
        what=AccessEvent._meta.label,
        holder_counts={holder: events.count()},
        everyone=True,
    )
    return events


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def describe(event: AccessEvent) -> str:
    """What was looked at or changed, in words: a model's name, a page or a report."""
    if event.what in FILES:
        return str(FILES[event.what])
    kind, _sep, name = event.what.partition(":")
    if kind == "page":
        return _("page “%(name)s”") % {"name": name}
    if kind == "report":
        return _("report “%(name)s”") % {"name": name}
    if kind == "import":
        return _("import of “%(name)s”") % {"name": name}
    if kind in ("export", "file"):
        return _("file “%(name)s”") % {"name": name}
    try:
        return str(apps.get_model(event.what)._meta.verbose_name_plural)
    except (LookupError, ValueError):
        return event.what
