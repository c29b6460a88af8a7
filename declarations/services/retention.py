"""Uploaded hours files go with the expired task run that imported them, or once old if no
run took them (registered with the retention purge of ``pgb_admin.core.services`` by
``DeclarationsConfig.ready``)."""

from datetime import datetime

from django.db.models import Q, QuerySet

from pgb_admin.core.models import TaskRun
from pgb_admin.core.services import RunArtefacts, retention_register

from ..models import HoursUpload


def hours_uploads_purge(expired_runs: QuerySet[TaskRun], runs_before: datetime) -> int:
    _, removed = HoursUpload.objects.filter(
        Q(task_run__in=expired_runs) | Q(task_run__isnull=True, created_at__lt=runs_before)
    ).delete()
    return removed.get(HoursUpload._meta.label, 0)


def retention_setup() -> None:
    retention_register(
        RunArtefacts(name="hours_uploads", label="hours uploads", purge=hours_uploads_purge)
    )
