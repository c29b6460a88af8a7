"""A month's validation fanned out over Celery tasks, run in-process (eager, as the test
settings and ``make run`` do): chunks of whole holders sent as a group whose chord ends the
run, progress counted per committed step, a chunk delivered again doing nothing, and a chunk
near its soft time limit rolling back its step and handing the rest to a new task.
(test_month_through_workers.py runs a month through two real workers.)"""

from collections import defaultdict
from datetime import date

from django.utils import timezone

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import task_prerun

from declarations import tasks
from declarations.constants import DeclarationStatus
from declarations.models import Declaration, Finding
from declarations.selectors.lists import validation_summary
from declarations.services import declarations as declaration_services
from declarations.services import hours as hour_services
from pgb_admin.core.models import TaskRun, TaskStatus
from pgb_admin.core.periods import previous_month

from .month import bureau_month

HOLDERS = 12
OCTOBER = date(2026, 10, 1)


@pytest.fixture
def small_chunks(settings, monkeypatch):
    """Chunks of 4 declarations in steps of 2: a month of 12 holders is 3 chunk tasks."""
    settings.VALIDATION_TASK_MIN_DECLARATIONS = 4
    monkeypatch.setattr(declaration_services, "VALIDATION_CHUNK", 2)


@pytest.fixture
def month_run(db, world):
    """A bureau's drafted month of HOLDERS holders (a declaration each) and its queued run."""
    month = previous_month(timezone.localdate())
    user, holder_ids = bureau_month(HOLDERS, month)
    started = declaration_services.bureau_validate(actor=user, month=month, holder_ids=holder_ids)
    return user, started.run, started.declaration_ids


@pytest.fixture
def tasks_run():
    """The names of the tasks that ran, in order."""
    ran: list[str] = []

    def record(sender=None, **kwargs):
        ran.append(sender.name)

    task_prerun.connect(record, weak=False)
    yield ran
    task_prerun.disconnect(record)


def _validate(user, run, ids) -> TaskRun:
    tasks.validate_declarations_task.apply(args=(str(run.pk), user.pk, ids)).get()
    run.refresh_from_db()
    return run


def _state(ids) -> tuple:
    return (
        sorted(Declaration.objects.filter(pk__in=ids).values_list("pk", "status")),
        sorted(Finding.objects.filter(declaration_id__in=ids).values_list("pk", "rule_code")),
    )


def test_chunk_size_follows_the_measured_cost(settings):
    """Defaults: ~10 ms a declaration, 60 s a task: at most 6,000 declarations a task, at
    least 1,000, otherwise an eighth of the run; a short soft time limit shrinks them."""
    sizes = {total: tasks.chunk_size(total) for total in (40, 1_000, 2_000, 20_000, 190_000)}
    assert sizes == {40: 1_000, 1_000: 1_000, 2_000: 1_000, 20_000: 2_500, 190_000: 6_000}
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 60
    assert tasks.chunk_size(190_000) == 1_500


def test_a_plan_keeps_each_holder_in_one_chunk_and_one_step(world, settings, monkeypatch):
    settings.VALIDATION_TASK_MIN_DECLARATIONS = 1
    monkeypatch.setattr(declaration_services, "VALIDATION_CHUNK", 1)
    holder_of = {}
    actor = world.users["staff"]
    for agreement in (world.mine_wmo_agreement, world.mine_wlz_agreement, world.theirs_agreement):
        hour_services.time_entries_fill_month(
            actor=actor, agreement_id=agreement.pk, month=OCTOBER, pattern={0: "4", 3: "4"}
        )
        declaration = declaration_services.declaration_draft(
            actor=actor, agreement_id=agreement.pk, month=OCTOBER
        )
        holder_of[declaration.pk] = agreement.holder_id
    chunks = tasks.validation_plan(sorted(holder_of))
    steps = [step for chunk in chunks for step in chunk]
    assert [number for number, _ids in steps] == list(range(len(steps)))
    assert sorted(pk for _number, ids in steps for pk in ids) == sorted(holder_of)
    chunk_of_holder: dict[int, set[int]] = defaultdict(set)
    for position, chunk in enumerate(chunks):
        for _number, ids in chunk:
            assert len({holder_of[pk] for pk in ids}) == 1  # steps of 1 declaration: a holder
            for pk in ids:
                chunk_of_holder[holder_of[pk]].add(position)
    assert all(len(positions) == 1 for positions in chunk_of_holder.values())
    assert any(len(ids) > 1 for _number, ids in steps), "no holder with two declarations"


