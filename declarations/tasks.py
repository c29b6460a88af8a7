"""Celery tasks: ids in, a service does the work, progress goes to a TaskRun. Each task can
run twice (redelivery after a worker died) and leaves the same state. A delivery after a worker
died mid-task resumes where the dead one's last commit left off; one after the task finished
changes nothing (tests/worker SIGKILLs a real worker to show it)."""

from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation

from auditlog.context import set_actor
from celery import shared_task

from pgb_admin.budgets.constants import Channel
from pgb_admin.core.files import sha256
from pgb_admin.core.models import TaskRun, TaskStatus
from pgb_admin.core.tasks import progress_advance, progress_finish, progress_start

from .imports.hours import STEPS, hours_import
from .imports.problems import ImportRefused
from .models import Batch, Declaration, HoursUpload
from .selectors.lists import validation_summary
from .services import declarations as declaration_services
from .services.batches import (
    ExportStart,
    batch_export,
    bureau_export,
    export_run_create,
    month_export,
)

FINISHED = (TaskStatus.DONE, TaskStatus.FAILED)


def _actor(user_id: int):
    return get_user_model().objects.get(pk=user_id)


def _start_once(task_run_id: str, total: int) -> None:
    """Mark a queued run as running. A run an earlier delivery started keeps its progress, so
    a delivery after a worker died resumes from it instead of starting over."""
    TaskRun.objects.filter(pk=task_run_id, status=TaskStatus.QUEUED).update(
        status=TaskStatus.RUNNING, total=total, done=0, error="", updated_at=timezone.now()
    )


def _validate_next_chunk(task_run_id: str, actor, ids: list[int]) -> bool:
    """Validate the first chunk of ``ids`` that no delivery has committed and count it in the
    same transaction, so ``done`` says exactly how far the work got. The run's row is locked:
    two deliveries of the task at once take turns, chunk by chunk. False when all are done."""
    with transaction.atomic():
        run = TaskRun.objects.select_for_update().get(pk=task_run_id)
        chunk = ids[run.done : run.done + declaration_services.VALIDATION_CHUNK]
        if not chunk:
            return False
        declaration_services.declarations_validate_in_chunks(
            actor=actor, declaration_ids=chunk, on_chunk=lambda done: progress_advance(run, done)
        )
    return True


@shared_task(name="declarations.validate", acks_late=True)
def validate_declarations_task(task_run_id: str, user_id: int, declaration_ids: list[int]) -> None:
    run = TaskRun.objects.get(pk=task_run_id)
    if run.status in FINISHED:  # delivered again after it finished
        return
    ids = sorted(set(declaration_ids))
    _start_once(task_run_id, len(ids))
    actor = _actor(user_id)
    with set_actor(actor):
        while _validate_next_chunk(task_run_id, actor, ids):
            pass
    progress_finish(run, result=validation_summary(ids))


@shared_task(name="declarations.export_batch", acks_late=True)
def export_batch_task(
    task_run_id: str,
    user_id: int,
    month: str,
    holder_id: int | None,
    funder_id: int | None,
    channel: str | None = None,
) -> None:
    """Export in one transaction that also ends the run, with the run's row locked: a
    delivery after a worker died exports what the dead one did not commit, and one after the
    batch was made finds the run finished and stops."""
    from pgb_admin.budgets.models import Funder

    if TaskRun.objects.filter(pk=task_run_id, status__in=FINISHED).exists():
        return
    _start_once(task_run_id, 1)
    actor = _actor(user_id)
    funder = Funder.objects.get(pk=funder_id) if funder_id else None
    with transaction.atomic(), set_actor(actor):
        run = TaskRun.objects.select_for_update().get(pk=task_run_id)
        if run.status in FINISHED:  # another delivery finished it while this one waited
            return
        batch = Batch.objects.filter(task_run=run).first()
        batches = [batch] if batch is not None else []
        if not batches:
            # an export per channel (the PGB Portaal entry aid, the insurer declaration), or
            # the one channel asked for
            day = date.fromisoformat(month)
            try:
                if channel:
                    batches = [
                        batch_export(
                            actor=actor, month=day, holder_id=holder_id, funder=funder,
                            task_run=run, channel=Channel(channel),
                        )
                    ]  # fmt: skip
                else:
                    batches = month_export(
                        actor=actor, month=day, holder_id=holder_id, funder=funder, task_run=run
                    )
            except ValidationError as error:
                progress_finish(run, error="; ".join(error.messages))
                return
        run.holders.add(*_holders_of(Declaration.objects.filter(batch__in=batches)))
        progress_finish(
            run,
            result={
                "batch_id": batches[0].pk,
                "declarations": sum(b.declaration_count for b in batches),
                "batch_ids": [b.pk for b in batches],
            },
        )


