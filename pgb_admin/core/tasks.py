import socket

from django.db import connection
from django.db.models import F
from django.utils import timezone

from celery import shared_task

from .models import TaskRun, TaskStatus
from .services import purge_expired


@shared_task(name="pgb_admin.core.worker_health", acks_late=False)
def worker_health(nonce: str) -> dict[str, str]:
    """Proves that a worker takes tasks from the broker and reaches the database
    (``manage.py check_worker``). Reads nothing and changes nothing."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"nonce": nonce, "database": connection.vendor, "worker": socket.gethostname()}


def progress_start(run: TaskRun | None, total: int) -> None:
    if run is not None:
        TaskRun.objects.filter(pk=run.pk).update(
            status=TaskStatus.RUNNING, total=total, done=0, error="", updated_at=timezone.now()
        )


def progress_advance(run: TaskRun | None, items: int) -> None:
    if run is not None:
        TaskRun.objects.filter(pk=run.pk).update(done=F("done") + items, updated_at=timezone.now())


def progress_finish(run: TaskRun | None, *, result: dict | None = None, error: str = "") -> None:
    if run is not None:
        TaskRun.objects.filter(pk=run.pk).update(
            status=TaskStatus.FAILED if error else TaskStatus.DONE,
            done=F("total") if not error else F("done"),
            result=result or {},
            error=error,
            updated_at=timezone.now(),
        )


@shared_task(name="pgb_admin.core.purge_expired", acks_late=True)
def purge_expired_task() -> dict[str, int]:
    """Remove report files and task results past their retention period (Celery beat runs it
    daily, ``CELERY_BEAT_SCHEDULE``). A second delivery finds nothing more to remove."""
    return purge_expired().as_dict()