def test_a_month_fans_out_and_the_chord_ends_the_run(month_run, small_chunks, tasks_run):
    user, run, ids = month_run
    run = _validate(user, run, ids)
    assert tasks_run == [
        "declarations.validate",
        *["declarations.validate_chunk"] * 3,
        "declarations.validate_finish",
    ]
    assert (run.status, run.done, run.total) == (TaskStatus.DONE, HOLDERS, HOLDERS)
    assert run.result == validation_summary(ids)
    statuses = dict(Declaration.objects.filter(pk__in=ids).values_list("pk", "status"))
    errors = set(
        Finding.objects.filter(declaration_id__in=ids, severity="error").values_list(
            "declaration_id", flat=True
        )
    )
    assert errors, "every third holder has more hours than agreed: findings expected"
    for pk, status in statuses.items():
        assert status == (DeclarationStatus.DRAFT if pk in errors else DeclarationStatus.VALIDATED)


def test_a_chunk_delivered_again_after_it_committed_does_nothing(month_run, small_chunks):
    user, run, ids = month_run
    (chunk, *_others) = tasks.validation_plan(ids)
    arguments = (str(run.pk), user.pk, chunk)
    tasks.validate_chunk_task.apply(args=arguments).get()
    once, counted = _state(ids), TaskRun.objects.get(pk=run.pk)
    tasks.validate_chunk_task.apply(args=arguments).get()
    again = TaskRun.objects.get(pk=run.pk)
    assert _state(ids) == once
    assert (again.done, again.result, again.updated_at) == (
        counted.done,
        counted.result,
        counted.updated_at,
    )
    assert counted.done == sum(len(step_ids) for _number, step_ids in chunk)


def test_a_run_delivered_again_after_its_chunks_were_sent_sends_none(month_run, small_chunks):
    user, run, ids = month_run
    TaskRun.objects.filter(pk=run.pk).update(
        status=TaskStatus.RUNNING, result={tasks.COMMITTED: [], tasks.FANNED_OUT: 3}
    )
    before = _state(ids)
    run = _validate(user, run, ids)
    assert run.status == TaskStatus.RUNNING
    assert _state(ids) == before


def test_the_last_step_waits_for_every_step_to_be_counted(month_run):
    user, run, ids = month_run
    declaration_services.declarations_validate_in_chunks(actor=user, declaration_ids=ids)
    TaskRun.objects.filter(pk=run.pk).update(status=TaskStatus.RUNNING, done=HOLDERS - 1)
    assert tasks._finish_validation(str(run.pk), ids) is False
    assert TaskRun.objects.get(pk=run.pk).status == TaskStatus.RUNNING
    TaskRun.objects.filter(pk=run.pk).update(done=HOLDERS)
    assert tasks._finish_validation(str(run.pk), ids) is True
    run.refresh_from_db()
    assert (run.status, run.result) == (TaskStatus.DONE, validation_summary(ids))


@pytest.mark.parametrize("fan_out", [True, False], ids=["chunk task", "run in one task"])
def test_a_soft_time_limit_rolls_back_the_step_and_requeues_the_rest(
    month_run, small_chunks, settings, monkeypatch, tasks_run, fan_out
):
    """The second step's validation is interrupted by SoftTimeLimitExceeded after it wrote:
    its transaction rolls back, and a new task (this one's stand-in) validates the steps left.
    The run ends as an uninterrupted one: every declaration validated once."""
    if not fan_out:
        settings.VALIDATION_TASK_MIN_DECLARATIONS = HOLDERS
    user, run, ids = month_run
    validate = declaration_services.declarations_validate_in_chunks
    calls: list[list[int]] = []

    def interrupted_once(*, actor, declaration_ids, on_chunk=None):
        result = validate(actor=actor, declaration_ids=declaration_ids, on_chunk=on_chunk)
        calls.append(declaration_ids)
        if len(calls) == 2:
            assert Finding.objects.filter(declaration_id__in=declaration_ids).exists() or (
                Declaration.objects.filter(
                    pk__in=declaration_ids, status=DeclarationStatus.VALIDATED
                ).exists()
            ), "the step wrote nothing before the limit struck"
            raise SoftTimeLimitExceeded()
        return result

    monkeypatch.setattr(declaration_services, "declarations_validate_in_chunks", interrupted_once)
    run = _validate(user, run, ids)

    assert calls[2] == calls[1], "the interrupted step is validated again, in the new task"
    assert sorted(pk for step in calls for pk in step) == sorted([*ids, *calls[1]])
    assert (run.status, run.done, run.total) == (TaskStatus.DONE, HOLDERS, HOLDERS)
    assert run.result == validation_summary(ids)
    interrupted = "declarations.validate_chunk" if fan_out else "declarations.validate"
    assert tasks_run.count(interrupted) == (4 if fan_out else 2)  # the stand-in ran too
    findings = Finding.objects.filter(declaration_id__in=ids)
    assert findings.count() == len(
        set(findings.values_list("declaration_id", "rule_code", "care_date"))
    )


