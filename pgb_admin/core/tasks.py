import logging
import socket

from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from celery.exceptions import Ignore, Reject, Retry

from .models import TaskRun, TaskStatus
from .services import purge_expired

logger = logging.getLogger(__name__)


class RunTask(DjangoTask):
    """A task whose first argument is the id of its TaskRun. When the task fails (an error it
    does not handle, or its retries spent), the run ends as failed: without this it would stay
    "running" and its page would wait forever. The error itself goes to the log, not to the
    run, which users see. A worker that dies is no failure: the message is delivered again
    (``acks_late``, ``CELERY_TASK_REJECT_ON_WORKER_LOST``).

    In ``__call__`` rather than ``on_failure``, which Celery skips for a task run in-process
    (``make run``) whose error goes to the caller."""

    def __call__(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except (Retry, Ignore, Reject):  # a retry or a replace(): the run goes on
            raise
        except Exception:
            self._fail_run(kwargs.get("task_run_id", args[0] if args else None))
            raise

    def _fail_run(self, task_run_id) -> None:
        if task_run_id is None:
            return
        try:
            with transaction.atomic():
                progress_fail(task_run_id)
        except DatabaseError:  # the database may be why the task failed
            logger.exception("task run %s: could not be marked failed", task_run_id)


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


def progress_fail(task_run_id) -> None:
    """End a run that is not finished yet as failed, keeping its progress."""
    TaskRun.objects.filter(pk=task_run_id).exclude(
        status__in=[TaskStatus.DONE, TaskStatus.FAILED]
    ).update(status=TaskStatus.FAILED, updated_at=timezone.now())


@shared_task(name="pgb_admin.core.purge_expired", acks_late=True)
def purge_expired_task() -> dict[str, int]:
    """Remove report files and task results past their retention period (Celery beat runs it
    daily, ``CELERY_BEAT_SCHEDULE``). A second delivery finds nothing more to remove."""
    return purge_expired().as_dict()
