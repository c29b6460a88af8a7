"""Reminder e-mails through Django's mail (the console in development, SMTP in production): in
the user's language, plain text with an HTML alternative, a one-click unsubscribe link (and the
List-Unsubscribe headers, RFC 2369 and RFC 8058). What they say: the kind's sentence with the
holder's first name or initials, dates and percentages, and a link; never a BSN, a surname, a
care product or anything else about the holder's health."""

import uuid
from collections import defaultdict
from datetime import date

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from pgb_admin.core.dates import format_date

from .models import Channel, Notice, ReminderPreference, ReminderProfile
from .registry import get, holder_name
from .tokens import ALL_KINDS, site_url, unsubscribe_url


def notice_text(notice: Notice) -> str:
    """The notice's sentence in the active language."""
    kind = get(notice.kind)
    holder = notice.holder
    name = holder_name(holder.first_name, holder.initials) if holder else ""
    if kind is None:  # a kind no longer registered
        return gettext("A reminder")
    return kind.title(notice.params, name)


def notice_label(code: str) -> str:
    kind = get(code)
    return str(kind.label) if kind else code


def mail_run(*, run: uuid.UUID, today: date, digest_users: set[int]) -> int:
    """Mails the notices stored by ``run`` that their users want by e-mail; returns how many
    e-mails were sent."""
    notices = list(
        Notice.objects.filter(run=run, emailed_at__isnull=True)
        .exclude(user__email="")
        .select_related("user", "holder")
        .order_by("user_id", "kind", "pk")
    )
    if not notices:
        return 0
    user_ids = {notice.user_id for notice in notices}
    profiles = {p.user_id: p for p in ReminderProfile.objects.filter(user_id__in=user_ids)}
    channels = {
        (user_id, kind): channel
        for user_id, kind, channel in ReminderPreference.objects.filter(
            user_id__in=user_ids
        ).values_list("user_id", "kind", "channel")
    }
    by_user: dict[int, list[Notice]] = defaultdict(list)
    for notice in notices:
        profile = profiles.get(notice.user_id)
        if profile is not None and profile.emails_off:
            continue
        if channels.get((notice.user_id, notice.kind), Channel.EMAIL) != Channel.EMAIL:
            continue
        by_user[notice.user_id].append(notice)

    sent = 0
    with get_connection() as connection:
        for user_id, mine in by_user.items():
            profile = profiles.get(user_id)
            language = profile.language if profile else settings.LANGUAGE_CODE
            groups = [mine] if user_id in digest_users else [[notice] for notice in mine]
            for group in groups:
                with translation.override(language):
                    message = _message(group, today=today, digest=user_id in digest_users)
                message.connection = connection
                message.send()
                Notice.objects.filter(pk__in=[n.pk for n in group]).update(
                    emailed_at=timezone.now()
                )
                sent += 1
    return sent


def _message(notices: list[Notice], *, today: date, digest: bool) -> EmailMultiAlternatives:
    user = notices[0].user
    kind = ALL_KINDS if digest else notices[0].kind
    stop_kind = unsubscribe_url(user_id=user.pk, kind=kind)
    stop_all = unsubscribe_url(user_id=user.pk)
    if digest:
        subject = gettext("Your reminders of %(date)s") % {"date": format_date(today)}
    else:
        subject = gettext("Reminder: %(what)s") % {"what": notice_label(notices[0].kind)}
    context = {
        "items": [
            {"text": notice_text(n), "url": site_url(n.link) if n.link else ""} for n in notices
        ],
        "digest": digest,
        "kind_label": "" if digest else notice_label(notices[0].kind),
        "unsubscribe_kind": stop_kind,
        "unsubscribe_all": stop_all,
        "notices_url": site_url(reverse("reports:notices")),
        "preferences_url": site_url(reverse("reports:reminder_preferences")),
    }
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("reports/reminders/email.txt", context),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{stop_kind}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(
        render_to_string("reports/reminders/email.html", context), "text/html"
    )
    return message
