"""Abstract base models shared by the apps."""

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from pgb_admin.accounts.constants import ACTING_ROLES
from pgb_admin.accounts.scoping import audited_funder_ids, represented_holder_ids

from .fields import SupportedDateField
from .periods import validate_period


class ValidityPeriod(models.Model):
    """Abstract: a row that holds from ``valid_from`` to ``valid_to`` (inclusive, open when
    empty). The database refuses an end before the start."""

    valid_from = SupportedDateField(_("valid from"))
    valid_to = SupportedDateField(
        _("valid to"), null=True, blank=True, help_text=_("Leave empty when open-ended.")
    )

    # Each concrete model has its own ``objects`` (a ValidityQuerySet or a subclass): one
    # inherited from here could not be overridden with a manager of another type.

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="%(app_label)s_%(class)s_period_ordered",
            )
        ]

    def clean(self) -> None:
        super().clean()
        validate_period(self.valid_from, self.valid_to)

    def is_valid_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class TaskStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class CreatedByQuerySet(models.QuerySet):
    """Rows that are for who had them made (``created_by``), and for staff. A subclass says
    in :meth:`covered_q` which of them the maker's mandates or auditor scopes still cover
    today: a mandate or scope that ended ends the access through what was made with it."""

    def visible_to(self, user):
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        if user.is_staff:
            return self
        return self.filter(Q(created_by=user) & self.covered_q(user))

    def covered_q(self, user) -> Q:
        return Q()


class TaskRunQuerySet(CreatedByQuerySet):
    def covered_q(self, user) -> Q:
        """Runs about holders the user acts for today (all of them) and, if about a funder,
        one they audit today. A run about nothing yet (a queued import) is its maker's."""
        acting = represented_holder_ids(user, roles=ACTING_ROLES)
        holder_outside = self.model.holders.through.objects.filter(
            taskrun_id=OuterRef("pk")
        ).exclude(budgetholder_id__in=acting)
        funder_covered = Q(funder__isnull=True) | Q(funder_id__in=audited_funder_ids(user))
        return ~Exists(holder_outside) & funder_covered


class TaskRun(models.Model):
    """Progress of long work done by Celery (validating or exporting many declarations), so a
    page, the API or the command line can follow it. Tasks write it; nobody else does. What a
    run is about (``holders``, ``funder``) is filled by the code that starts it, or by the
    task once it knows; it decides how long its maker may see the run and its result."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=50)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="task_runs",
        verbose_name=_("started by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("items"), default=0)
    done = models.PositiveIntegerField(_("items done"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    holders = models.ManyToManyField(
        "budgets.BudgetHolder",
        blank=True,
        related_name="task_runs",
        verbose_name=_("budget holders"),
        help_text=_(
            "Whose data the task reads or changes: who started it sees it while they act "
            "for all of them."
        ),
    )
    funder = models.ForeignKey(
        "budgets.Funder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="task_runs",
        verbose_name=_("funder"),
        help_text=_("The funder whose report the task makes: seen while its maker audits it."),
    )
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TaskRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("task run")
        verbose_name_plural = _("task runs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.done}/{self.total} {self.status}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.done / self.total))
