"""Retention: what background work left behind is removed once it is no longer needed, so
report files and task results (which hold holders' figures) do not pile up or outlive their
purpose. Run daily by Celery beat (``pgb_admin.core.purge_expired``) or from cron
(``manage.py purge_expired``)."""

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from declarations.models import HoursUpload
from reports.models import ReportFile

from .models import TaskRun, TaskStatus


@dataclass(frozen=True)
class Purged:
    report_files: int
    task_runs: int
    hours_uploads: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _days_ago(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)


@transaction.atomic
def purge_expired(*, now: datetime | None = None) -> Purged:
    """Remove report files older than ``REPORT_FILE_RETENTION_DAYS`` and task runs that ended
    more than ``TASK_RESULT_RETENTION_DAYS`` ago, with their results and the hours files
    uploaded for them (bytes and all). A run whose report files are still kept stays until
    they go. Running it twice removes nothing the second time.

    SVB batches are not purged: they are the record of what was declared to the SVB (the
    declarations point to them); a batch only loses the link to the run that exported it."""
    now = now or timezone.now()
    files_before = _days_ago(now, settings.REPORT_FILE_RETENTION_DAYS)
    runs_before = _days_ago(now, settings.TASK_RESULT_RETENTION_DAYS)
    _, files = ReportFile.objects.filter(created_at__lt=files_before).delete()
    expired_runs = TaskRun.objects.filter(
        status__in=[TaskStatus.DONE, TaskStatus.FAILED], updated_at__lt=runs_before
    ).exclude(report_files__isnull=False)
    _, uploads = HoursUpload.objects.filter(
        Q(task_run__in=expired_runs) | Q(task_run__isnull=True, created_at__lt=runs_before)
    ).delete()
    _, runs = TaskRun.objects.filter(pk__in=expired_runs.values("pk")).delete()
    return Purged(
        report_files=files.get(ReportFile._meta.label, 0),
        task_runs=runs.get(TaskRun._meta.label, 0),
        hours_uploads=uploads.get(HoursUpload._meta.label, 0),
    )
