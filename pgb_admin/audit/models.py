"""The access log (NEN 7513): one append-only row for every read, list, search, export and
import of holder data by someone who does not act for the holder as themselves or their legal
representative (a bureau, read-only family, an auditor, staff), and for every change by anyone.

A row names people and holders by their internal id (never a BSN) and keeps the username as it
was, so the log outlives the accounts and data it is about: there are no foreign keys. Nobody
can change or delete a row through the application: the model and its queryset refuse, the
admin is read-only, and on PostgreSQL a trigger refuses ``UPDATE`` and ``DELETE``."""

from typing import Any, NoReturn, Self

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """The access log is only ever added to."""


class Action(models.TextChoices):
    READ = "read", _("read")
    LIST = "list", _("list")
    SEARCH = "search", _("search")
    EXPORT = "export", _("export")
    IMPORT = "import", _("import")
    CREATE = "create", _("create")
    UPDATE = "update", _("update")
    DELETE = "delete", _("delete")


class Role(models.TextChoices):
    HOLDER = "holder", _("budget holder")
    REPRESENTATIVE = "representative", _("representative")
    BUREAU = "bureau", _("pgb bureau")
    FAMILY_READONLY = "family_readonly", _("family member (read-only)")
    AUDITOR = "auditor", _("auditor")
    PROVIDER = "provider", _("care provider")
    STAFF = "staff", _("staff")
    SYSTEM = "system", _("system")
    OTHER = "other", _("other")


class Purpose(models.TextChoices):
    OWN_ADMINISTRATION = "own_administration", _("own pgb administration")
    ON_MANDATE = "on_mandate", _("pgb administration on mandate")
    INFORMATION = "information", _("information (read-only mandate)")
    AUDIT = "audit", _("municipal audit of pgb spending")
    CARE_PROVIDED = "care_provided", _("the care provider's own hours and costs")
    SUPPORT = "support", _("application management and support")
    PROCESSING = "processing", _("automated processing")


class Outcome(models.TextChoices):
    OK = "ok", _("done")
    REFUSED = "refused", _("refused")
    NOT_FOUND = "not_found", _("nothing found")  # a search that found nothing


class AccessEventQuerySet(models.QuerySet["AccessEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("access log rows cannot be changed")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("access log rows cannot be deleted")

    def for_holder(self, holder_id: int) -> Self:
        return self.filter(holder_pk=holder_id)


class AccessEvent(models.Model):
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user_pk = models.PositiveBigIntegerField(_("user id"), null=True, blank=True, db_index=True)
    username = models.CharField(_("user"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    holder_pk = models.PositiveBigIntegerField(
        _("holder id"),
        null=True,
        blank=True,
        help_text=_("The budget holder whose data it was (acting for whom)."),
    )
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    what = models.CharField(
        _("what"), max_length=100, help_text=_("The kind of data, page, report or file.")
    )
    object_pk = models.CharField(_("object id"), max_length=64, blank=True)
    count = models.PositiveIntegerField(_("how many"), default=1)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.OK
    )
    remote_addr = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True, db_index=True)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-pk"]
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["holder_pk", "-at"], name="access_holder_at"),
            models.Index(fields=["user_pk", "-at"], name="access_user_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.what}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("access log rows cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("access log rows cannot be deleted")
