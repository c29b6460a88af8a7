"""Retention: what background work left behind is removed once it is no longer needed, so
report files and task results (which hold holders' figures) do not pile up or outlive their
purpose. Run daily by Celery beat (``pgb_admin.core.purge_expired``) or from cron
(``manage.py purge_expired``).

Core knows only task runs: the apps that keep something of a run (report files, uploaded
hours files) register how it is purged from their ``AppConfig.ready``."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import TaskRun, TaskStatus


@dataclass(frozen=True)
class KeptArtefacts:
    """Made by a run and kept for a retention period of their own; the run stays while any
    is kept (``related_name``: their relation to the run)."""

    name: str
    label: str
    retention_days: Callable[[], int]
    related_name: str
    purge: Callable[[datetime], int]  # (older than) -> removed


@dataclass(frozen=True)
class RunArtefacts:
    """Removed with the expired run they belong to."""

    name: str
    label: str
    purge: Callable[[QuerySet[TaskRun], datetime], int]  # (expired runs, runs before) -> removed


_kept: dict[str, KeptArtefacts] = {}
_with_runs: dict[str, RunArtefacts] = {}


def retention_register(artefacts: KeptArtefacts | RunArtefacts) -> None:
    if isinstance(artefacts, KeptArtefacts):
        _kept[artefacts.name] = artefacts
    else:
        _with_runs[artefacts.name] = artefacts


@dataclass(frozen=True)
class Purged:
    """What one purge removed, by kind: the kept artefacts, ``task_runs``, then the
    artefacts removed with their runs."""

    counts: dict[str, int]

    def as_dict(self) -> dict[str, int]:
        return dict(self.counts)

    def summary(self) -> str:
        """One sentence saying what was removed and past which retention period."""
        parts = [
            f"{self.counts[kept.name]} {kept.label} (older than {kept.retention_days()} days)"
            for kept in _kept.values()
        ]
        with_runs = [f"{self.counts['task_runs']} task runs"] + [
            f"{self.counts[artefacts.name]} {artefacts.label}" for artefacts in _with_runs.values()
        ]
        runs = " and ".join(filter(None, [", ".join(with_runs[:-1]), with_runs[-1]]))
        parts.append(f"{runs} (older than {settings.TASK_RESULT_RETENTION_DAYS} days)")
        return f"Removed {', '.join(parts)}."


def _days_ago(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)


@transaction.atomic
def purge_expired(*, now: datetime | None = None) -> Purged:
    """Remove what the registered apps keep past its own retention period (report files,
    ``REPORT_FILE_RETENTION_DAYS``) and task runs that ended more than
    ``TASK_RESULT_RETENTION_DAYS`` ago, with what they left behind (uploaded hours files,
    bytes and all). A run whose kept artefacts are still there stays until they go. Running
    it twice removes nothing the second time.

    Exports (entry aids, insurer declarations) are not purged: they are the record of what
    was declared (the declarations point to them); an export only loses the link to the run
    that made it."""
    now = now or timezone.now()
    runs_before = _days_ago(now, settings.TASK_RESULT_RETENTION_DAYS)
    counts = {
        kept.name: kept.purge(_days_ago(now, kept.retention_days())) for kept in _kept.values()
    }
    expired_runs = TaskRun.objects.filter(
        status__in=[TaskStatus.DONE, TaskStatus.FAILED], updated_at__lt=runs_before
    )
    for kept in _kept.values():
        expired_runs = expired_runs.exclude(**{f"{kept.related_name}__isnull": False})
    with_runs = {
        artefacts.name: artefacts.purge(expired_runs, runs_before)
        for artefacts in _with_runs.values()
    }
    _, runs = TaskRun.objects.filter(pk__in=expired_runs.values("pk")).delete()
    counts["task_runs"] = runs.get(TaskRun._meta.label, 0)
    return Purged({**counts, **with_runs})
