"""Every registered Celery task can be delivered twice (a worker died before it acknowledged,
the broker sent it again) and leaves the same state as one delivery. The test fails when a
task is registered without a case here."""

import uuid
from datetime import date, timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

import pytest
from celery import current_app

from declarations import tasks
from declarations.models import (
    Batch,
    BatchFile,
    Declaration,
    DeclarationLine,
    Document,
    Expense,
    Finding,
    HoursUpload,
    TimeEntry,
)
from declarations.services import declarations as declaration_services
from declarations.services import hours as hour_services
from pgb_admin.core.models import TaskRun
from reports import tasks as report_tasks
from reports.models import Notice, ReportFile

OCTOBER = date(2026, 10, 1)


def _validated_october(world):
    actor = world.users["representative"]
    agreement = world.mine_wmo_agreement
    hour_services.time_entries_fill_month(
        actor=actor, agreement_id=agreement.pk, month=OCTOBER, pattern={0: "4", 3: "4"}
    )
    declaration = declaration_services.declaration_draft(
        actor=actor, agreement_id=agreement.pk, month=OCTOBER
    )
    return actor, declaration


def _run(actor, kind) -> str:
    return str(TaskRun.objects.create(kind=kind, created_by=actor).pk)


def _validate(world):
    actor, declaration = _validated_october(world)
    return [_run(actor, "validate"), actor.pk, [declaration.pk]]


def _validate_chunk(world):
    """A chunk of a fanned-out run: one step (number 0) of one declaration."""
    actor, declaration = _validated_october(world)
    run = TaskRun.objects.create(kind="validate", created_by=actor, status="running", total=1)
    return [str(run.pk), actor.pk, [[0, [declaration.pk]]]]


def _validate_finish(world):
    """The chord's callback of a run whose steps are all counted."""
    actor, declaration = _validated_october(world)
    declaration_services.declaration_validate(actor=actor, declaration_ids=[declaration.pk])
    run = TaskRun.objects.create(
        kind="validate", created_by=actor, status="running", total=1, done=1
    )
    return [str(run.pk), [declaration.pk]]


def _export(world):
    actor, declaration = _validated_october(world)
    declaration_services.declaration_validate(actor=actor, declaration_ids=[declaration.pk])
    return [_run(actor, "export"), actor.pk, OCTOBER.isoformat(), world.mine.pk, None]


def _import(world):
    actor = world.users["representative"]
    content = (
        "Zorgovereenkomst;Datum;Aantal\r\n"
        f"{world.mine_wmo_agreement.pk};2026-10-05;4\r\n"
        f"{world.mine_wmo_agreement.pk};2026-10-08;3,5\r\n"
    ).encode()
    run = TaskRun.objects.create(kind="import", created_by=actor)
    upload = HoursUpload.objects.create(
        created_by=actor,
        filename="uren.csv",
        content=content,
        size=len(content),
        sha256="0" * 64,
        language="nl",
        task_run=run,
    )
    return [str(run.pk), actor.pk, upload.pk]


def _municipality(world):
    actor = world.users["auditor_same"]
    return [_run(actor, "municipality_report"), actor.pk, world.the_hague.pk, 2026, "nl"]


def _worker_health(world):
    return [uuid.uuid4().hex]


def _purge(world):
    """An expired run with an upload, and a run that is kept, for the purge to tell apart."""
    _import(world)
    expired = TaskRun.objects.create(kind="import", created_by=world.users["holder"], status="done")
    HoursUpload.objects.create(
        created_by=world.users["holder"],
        filename="oud.csv",
        content=b"x",
        size=1,
        sha256="0" * 64,
        language="nl",
        task_run=expired,
    )
    TaskRun.objects.filter(pk=expired.pk).update(updated_at=timezone.now() - timedelta(days=90))
    return []


