"""Writing the access log. Call :func:`log_reads` where holder data is read, listed, searched,
exported or imported, and :func:`log_changes` where it is changed in bulk; single-object changes
are logged by the change log's ``post_log`` signal (see :func:`log_change_entry`), against
each holder they reach. Every call writes in the caller's transaction, so a change that is
rolled back leaves no row, and a row is never missing for a change that was kept. Two kinds of
read are written with their real outcome: a page (:func:`log_page_read`, written when the
response is known) and a read refused for the holder a request named (:func:`log_refused`).

Where from and which request come from :class:`~pgb_admin.audit.middleware.AccessContextMiddleware`;
commands and tasks have neither."""

from collections import Counter
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.utils import timezone

from pgb_admin.accounts.constants import MandateRole
from pgb_admin.accounts.scoping import (
    audited_funder_ids,
    is_provider,
    request_scope,
    sees_everything,
)
from pgb_admin.core.bulk import insert_rows

from .models import AccessEvent, Action, Outcome, Purpose, Role


@dataclass(frozen=True)
class RequestContext:
    remote_addr: str | None = None
    request_id: str = ""
    roles: dict = field(default_factory=dict, compare=False)  # user id -> holder id -> role
    # page reads whose outcome the response decides (see log_page_read)
    page_reads: list = field(default_factory=list, compare=False)


NO_REQUEST = RequestContext()  # a command or a task
request_context: ContextVar[RequestContext | None] = ContextVar(
    "access_request_context", default=None
)

#: roles whose reads are logged: those who look at another person's data
LOGGED_READERS = frozenset(
    {Role.BUREAU, Role.FAMILY_READONLY, Role.AUDITOR, Role.STAFF, Role.PROVIDER, Role.OTHER}
)

PURPOSE_OF_ROLE = {
    Role.HOLDER: Purpose.OWN_ADMINISTRATION,
    Role.REPRESENTATIVE: Purpose.OWN_ADMINISTRATION,
    Role.BUREAU: Purpose.ON_MANDATE,
    Role.FAMILY_READONLY: Purpose.INFORMATION,
    Role.AUDITOR: Purpose.AUDIT,
    Role.PROVIDER: Purpose.CARE_PROVIDED,
    Role.STAFF: Purpose.SUPPORT,
    Role.SYSTEM: Purpose.PROCESSING,
    Role.OTHER: Purpose.SUPPORT,
}

# the strongest mandate wins when a user holds several for one holder
_MANDATE_ORDER: list[str] = [
    MandateRole.HOLDER,
    MandateRole.REPRESENTATIVE,
    MandateRole.BUREAU,
    MandateRole.FAMILY_READONLY,
]


def roles_of(user, holder_ids: Iterable[int | None]) -> dict[int | None, Role]:
    """The role ``user`` has towards each holder: two queries for any number of holders, and
    none for holders already seen in this request (a change of many rows asks per row)."""
    holder_ids = set(holder_ids)
    if not getattr(user, "pk", None):
        return dict.fromkeys(holder_ids, Role.SYSTEM)
    if sees_everything(user):
        return dict.fromkeys(holder_ids, Role.STAFF)
    context = request_context.get()
    known = context.roles.setdefault(user.pk, {}) if context is not None else {}
    missing = holder_ids - known.keys()
    if missing:
        known.update(_look_up_roles(user, missing))
    return {holder_id: known[holder_id] for holder_id in holder_ids}


def _look_up_roles(user, holder_ids: set[int | None]) -> dict[int | None, Role]:
    from pgb_admin.accounts.models import Mandate

    scope = request_scope(user)  # resolved once in a request: no query here
    mandates: dict[int, list[str]] = {}
    if scope is not None:
        for holder_id in holder_ids:
            if holder_id in scope.mandates:
                mandates[holder_id] = list(scope.mandates[holder_id])
        audits = bool(scope.audited_funders)
    else:
        for holder_id, role in (
            Mandate.objects.valid_on(timezone.localdate())
            .filter(user=user, holder_id__in=[pk for pk in holder_ids if pk is not None])
            .values_list("holder_id", "role")
        ):
            mandates.setdefault(holder_id, []).append(role)
        audits = audited_funder_ids(user).exists()
    fallback = Role.AUDITOR if audits else Role.OTHER
    if fallback is Role.OTHER and holder_ids - mandates.keys() and is_provider(user):
        fallback = Role.PROVIDER  # a care provider reads what the holder granted them
    return {
        holder_id: Role(min(mandates[holder_id], key=_MANDATE_ORDER.index))
        if holder_id in mandates
        else fallback
        for holder_id in holder_ids
    }


#: the columns of an access-log row as :func:`log_reads` writes it
_FIELDS = (
    "at", "user_pk", "username", "role", "purpose", "remote_addr", "request_id", "holder_pk",
    "action", "what", "object_pk", "count", "outcome",
)  # fmt: skip


