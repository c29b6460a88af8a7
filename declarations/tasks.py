"""Celery tasks: ids in, a service does the work, progress goes to a TaskRun. Each task can
run twice (redelivery after a worker died) and leaves the same state. A delivery after a worker
died mid-task resumes where the dead one's last commit left off; one after the task finished
changes nothing (tests/worker SIGKILLs a real worker to show it)."""

import logging
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from auditlog.context import set_actor
from celery import chord, current_app, shared_task
from celery.exceptions import SoftTimeLimitExceeded

from pgb_admin.budgets.constants import Channel
from pgb_admin.core.files import sha256
from pgb_admin.core.models import TaskRun, TaskStatus
from pgb_admin.core.tasks import RunTask, progress_advance, progress_finish, progress_start

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

logger = logging.getLogger(__name__)


def _actor(user_id: int):
    return get_user_model().objects.get(pk=user_id)


def _start_once(task_run_id: str, total: int) -> None:
    """Mark a queued run as running. A run an earlier delivery started keeps its progress, so
    a delivery after a worker died resumes from it instead of starting over."""
    TaskRun.objects.filter(pk=task_run_id, status=TaskStatus.QUEUED).update(
        status=TaskStatus.RUNNING, total=total, done=0, error="", updated_at=timezone.now()
    )


# --- validating many declarations: fanned out over the workers --------------------------------
#
# A run is planned in *steps* (a transaction each, at most VALIDATION_CHUNK declarations) and
# the steps are packed into *chunks* (a task each); both hold whole holders, so a holder's
# declarations, and the grants they count against, never span two transactions running at
# once. The run's result keeps a ledger of the committed steps until the run finishes: a step
# commits with its entry and with ``done`` advanced, so a chunk delivered again skips what is
# committed and goes on where its dead worker stopped.

#: the run's ledger (in TaskRun.result until the run finishes): committed step numbers, the
#: declarations an earlier version of this task had counted (``done`` was its ledger then), and
#: whether the chunks were sent
COMMITTED = "committed_steps"
RESUMED_AFTER = "resumed_after"
FANNED_OUT = "fanned_out"
#: a chunk is no smaller than this share of the run, so up to this many workers share a run
FAN_OUT = 8
#: how often the last step (a chord callback) looks again when a chunk is still running
FINISH_RETRY_SECONDS = 10
FINISH_RETRIES = 360

Step = tuple[int, list[int]]  # (step number in the run, declaration ids)


