"""The daily reminder job and the writes of the reminder pages.

:func:`send_reminders` asks every registered kind what is due on ``today``, stores a notice per
user acting for the holder that day (unless they turned the kind off) with INSERT … ON CONFLICT
DO NOTHING on (user, kind, occurrence), and mails only the notices this run inserted: running
the job twice, or in two workers at once, stores and mails each reminder once."""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from pgb_admin.accounts.constants import ACTING_ROLES, MandateRole
from pgb_admin.accounts.models import Mandate, User

from . import mail
from .models import Channel, Notice, ReminderPreference, ReminderProfile
from .registry import kinds
from .tokens import ALL_KINDS, unsubscribe_target


@dataclass(frozen=True)
class RunResult:
    due: int  # reminders due (per holder)
    stored: int  # notices this run stored (per user)
    emails: int  # e-mails sent


def send_reminders(*, today: date, only: Iterable[str] | None = None) -> RunResult:
    run = uuid.uuid4()
    wanted = set(only) if only is not None else None
    due = [
        (kind.code, item)
        for kind in kinds()
        if wanted is None or kind.code in wanted
        for item in kind.due(today)
    ]
    users_of: dict[int, set[int]] = defaultdict(set)
    for holder_id, user_id in _acting_mandates(today).values_list("holder_id", "user_id"):
        users_of[holder_id].add(user_id)
    off = set(ReminderPreference.objects.filter(channel=Channel.OFF).values_list("user_id", "kind"))
    notices = [
        Notice(
            user_id=user_id,
            kind=code,
            occurrence=item.occurrence,
            holder_id=item.holder_id,
            params=item.params,
            link=item.link,
            due_on=today,
            run=run,
        )
        for code, item in due
        for user_id in sorted(users_of.get(item.holder_id, ()))
        if (user_id, code) not in off
    ]
    with transaction.atomic():
        Notice.objects.bulk_create(notices, ignore_conflicts=True, batch_size=500)
    stored = Notice.objects.filter(run=run).count()
    emails = mail.mail_run(run=run, today=today, digest_users=_digest_users(today, run))
    return RunResult(due=len(due), stored=stored, emails=emails)


def _acting_mandates(today: date) -> QuerySet[Mandate]:
    return Mandate.objects.valid_on(today).filter(
        role__in=ACTING_ROLES, user__is_active=True, holder__duplicate_of__isnull=True
    )


def _digest_users(today: date, run: uuid.UUID) -> set[int]:
    """Users of this run's notices who get one digest e-mail a day: bureaus and whoever acts
    for more than one holder."""
    recipients = Notice.objects.filter(run=run).values("user_id")
    return set(
        _acting_mandates(today)
        .filter(user_id__in=recipients)
        .values("user_id")
        .annotate(
            holders=Count("holder_id", distinct=True),
            bureau=Count("pk", filter=Q(role=MandateRole.BUREAU)),
        )
        .filter(Q(holders__gt=1) | Q(bureau__gt=0))
        .values_list("user_id", flat=True)
    )


# -- the pages' writes ---------------------------------------------------------------------


@transaction.atomic
def notice_mark_read(*, user: User, notice_ids: Iterable[int] | None = None) -> int:
    """Marks the user's notices read (all unread ones without ``notice_ids``)."""
    notices = Notice.objects.filter(user=user, read_at__isnull=True)
    if notice_ids is not None:
        notices = notices.filter(pk__in=list(notice_ids))
    return notices.update(read_at=timezone.now())


@transaction.atomic
def reminder_preferences_set(
    *, user: User, channels: dict[str, str], language: str, emails_off: bool = False
) -> None:
    codes = {kind.code for kind in kinds()}
    for code, channel in channels.items():
        if code in codes:
            ReminderPreference.objects.update_or_create(
                user=user, kind=code, defaults={"channel": Channel(channel)}
            )
    ReminderProfile.objects.update_or_create(
        user=user, defaults={"language": language, "emails_off": emails_off}
    )


@transaction.atomic
def unsubscribe(*, token: str) -> tuple[object, str] | None:
    """Stops the e-mails a token names (one kind, or all): the reminders stay in the app. No
    login needed: the signed token is the proof; None for a bad token."""
    target = unsubscribe_target(token)
    if target is None:
        return None
    user_id, kind = target
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return None
    if kind == ALL_KINDS:
        ReminderProfile.objects.update_or_create(user=user, defaults={"emails_off": True})
    elif kind in {k.code for k in kinds()}:
        preference = ReminderPreference.objects.filter(user=user, kind=kind).first()
        if preference is None or preference.channel == Channel.EMAIL:
            ReminderPreference.objects.update_or_create(
                user=user, kind=kind, defaults={"channel": Channel.IN_APP}
            )
    else:
        return None
    return user, kind
