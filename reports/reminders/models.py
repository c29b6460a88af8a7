"""Reminders as stored: the in-app notice (one per user, kind and occurrence: the unique
constraint is what keeps a reminder from firing twice, whichever worker runs the job) and each
user's choices (per kind: e-mail, in the app only, or off; their language)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pgb_admin.core.fields import SupportedDateField


class Channel(models.TextChoices):
    EMAIL = "email", _("In the app and by e-mail")
    IN_APP = "in_app", _("In the app only")
    OFF = "off", _("Off")


class Notice(models.Model):
    """A reminder shown in the app (and maybe mailed): the text is rendered from ``kind`` and
    ``params`` in the reader's language, so it holds no sentence of its own."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=40)
    occurrence = models.CharField(
        _("occurrence"),
        max_length=100,
        help_text=_("What the reminder is about, e.g. a grant or an agreement's month."),
    )
    holder = models.ForeignKey(
        "budgets.BudgetHolder",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("budget holder"),
    )
    params = models.JSONField(_("details"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    due_on = SupportedDateField(_("due on"))
    run = models.UUIDField(_("run"), db_index=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "occurrence"], name="notice_once_per_occurrence"
            )
        ]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.occurrence} → {self.user_id}"


class ReminderProfile(models.Model):
    """A user's language for reminders (the app has no user language otherwise: it is the
    language of the page they last saved their choices on) and "no reminder e-mails at all"."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_profile",
        verbose_name=_("user"),
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    emails_off = models.BooleanField(_("no reminder e-mails"), default=False)

    class Meta:
        verbose_name = _("reminder settings")
        verbose_name_plural = _("reminder settings")

    def __str__(self) -> str:
        return str(self.user)


class ReminderPreference(models.Model):
    """How a user gets one kind of reminder; without a row: in the app and by e-mail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=40)
    channel = models.CharField(_("how"), max_length=10, choices=Channel.choices)

    class Meta:
        verbose_name = _("reminder preference")
        verbose_name_plural = _("reminder preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="reminder_preference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind}: {self.channel}"
