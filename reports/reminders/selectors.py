"""Reads of the reminder pages: the user's own notices, about holders they still act for."""

from typing import Any

from django.db.models import Q, QuerySet

from pgb_admin.accounts.constants import ACTING_ROLES
from pgb_admin.accounts.models import User
from pgb_admin.accounts.scoping import represented_holder_ids

from .mail import notice_label, notice_text
from .models import Channel, Notice, ReminderPreference, ReminderProfile
from .registry import kinds

NOTICES_SHOWN = 100


def _visible(user: User) -> QuerySet[Notice]:
    return Notice.objects.filter(user=user).filter(
        Q(holder__isnull=True) | Q(holder_id__in=represented_holder_ids(user, roles=ACTING_ROLES))
    )


def notice_list(*, user: User) -> list[Notice]:
    """The newest notices, each with ``text`` and ``label`` in the active language."""
    notices = list(_visible(user).select_related("holder")[:NOTICES_SHOWN])
    for notice in notices:
        notice.text = notice_text(notice)  # type: ignore[attr-defined]
        notice.label = notice_label(notice.kind)  # type: ignore[attr-defined]
    return notices


def unread_count(*, user: User) -> int:
    return _visible(user).filter(read_at__isnull=True).count()


def reminder_choices(*, user: User) -> dict[str, Any]:
    """Initial values of the choices form: a channel per kind, the language, all e-mails off."""
    chosen = dict(ReminderPreference.objects.filter(user=user).values_list("kind", "channel"))
    profile = ReminderProfile.objects.filter(user=user).first()
    initial: dict[str, Any] = {
        f"kind_{kind.code}": chosen.get(kind.code, Channel.EMAIL) for kind in kinds()
    }
    if profile is not None:
        initial["language"] = profile.language
        initial["emails_off"] = profile.emails_off
    return initial