def log_reads(
    *,
    user,
    action: Action,
    what: str,
    holder_counts: dict[int | None, int],
    object_pk="",
    outcome: Outcome = Outcome.OK,
    everyone: bool = False,
) -> int:
    """One row per holder whose data ``user`` read (``holder_counts``: how many rows of each);
    ``None`` stands for data of no single holder (a municipal report). Reads by the holder
    and their representatives are not logged unless ``everyone`` (imports are). Written in one
    go (COPY on PostgreSQL: a month's export logs thousands of holders); returns how many."""
    roles = roles_of(user, holder_counts)
    context = request_context.get() or NO_REQUEST
    user_pk, username = getattr(user, "pk", None), getattr(user, "username", "") or ""
    return insert_rows(
        AccessEvent,
        _FIELDS,
        (
            (timezone.now(), user_pk, username, roles[holder_id], PURPOSE_OF_ROLE[roles[holder_id]],
             context.remote_addr, context.request_id, holder_id, action, what, str(object_pk),
             count, outcome)
            for holder_id, count in holder_counts.items()
            if everyone or roles[holder_id] in LOGGED_READERS
        ),
    )  # fmt: skip


def log_read(
    *, user, what: str, holder_id: int | None, obj=None, action=Action.READ, count: int = 1
) -> int:
    """One read (a page, an object, a report, a file) of one holder's data, or of no single
    holder's (``holder_id=None``)."""
    return log_reads(
        user=user,
        action=action,
        what=what,
        holder_counts={holder_id: count},
        object_pk=getattr(obj, "pk", "") if obj is not None else "",
    )


# the largest id a database row can have: a larger one in a URL names no holder
_MAX_ID = 2**63 - 1


def log_page_read(*, user, what: str, holder_id: int) -> None:
    """A page of one holder's data. In a request the row waits for the response
    (:func:`flush_page_reads`), so a page that is refused after all (a 404 for an object on
    it out of scope, a 403 for a write by someone who may only look) is logged refused, not
    done. Outside a request it is written at once."""
    context = request_context.get()
    if context is None:
        log_read(user=user, what=what, holder_id=holder_id)
    else:
        context.page_reads.append((user, what, holder_id))


def flush_page_reads(context: RequestContext, *, status_code: int) -> None:
    """Write the page reads of a request whose response has ``status_code``: below 400 the
    page was shown, anything else (refused, or failed) showed nothing."""
    outcome = Outcome.OK if status_code < 400 else Outcome.REFUSED
    reads, context.page_reads[:] = list(context.page_reads), []
    for user, what, holder_id in reads:
        log_reads(
            user=user,
            action=Action.READ,
            what=what,
            holder_counts={holder_id: 1},
            outcome=outcome,
        )


def log_refused(*, user, what: str, holder_id, action: Action = Action.READ) -> int:
    """A read of the data of the holder a request named that was refused (out of scope: a
    404). Written only when that holder exists: an id of no holder is nobody's data."""
    from pgb_admin.budgets.models import BudgetHolder

    if not isinstance(holder_id, int) or not 0 < holder_id <= _MAX_ID:
        return 0
    if not BudgetHolder.objects.filter(pk=holder_id).exists():
        return 0
    return log_reads(
        user=user,
        action=action,
        what=what,
        holder_counts={holder_id: 1},
        outcome=Outcome.REFUSED,
    )


def log_changes(
    *, user, action: Action, what: str, holder_ids: Iterable[int | None], object_pk=""
) -> int:
    """Changes made in bulk (``bulk_create``, ``update``): one row per holder with how many
    rows changed. ``holder_ids`` has one element per changed row. Changes are logged whoever
    makes them."""
    return log_reads(
        user=user,
        action=action,
        what=what,
        holder_counts=Counter(holder_ids),
        object_pk=object_pk,
        everyone=True,
    )


def holder_of(instance) -> int | None:
    """The holder an object belongs to, along its queryset's ``holder_field`` (None for data
    of no single holder: users, funders, figures)."""
    queryset_class = getattr(type(instance).objects, "_queryset_class", None)
    path = getattr(queryset_class, "holder_field", None)
    if path is None:
        return getattr(instance, "holder_id", None)
    value = instance
    for part in path.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def holders_of_change(instance) -> list[int | None]:
    """The holders a change of ``instance`` reaches: its holder, or for data shared by several
    holders (a provider: ``linked_holder_ids``) each of them; ``[None]`` for no holder's."""
    linked = getattr(instance, "linked_holder_ids", None)
    if callable(linked):
        return sorted(linked()) or [None]
    return [holder_of(instance)]


_CHANGE_ACTIONS = {0: Action.CREATE, 1: Action.UPDATE, 2: Action.DELETE}


def log_change_entry(sender, instance, log_entry=None, log_created=False, **kwargs) -> None:
    """The change log wrote ``log_entry`` for ``instance``: add its access-log row."""
    if not log_created or log_entry is None or log_entry.action not in _CHANGE_ACTIONS:
        return
    log_changes(
        user=log_entry.actor,
        action=_CHANGE_ACTIONS[log_entry.action],
        what=instance._meta.label,
        holder_ids=holders_of_change(instance),
        object_pk=instance.pk if instance.pk is not None else log_entry.object_pk,
    )