@pytest.fixture
def rpc_backend():
    """Celery as with RabbitMQ: tasks sent to a broker, results on ``rpc://``, which cannot
    join a chord."""
    from celery import current_app

    keys = ("task_always_eager", "result_backend")
    before = {key: current_app.conf[key] for key in keys}
    current_app.conf.update(task_always_eager=False, result_backend="rpc://")
    yield
    current_app.conf.update(before)


def test_without_a_backend_that_joins_chords_a_run_is_validated_in_one_task(
    month_run, small_chunks, rpc_backend, tasks_run
):
    user, run, ids = month_run
    tasks.validate_declarations_task(str(run.pk), user.pk, ids)  # as a worker runs it
    run.refresh_from_db()
    assert tasks_run == []  # nothing sent: the chunks ran here, in turn
    assert (run.status, run.done, run.result) == (TaskStatus.DONE, HOLDERS, validation_summary(ids))


class _Broken(Exception):
    """An error no task handles (a bug, a lost database connection)."""


def test_a_chunk_that_fails_ends_the_run_as_failed_and_the_chunks_after_it_do_nothing(
    month_run, small_chunks, monkeypatch
):
    """The second chunk raises: the run is failed (not "running" for ever), the first chunk's
    steps stay committed and counted, and the third chunk, delivered after, changes nothing."""
    user, run, ids = month_run
    first, second, third = tasks.validation_plan(ids)
    validate = declaration_services.declarations_validate_in_chunks
    second_ids = {pk for _number, step_ids in second for pk in step_ids}

    def broken_in_the_second_chunk(*, actor, declaration_ids, on_chunk=None):
        if second_ids & set(declaration_ids):
            raise _Broken
        return validate(actor=actor, declaration_ids=declaration_ids, on_chunk=on_chunk)

    monkeypatch.setattr(
        declaration_services, "declarations_validate_in_chunks", broken_in_the_second_chunk
    )
    with pytest.raises(_Broken):  # eager: the error reaches the caller too
        _validate(user, run, ids)

    run.refresh_from_db()
    first_ids = [pk for _number, step_ids in first for pk in step_ids]
    assert (run.status, run.done, run.error) == (TaskStatus.FAILED, len(first_ids), "")
    validated = Declaration.objects.filter(status=DeclarationStatus.VALIDATED)
    assert validated.filter(pk__in=first_ids).exists()
    assert not validated.filter(pk__in=second_ids).exists()
    assert not Finding.objects.filter(declaration_id__in=second_ids).exists()
    before = _state(ids)
    tasks.validate_chunk_task.apply(args=(str(run.pk), user.pk, third)).get()
    assert _state(ids) == before
    assert TaskRun.objects.get(pk=run.pk).status == TaskStatus.FAILED


def test_an_export_that_fails_ends_its_run_as_failed(month_run, monkeypatch):
    user, _run, ids = month_run
    declaration_services.declarations_validate_in_chunks(actor=user, declaration_ids=ids)
    export = tasks.export_run_create(actor=user)

    def broken(**kwargs):
        raise _Broken

    monkeypatch.setattr(tasks, "month_export", broken)
    month = previous_month(timezone.localdate()).isoformat()
    with pytest.raises(_Broken):
        tasks.export_batch_task.apply(args=(str(export.pk), user.pk, month, None, None)).get()
    export.refresh_from_db()
    assert export.status == TaskStatus.FAILED
    assert not Declaration.objects.filter(pk__in=ids, batch__isnull=False).exists()
