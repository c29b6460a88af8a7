"""A task delivered again after its worker died: the validation resumes after the last chunk
that committed, and a run that finished is left as it is. (tests/worker does the same with a
real worker SIGKILLed on Redis.)"""

from datetime import date

from declarations import tasks
from declarations.constants import DeclarationStatus
from declarations.models import Batch, Declaration, Finding
from declarations.services import declarations as declaration_services
from declarations.services import hours as hour_services
from pgb_admin.core.models import TaskRun, TaskStatus

OCTOBER = date(2026, 10, 1)


def _drafts(world):
    actor = world.users["staff"]
    ids = []
    for agreement in (world.mine_wmo_agreement, world.mine_wlz_agreement, world.theirs_agreement):
        hour_services.time_entries_fill_month(
            actor=actor, agreement_id=agreement.pk, month=OCTOBER, pattern={0: "4", 3: "4"}
        )
        declaration = declaration_services.declaration_draft(
            actor=actor, agreement_id=agreement.pk, month=OCTOBER
        )
        ids.append(declaration.pk)
    return actor, sorted(ids)


def test_a_redelivered_validation_resumes_after_the_last_committed_chunk(world, monkeypatch):
    monkeypatch.setattr(declaration_services, "VALIDATION_CHUNK", 1)
    actor, ids = _drafts(world)
    # the first delivery committed its first chunk with its count, then its worker died
    run = TaskRun.objects.create(
        kind="validate", created_by=actor, status=TaskStatus.RUNNING, total=3, done=1
    )
    tasks.validate_declarations_task(str(run.pk), actor.pk, ids)
    statuses = dict(Declaration.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert statuses == {
        ids[0]: DeclarationStatus.DRAFT,  # the dead delivery's chunk: not done again
        ids[1]: DeclarationStatus.VALIDATED,
        ids[2]: DeclarationStatus.VALIDATED,
    }
    run.refresh_from_db()
    assert (run.status, run.done, run.total) == (TaskStatus.DONE, 3, 3)
    assert run.result == {"declarations": 3, "validated": 2, "with_errors": 0}


def test_a_validation_delivered_after_it_finished_does_nothing(world):
    actor, ids = _drafts(world)
    run = TaskRun.objects.create(kind="validate", created_by=actor)
    tasks.validate_declarations_task(str(run.pk), actor.pk, ids)
    run.refresh_from_db()
    findings = sorted(Finding.objects.filter(declaration_id__in=ids).values_list("pk", flat=True))
    assert run.status == TaskStatus.DONE
    tasks.validate_declarations_task(str(run.pk), actor.pk, ids)
    again = TaskRun.objects.get(pk=run.pk)
    assert (again.updated_at, again.result) == (run.updated_at, run.result)
    # not validated again: the findings are the same rows, not new ones
    assert (
        sorted(Finding.objects.filter(declaration_id__in=ids).values_list("pk", flat=True))
        == findings
    )


def test_an_export_delivered_after_it_finished_does_nothing(world):
    actor, ids = _drafts(world)
    declaration_services.declaration_validate(actor=actor, declaration_ids=ids)
    run = TaskRun.objects.create(kind="export", created_by=actor)
    arguments = (str(run.pk), actor.pk, OCTOBER.isoformat(), None, None)
    tasks.export_batch_task(*arguments)
    run.refresh_from_db()
    assert run.status == TaskStatus.DONE
    assert run.result["declarations"] == 3
    tasks.export_batch_task(*arguments)
    again = TaskRun.objects.get(pk=run.pk)
    assert (again.updated_at, again.result) == (run.updated_at, run.result)
    assert Batch.objects.count() == 1