def chunk_size(total: int) -> int:
    """Declarations per task: as many as the measured cost fits in VALIDATION_TASK_SECONDS
    (and in a quarter of the soft time limit), at least VALIDATION_TASK_MIN_DECLARATIONS
    (a small run stays one task), and otherwise an even share of FAN_OUT tasks."""
    seconds = min(settings.VALIDATION_TASK_SECONDS, settings.CELERY_TASK_SOFT_TIME_LIMIT // 4)
    smallest = settings.VALIDATION_TASK_MIN_DECLARATIONS
    largest = max(smallest, seconds * 1000 // settings.VALIDATION_MS_PER_DECLARATION)
    return min(largest, max(smallest, -(-total // FAN_OUT)))


def validation_plan(ids: list[int]) -> list[list[Step]]:
    """The chunks of a run: steps of whole holders (in holder order), packed into chunks of
    ``chunk_size`` declarations. The same ids give the same plan in every delivery."""
    size = chunk_size(len(ids))
    step_size = min(declaration_services.VALIDATION_CHUNK, size)
    steps = declaration_services.holder_steps(ids, step_size)
    return _packed(list(enumerate(steps)), size, size_of=lambda step: len(step[1]))


def _packed(items: list, limit: int, size_of=len) -> list[list]:
    """``items`` in order, in packs of at most ``limit`` (an item bigger alone)."""
    packs: list[list] = []
    filled = limit
    for item in items:
        if filled + size_of(item) > limit:
            packs.append([])
            filled = 0
        packs[-1].append(item)
        filled += size_of(item)
    return packs


def _ledger_open(task_run_id: str) -> int:
    """Open the run's ledger once; the declarations counted before it (a delivery of the
    previous version of this task counted a prefix of the sorted ids in ``done``) stay done."""
    with transaction.atomic():
        run = TaskRun.objects.select_for_update().get(pk=task_run_id)
        if COMMITTED in run.result:
            return run.result.get(RESUMED_AFTER, 0)
        _ledger_write(run.pk, {COMMITTED: [], RESUMED_AFTER: run.done})
        return run.done


def _ledger_write(task_run_id, ledger: dict, advance: int = 0) -> None:
    TaskRun.objects.filter(pk=task_run_id).update(
        result=ledger, done=F("done") + advance, updated_at=timezone.now()
    )


def _ledger(task_run_id: str, *, lock: bool = False) -> dict | None:
    """The run's ledger, None once the run has finished (its result is then the summary)."""
    runs = TaskRun.objects.select_for_update() if lock else TaskRun.objects
    status, result = runs.values_list("status", "result").get(pk=task_run_id)
    return None if status in FINISHED else result


def _step_committed(ledger: dict | None, number: int) -> bool:
    return ledger is None or number in ledger.get(COMMITTED, [])


def _validate_step(task_run_id: str, actor, step: Step) -> None:
    """Validate the step's declarations and, at the end of the same transaction, enter it in
    the ledger and count it (the run's row is locked only for that moment, so chunks run side
    by side). A step another delivery committed meanwhile is rolled back."""
    number, ids = step
    if _step_committed(_ledger(task_run_id), number):
        return
    with transaction.atomic():
        declaration_services.declarations_validate_in_chunks(actor=actor, declaration_ids=ids)
        ledger = _ledger(task_run_id, lock=True)
        if ledger is None or _step_committed(ledger, number):
            transaction.set_rollback(True)
            return
        committed = [*ledger.get(COMMITTED, []), number]
        _ledger_write(task_run_id, {**ledger, COMMITTED: committed}, len(ids))


def _validate_steps(task_run_id: str, user_id: int, steps: list[Step]) -> list[Step]:
    """Validate the steps in turn. When the soft time limit strikes, the step under way rolls
    back and the steps not committed are returned, to go on in a new task."""
    actor = _actor(user_id)
    done = 0
    try:
        with set_actor(actor):
            for step in steps:
                _validate_step(task_run_id, actor, step)
                done += 1
    except SoftTimeLimitExceeded:
        left = steps[done:]  # may start with a step that committed: its ledger entry skips it
        logger.warning("validation %s: near the time limit, %d steps go on", task_run_id, len(left))
        return left
    return []


def _finish_validation(task_run_id: str, ids: list[int]) -> bool:
    """End the run with its summary once every step is counted; False while one is not."""
    with transaction.atomic():
        run = TaskRun.objects.select_for_update().get(pk=task_run_id)
        if run.status in FINISHED:
            return True
        if run.done < run.total:
            return False
        progress_finish(run, result=validation_summary(ids))
    return True


@shared_task(bind=True, base=RunTask, name="declarations.validate", acks_late=True)
def validate_declarations_task(
    self, task_run_id: str, user_id: int, declaration_ids: list[int]
) -> None:
    """Plan the run and validate it: in this task when it is one chunk, otherwise as a group
    of chunk tasks whose chord ends the run. Where no result backend can join a chord (rpc://),
    every chunk runs here, in turn."""
    run = TaskRun.objects.get(pk=task_run_id)
    if run.status in FINISHED:  # delivered again after it finished
        return
    ids = sorted(set(declaration_ids))
    _start_once(task_run_id, len(ids))
    resumed_after = _ledger_open(task_run_id)
    chunks = validation_plan(ids[resumed_after:])
    if len(chunks) > 1 and _chords_work():
        _fan_out(task_run_id, user_id, ids, chunks)
        return
    if _validate_steps(task_run_id, user_id, [step for chunk in chunks for step in chunk]):
        # near the time limit: a new delivery of this task goes on after the committed steps
        return self.replace(validate_declarations_task.si(task_run_id, user_id, ids))
    _finish_validation(task_run_id, ids)
    return None


def _chords_work() -> bool:
    backend = current_app.conf.result_backend or ""
    eager = current_app.conf.task_always_eager
    return bool(eager or (backend and not backend.startswith("rpc")))


def _fan_out(task_run_id: str, user_id: int, ids: list[int], chunks: list[list[Step]]) -> None:
    """Send the chunks as a group with a chord that ends the run, once: a delivery after its
    worker died finds them sent (a second sending would only repeat committed steps)."""
    if (_ledger(task_run_id) or {FANNED_OUT: True}).get(FANNED_OUT):
        return
    # sent from the task, outside any transaction: the plan is in the messages
    chunk_tasks = [validate_chunk_task.si(task_run_id, user_id, chunk) for chunk in chunks]
    chord(chunk_tasks, finish_validation_task.si(task_run_id, ids)).apply_async()
    with transaction.atomic():
        ledger = _ledger(task_run_id, lock=True)
        if ledger is not None:  # not ended by the chord already (as in-process it is)
            _ledger_write(task_run_id, {**ledger, FANNED_OUT: len(chunks)})


@shared_task(bind=True, base=RunTask, name="declarations.validate_chunk", acks_late=True)
def validate_chunk_task(self, task_run_id: str, user_id: int, steps: list[Step]) -> None:
    """Validate one chunk of a run. Near the soft time limit, the steps not committed go on
    in a new task that takes this one's place in the chord."""
    if TaskRun.objects.filter(pk=task_run_id, status__in=FINISHED).exists():
        return None
    left = _validate_steps(task_run_id, user_id, [(number, ids) for number, ids in steps])
    if left:
        return self.replace(validate_chunk_task.si(task_run_id, user_id, left))
    return None


@shared_task(
    bind=True,
    base=RunTask,
    name="declarations.validate_finish",
    acks_late=True,
    max_retries=FINISH_RETRIES,
)
def finish_validation_task(self, task_run_id: str, declaration_ids: list[int]) -> None:
    """The chord's callback: ends the run with the same summary as a run in one task. A chunk
    delivered twice can make the chord call it early; it then waits for the count to fill."""
    if not _finish_validation(task_run_id, sorted(set(declaration_ids))):
        raise self.retry(countdown=FINISH_RETRY_SECONDS)


@shared_task(base=RunTask, name="declarations.export_batch", acks_late=True)
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
    validate_declarations_task.delay_on_commit(
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
    export_batch_task.delay_on_commit(
        str(run.pk), run.created_by_id, month.isoformat(), holder_id, funder_id, channel
    )


@shared_task(base=RunTask, name="declarations.import_hours", acks_late=True)
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
    import_hours_task.delay_on_commit(str(run.pk), actor.pk, upload.pk)
    return run


@shared_task(name="declarations.documents_purge", acks_late=True)
def documents_purge_task() -> dict:
    """Remove the archive's documents past their retention period (Celery beat runs it daily,
    ``CELERY_BEAT_SCHEDULE``): what it removed is logged and returned (ids per kind). A
    second delivery finds nothing more to remove."""
    from .documents.services import documents_purge

    return documents_purge().as_dict()