def _holders_of(declarations) -> set[int]:
    return set(declarations.values_list("agreement__holder_id", flat=True))


def start_validation(*, actor, declaration_ids: list[int]) -> TaskRun:
    """Queue the validation of many declarations; the TaskRun shows its progress. The task is
    sent when the transaction commits, so the worker sees what this request saved."""
    return _enqueue_validation(
        declaration_services.validation_run_create(actor=actor, declaration_ids=declaration_ids)
    )


def start_bureau_validation(*, actor, month: date, holder_ids: list[int]) -> TaskRun:
    """Draft the month of the chosen holders and queue the validation of their declarations."""
    return _enqueue_validation(
        declaration_services.bureau_validate(actor=actor, month=month, holder_ids=holder_ids)
    )


def _enqueue_validation(started) -> TaskRun:
    run = started.run
    # celery-types lacks delay_on_commit (Celery 5.4)
    validate_declarations_task.delay_on_commit(  # type: ignore[attr-defined]
        str(run.pk), run.created_by_id, started.declaration_ids
    )
    return run


def start_export(
    *, actor, month: date, holder_id: int | None = None, funder=None, channel: str | None = None
) -> TaskRun:
    """Queue an export of the month (of one holder or funder, of every channel or one); the
    TaskRun shows its result."""
    run = export_run_create(actor=actor, holder_id=holder_id)
    _enqueue_export(run, month, holder_id, funder.pk if funder else None, channel)
    return run


def start_bureau_export(*, actor, month: date, holder_ids: list[int]) -> ExportStart:
    """Queue the exports of the chosen holders' ready declarations of the month."""
    started = bureau_export(actor=actor, month=month, holder_ids=holder_ids)
    for run, holder_id in started.runs:
        _enqueue_export(run, started.month, holder_id, None)
    return started


def _enqueue_export(
    run: TaskRun, month: date, holder_id: int | None, funder_id, channel: str | None = None
) -> None:
    # celery-types lacks delay_on_commit (Celery 5.4)
    export_batch_task.delay_on_commit(  # type: ignore[attr-defined]
        str(run.pk), run.created_by_id, month.isoformat(), holder_id, funder_id, channel
    )


@shared_task(name="declarations.import_hours", acks_late=True)
def import_hours_task(task_run_id: str, user_id: int, upload_id: int) -> None:
    """Import an uploaded hours file. Running it twice leaves the same state: the second run
    finds nothing to change."""
    run = TaskRun.objects.get(pk=task_run_id)
    if run.status in FINISHED:  # delivered again after it finished
        return
    upload = HoursUpload.objects.get(pk=upload_id)
    actor = _actor(user_id)
    progress_start(run, STEPS)
    with set_actor(actor), translation.override(upload.language):
        try:
            result = hours_import(
                actor=actor,
                filename=upload.filename,
                content=bytes(upload.content),
                dry_run=upload.dry_run,
                on_step=lambda: progress_advance(run, 1),
                on_holders=lambda holder_ids: run.holders.add(*holder_ids),
            )
        except ImportRefused as refused:
            problems = [problem.as_dict() for problem in refused.problems]
            progress_finish(run, result={"problems": problems}, error=refused.messages[0])
            return
    progress_finish(run, result=result.as_dict())


def start_import(*, actor, filename: str, content: bytes, dry_run: bool, language: str) -> TaskRun:
    """Store the upload and queue its import; the TaskRun shows when it is done and what it
    found. Sent when the transaction commits, so the worker finds the upload. The run is about
    the holders of the file's agreements, which the task adds once it has read the file."""
    run = TaskRun.objects.create(kind="import", created_by=actor, total=STEPS)
    upload = HoursUpload.objects.create(
        created_by=actor,
        filename=filename[:200],
        content=content,
        size=len(content),
        sha256=sha256(content),
        dry_run=dry_run,
        language=language,
        task_run=run,
    )
    # celery-types lacks delay_on_commit (Celery 5.4)
    import_hours_task.delay_on_commit(str(run.pk), actor.pk, upload.pk)  # type: ignore[attr-defined]
    return run
