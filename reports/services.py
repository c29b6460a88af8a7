"""Writes of the reports app: report files past their retention period go (registered with
the retention purge of ``pgb_admin.core.services`` by ``ReportsConfig.ready``)."""

from datetime import datetime

from django.conf import settings

from pgb_admin.core.services import KeptArtefacts, retention_register

from .models import ReportFile


def report_files_purge(older_than: datetime) -> int:
    _, removed = ReportFile.objects.filter(created_at__lt=older_than).delete()
    return removed.get(ReportFile._meta.label, 0)


def retention_setup() -> None:
    retention_register(
        KeptArtefacts(
            name="report_files",
            label="report files",
            retention_days=lambda: settings.REPORT_FILE_RETENTION_DAYS,
            related_name=ReportFile.task_run.field.related_query_name(),
            purge=report_files_purge,
        )
    )
