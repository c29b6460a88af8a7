"""Reading the access log: a holder (and those who act for them) sees who looked at their data;
a log manager searches all of it. A log manager's search is itself logged."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pgb_admin.accounts.models import AuditorScope
from pgb_admin.accounts.scoping import AnyUser, get_visible, sees_everything
from pgb_admin.budgets.models import BudgetHolder
from pgb_admin.budgets.naming import auditor_title, funder_title

from .events import log_reads
from .models import AccessEvent, Action, Role

SEARCH_PERMISSION = "audit.view_accessevent"
FILES = {"evidence_pack": gettext_lazy("evidence pack"), "report_file": gettext_lazy("report file")}


def holder_log(
    *,
    user: AnyUser,
    holder_id: int,
    since: date | None = None,
    until: date | None = None,
    role: str = "",
) -> QuerySet[AccessEvent]:
    """What others did with the holder's data, newest first, from ``since`` to ``until`` and
    by readers of one ``role`` when given (404 for a holder out of scope; only the holder and
    those who act for them may read it)."""
    holders = BudgetHolder.objects.all()
    if not sees_everything(user):
        holders = holders.with_full_bsn_for(user)
    holder = get_visible(holders, user, pk=holder_id)
    events = AccessEvent.objects.for_holder(holder.pk).exclude(user_pk=user.pk)
    return _filtered(events, since=since, until=until, role=role)


def _filtered(
    events: QuerySet[AccessEvent], *, since: date | None, until: date | None, role: str
) -> QuerySet[AccessEvent]:
    if role:
        events = events.filter(role=role)
    if since:
        events = events.filter(at__gte=_start_of(since))
    if until:
        events = events.filter(at__lt=_start_of(until + timedelta(days=1)))
    return events


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
    holder_name: str = "",
) -> QuerySet[AccessEvent]:
    """The log as a log manager filters it (``holder_name``: any holder whose first name or
    surname holds it); the search is logged with what it asked for."""
    if not can_search(user):
        raise PermissionDenied(_("Only log managers may search the access log."))
    events: QuerySet[AccessEvent] = AccessEvent.objects.all()
    if username:
        events = events.filter(username__iexact=username)
    if holder is not None:
        events = events.filter(holder_pk=holder)
    if holder_name:
        named = BudgetHolder.objects.filter(
            Q(surname__icontains=holder_name) | Q(first_name__icontains=holder_name)
        )
        events = events.filter(holder_pk__in=named.values("pk"))
    if action:
        events = events.filter(action=action)
    if request_id:
        events = events.filter(request_id=request_id)
    events = _filtered(events, since=since, until=until, role=role)
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


#: the pages of :func:`pgb_admin.core.web.holder_access` (``page:<name>``) as their titles
PAGE_NAMES = {
    "home": gettext_lazy("Budget holders"),
    "dashboard": gettext_lazy("Dashboard"),
    "holder_details": gettext_lazy("Details"),
    "grant": gettext_lazy("Grant"),
    "providers": gettext_lazy("Care providers"),
    "provider_new": gettext_lazy("Care providers"),
    "agreements": gettext_lazy("Care agreements"),
    "agreement_new": gettext_lazy("Care agreements"),
    "agreement": gettext_lazy("Care agreement"),
    "declarations": gettext_lazy("Declarations"),
    "declaration": gettext_lazy("Declaration"),
    "batches": gettext_lazy("Entry aids and declarations"),
    "weekly_totals": gettext_lazy("Weekly totals"),
    "costs": gettext_lazy("Costs"),
    "week": gettext_lazy("Week"),
    "access_log": gettext_lazy("Who looked"),
    "bureau_console": gettext_lazy("Bureau console"),
    "documents": gettext_lazy("Archive"),
    "document": gettext_lazy("Document in the archive"),
    "document_upload": gettext_lazy("Add a document"),
}
#: the reports (``report:<name>``, a chart or file of it after a second colon)
REPORT_NAMES = {
    "dashboard": gettext_lazy("Dashboard"),
    "municipality": gettext_lazy("Audit report"),
    "municipality_page": gettext_lazy("Audit report"),
    "municipality_task": gettext_lazy("Audit report"),
    "municipality_chart": gettext_lazy("Charts"),
    "municipality_file": gettext_lazy("Downloads"),
}


def describe(event: AccessEvent) -> str:
    """What was looked at or changed, in words: a model's name, a page or a report."""
    if event.what in FILES:
        return str(FILES[event.what])
    kind, _sep, name = event.what.partition(":")
    if kind == "page":
        return _("page “%(name)s”") % {"name": PAGE_NAMES.get(name, name)}
    if kind == "report":
        report = name.partition(":")[0]
        return _("report “%(name)s”") % {"name": REPORT_NAMES.get(report, name)}
    if kind == "import":
        return _("import of “%(name)s”") % {"name": name}
    if kind in ("export", "file"):
        return _("file “%(name)s”") % {"name": name}
    try:
        return str(apps.get_model(event.what)._meta.verbose_name_plural)
    except (LookupError, ValueError):
        return event.what


def auditor_titles(user_pks: Iterable[int]) -> dict[int, str]:
    """Each auditor as the funders they audit ("Controleur van Gemeente Assen"), not their
    user name: one query for any number of them."""
    funders: dict[int, list[str]] = {}
    scopes = (
        AuditorScope.objects.filter(user_id__in=set(user_pks))
        .select_related("funder")
        .order_by("funder__name", "pk")
    )
    for scope in scopes:
        titles = funders.setdefault(scope.user_id, [])
        title = funder_title(scope.funder.name, scope.funder.kind)
        if title not in titles:
            titles.append(title)
    return {pk: auditor_title(titles) for pk, titles in funders.items()}


@dataclass(frozen=True)
class LogLine:
    """An entry as a page shows it: who in words (an auditor by their funders), what in
    words and, for the log manager, the holder's name."""

    event: AccessEvent
    who: str
    description: str
    holder_name: str = ""


def with_words(events: list[AccessEvent], *, holder_names: bool = False) -> list[LogLine]:
    """The events of a page as :class:`LogLine`: two queries at most, whatever the page
    holds (the auditors' funders; for the log manager, the holders' names)."""
    auditors = auditor_titles(
        event.user_pk for event in events if event.role == Role.AUDITOR and event.user_pk
    )
    names: dict[int, str] = {}
    if holder_names:
        holders = BudgetHolder.objects.filter(
            pk__in={event.holder_pk for event in events if event.holder_pk}
        ).only("pk", "first_name", "initials", "surname")
        names = {holder.pk: holder.display_name for holder in holders}
    return [
        LogLine(
            event=event,
            who=_who(event, auditors),
            description=describe(event),
            holder_name=names.get(event.holder_pk, "") if event.holder_pk else "",
        )
        for event in events
    ]


def _who(event: AccessEvent, auditors: dict[int, str]) -> str:
    if event.role == Role.AUDITOR:
        return (auditors.get(event.user_pk) if event.user_pk else None) or auditor_title([])
    return event.username or _("the system")
