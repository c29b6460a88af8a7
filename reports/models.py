from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pgb_admin.accounts.scoping import audited_funder_ids
from pgb_admin.core.models import CreatedByQuerySet


class ReportFileQuerySet(CreatedByQuerySet):
    def covered_q(self, user) -> Q:
        """A report file is its maker's while they audit its funder today."""
        return Q(funder_id__in=audited_funder_ids(user))


class ReportFile(models.Model):
    """A report written by a background task (a municipality-scale report), kept so the page,
    the API or the command line can download it when the task is done, and removed after
    ``REPORT_FILE_RETENTION_DAYS`` (:func:`pgb_admin.core.services.purge_expired`)."""

    class Format(models.TextChoices):
        XLSX = "xlsx", "XLSX"
        CSV = "csv", "CSV"
        PNG = "png", "PNG"
        SVG = "svg", "SVG"

    task_run = models.ForeignKey(
        "core.TaskRun",
        on_delete=models.CASCADE,
        related_name="report_files",
        verbose_name=_("task"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="report_files",
        verbose_name=_("made for"),
    )
    funder = models.ForeignKey(
        "budgets.Funder",
        on_delete=models.PROTECT,
        related_name="report_files",
        verbose_name=_("funder"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    filename = models.CharField(_("file name"), max_length=200)
    content = models.BinaryField(_("content"))
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)

    objects = ReportFileQuerySet.as_manager()  # for who had it made, and staff

    class Meta:
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        ordering = ["-created_at", "format"]
        constraints = [
            models.UniqueConstraint(
                fields=["task_run", "format"], name="report_file_one_per_task_and_format"
            )
        ]

    def __str__(self) -> str:
        return self.filename


# the reconciliation with the SVB's and the insurer's overviews (issue 19), and the reminders:
# in their own packages, imported here so Django finds them
from .reconciliation.models import Difference, Overview, OverviewLine  # noqa: E402
from .reminders.models import Notice, ReminderPreference, ReminderProfile  # noqa: E402

__all__ = [
    "Difference",
    "Notice",
    "Overview",
    "OverviewLine",
    "ReminderPreference",
    "ReminderProfile",
    "ReportFile",
]