def _documents_purge(world):
    """A document past its retention period (and its file), and one that is kept."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from declarations.documents.services import DocumentData, document_upload

    from .declarations.hostile_documents import pdf

    for text, day in (("oud", date(2018, 1, 2)), ("nieuw", date(2026, 1, 2))):
        document_upload(
            actor=world.users["holder"],
            holder_id=world.mine.pk,
            data=DocumentData(kind="letter", document_date=day),
            file=SimpleUploadedFile("brief.pdf", pdf(text=text)),
            filename="brief.pdf",
        )
    return []


CASES = {
    "declarations.validate": _validate,
    "declarations.validate_chunk": _validate_chunk,
    "declarations.validate_finish": _validate_finish,
    "declarations.export_batch": _export,
    "declarations.import_hours": _import,
    "reports.municipality": _municipality,
    "pgb_admin.core.worker_health": _worker_health,
    "pgb_admin.core.purge_expired": _purge,
    "declarations.documents_purge": _documents_purge,
    # the world's Monday: reminders of several kinds are due (reports.reminders)
    "reports.send_reminders": lambda world: ["2026-11-23"],
}


def _snapshot() -> dict:
    """Everything a task may change, by value (not by when it was written)."""
    return {
        "entries": sorted(TimeEntry.objects.values_list("agreement_id", "care_date", "quantity")),
        "expenses": sorted(Expense.objects.values_list("agreement_id", "expense_date", "amount")),
        "declarations": sorted(
            Declaration.objects.values_list("pk", "status", "total_amount", "batch_id")
        ),
        "lines": DeclarationLine.objects.count(),
        "findings": sorted(Finding.objects.values_list("declaration_id", "rule_code", "care_date")),
        "batches": sorted(Batch.objects.values_list("pk", "declaration_count", "total_amount")),
        "batch_files": sorted(BatchFile.objects.values_list("batch_id", "format", "sha256")),
        "report_files": sorted(ReportFile.objects.values_list("task_run_id", "format", "size")),
        "task_runs": sorted(
            (str(pk), status, total, done, str(result))
            for pk, status, total, done, result in TaskRun.objects.values_list(
                "pk", "status", "total", "done", "result"
            )
        ),
        "hours_uploads": sorted(HoursUpload.objects.values_list("pk", "task_run_id")),
        "documents": sorted(Document.objects.values_list("pk", "sha256")),
        "users": get_user_model().objects.count(),
        "notices": sorted(
            (user_id, kind, occurrence, emailed_at is not None)
            for user_id, kind, occurrence, emailed_at in Notice.objects.values_list(
                "user_id", "kind", "occurrence", "emailed_at"
            )
        ),
        "emails": len(mail.outbox),
    }


def _registered() -> set[str]:
    current_app.loader.import_default_modules()  # what a worker imports when it starts
    return {name for name in current_app.tasks if not name.startswith("celery.")}


def test_every_registered_task_has_a_case():
    assert _registered() == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_task_delivered_twice_leaves_the_state_of_one_delivery(world, name):
    assert name in _registered()
    task = current_app.tasks[name]
    arguments = CASES[name](world)
    task.apply(args=arguments).get()
    once = _snapshot()
    task.apply(args=arguments).get()
    assert _snapshot() == once


def test_tasks_acknowledge_late_and_are_sent_after_commit():
    """A task is acknowledged after it ran, so a worker that dies hands it to another; the
    start functions send tasks only when the request's transaction commits."""
    _registered()
    for name in CASES:
        task = current_app.tasks[name]
        if name == "pgb_admin.core.worker_health":
            continue  # reads nothing; acknowledged at once on purpose
        assert task.acks_late, name
    assert current_app.conf.task_reject_on_worker_lost
    assert current_app.conf.task_time_limit
    assert current_app.conf.task_soft_time_limit
    source = "".join(Path(module.__file__).read_text() for module in (tasks, report_tasks))
    assert ".delay(" not in source
    # the one exception: the validation task sends its chunks' chord from the worker, outside
    # any transaction (what it sends is in the messages, not in rows still to commit)
    assert source.count(".apply_async(") == 1
    assert "chord(chunk_tasks, finish_validation_task.si(task_run_id, ids)).apply_async()" in (
        source
    )
