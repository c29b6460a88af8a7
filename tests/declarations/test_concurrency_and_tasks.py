"""Two exports of one month at once, the Celery tasks, and the command line."""

import json
import threading
from datetime import date
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

import pytest

from declarations import tasks
from declarations.models import Batch, Declaration, Finding
from declarations.services import batches as batch_services
from declarations.services import declarations as declaration_services
from declarations.services import hours as hour_services
from declarations.services.batches import NothingToExport
from pgb_admin.core.models import TaskRun, TaskStatus

OCTOBER = date(2026, 10, 1)


def _validated(actor, agreements):
    ids = []
    for agreement in agreements:
        hour_services.time_entries_fill_month(
            actor=actor, agreement_id=agreement.pk, month=OCTOBER, pattern={0: "4", 3: "4"}
        )
        ids.append(
            declaration_services.declaration_draft(
                actor=actor, agreement_id=agreement.pk, month=OCTOBER
            ).pk
        )
    declaration_services.declaration_validate(actor=actor, declaration_ids=ids)
    return ids


@pytest.mark.django_db(transaction=True)
def test_two_exports_at_once_put_every_declaration_in_exactly_one_batch(world):
    staff = world.users["staff"]
    ids = _validated(
        staff, [world.mine_wmo_agreement, world.mine_wlz_agreement, world.theirs_agreement]
    )
    assert Declaration.objects.filter(pk__in=ids, status="validated").count() == 3
    barrier = threading.Barrier(2)
    outcomes = []

    def export():
        try:
            barrier.wait()
            outcomes.append(batch_services.batch_export(actor=staff, month=OCTOBER).pk)
        except NothingToExport as error:
            outcomes.append(error.error_dict["month"][0].code)
        except Exception as error:
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=export) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(outcomes) == 2, outcomes
    batches = [outcome for outcome in outcomes if isinstance(outcome, int)]
    assert len(batches) == 1, outcomes
    assert set(outcomes) - set(batches) <= {"exported_elsewhere", "nothing_to_export"}
    exported = Declaration.objects.filter(pk__in=ids)
    assert {d.batch_id for d in exported} == set(batches)
    assert Batch.objects.count() == 1
    assert Batch.objects.get().declaration_count == 3


def test_validation_task_reports_progress_and_can_run_twice(
    world, django_capture_on_commit_callbacks
):
    actor = world.users["bureau"]
    ids = _validated(actor, [world.mine_wmo_agreement, world.mine_wlz_agreement])
    Declaration.objects.filter(pk__in=ids).update(status="draft")
    with django_capture_on_commit_callbacks(execute=True):
        run = tasks.start_validation(actor=actor, declaration_ids=ids)
    run.refresh_from_db()
    assert (run.status, run.done, run.total, run.percent) == (TaskStatus.DONE, 2, 2, 100)
    assert run.result["declarations"] == 2
    state = sorted(Finding.objects.values_list("declaration_id", "rule_code", "params"))
    statuses = sorted(Declaration.objects.values_list("pk", "status"))
    tasks.validate_declarations_task(str(run.pk), actor.pk, ids)  # delivered a second time
    assert sorted(Finding.objects.values_list("declaration_id", "rule_code", "params")) == state
    assert sorted(Declaration.objects.values_list("pk", "status")) == statuses


def test_export_task_runs_once_even_when_delivered_twice(world, django_capture_on_commit_callbacks):
    actor = world.users["representative"]
    _validated(actor, [world.mine_wmo_agreement])
    with django_capture_on_commit_callbacks(execute=True):
        run = tasks.start_export(actor=actor, month=OCTOBER)
    run.refresh_from_db()
    assert run.status == TaskStatus.DONE
    batch_id = run.result["batch_id"]
    tasks.export_batch_task(str(run.pk), actor.pk, OCTOBER.isoformat(), None, None)
    run.refresh_from_db()
    assert run.result["batch_id"] == batch_id
    assert Batch.objects.count() == 1


def test_export_task_records_a_failure_clearly(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = tasks.start_export(actor=world.users["representative"], month=OCTOBER)
    run.refresh_from_db()
    assert run.status == TaskStatus.FAILED
    assert "10-2026" in run.error


def test_task_runs_are_visible_to_their_starter_only(world):
    run = TaskRun.objects.create(kind="validate", created_by=world.users["bureau"])
    assert list(TaskRun.objects.visible_to(world.users["bureau"])) == [run]
    assert not TaskRun.objects.visible_to(world.users["holder"]).exists()


# --- command line --------------------------------------------------------------------------


def _command(name, *args):
    """Run a command as the shell would: its exit code, its output and its error output."""
    out, err = StringIO(), StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue() + str(error)
    return 0, out.getvalue(), err.getvalue()


def test_validate_command_exit_codes_and_json(world):
    actor = world.users["holder"]
    hour_services.time_entries_fill_month(
        actor=actor, agreement_id=world.mine_wmo_agreement.pk, month=OCTOBER, pattern={0: "4"}
    )
    code, out, err = _command("validate_declarations", "--period", "2026-10", "--format", "json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["declarations"] == payload["validated"] == 1
    assert "validating" in err

    hour_services.time_entry_add(
        actor=actor,
        agreement_id=world.mine_wlz_agreement.pk,
        care_date=date(2026, 11, 30),
        quantity="4",
    )
    code, out, _err = _command("validate_declarations", "--period", "2026-11", "--language", "en")
    assert code == 1
    assert "declaration.month_not_over" in out
    assert "entry.in_future" in out
    assert world.mine.bsn not in out


@pytest.mark.parametrize(
    "arguments",
    [
        ["--period", "2026-13"],
        ["--period", "oktober"],
        ["--period", "2026-10", "--funder", "GM9999"],
        ["--period", "2026-10", "--holder", "999999"],
        ["--period", "2026-10", "--user", "nobody"],
    ],
)
def test_validate_command_bad_arguments_exit_2(world, arguments):
    code, _out, _err = _command("validate_declarations", *arguments)
    assert code == 2


def test_export_command_writes_the_files_and_their_checksums(world, tmp_path):
    import hashlib

    _validated(world.users["holder"], [world.mine_wmo_agreement])
    code, out, err = _command("export_svb_batch", "--period", "2026-10", "--out", str(tmp_path))
    assert code == 0, err
    files = sorted(Path(tmp_path).iterdir())
    assert [f.suffix for f in files] == [".csv", ".html", ".xlsx"]
    for file in files:
        assert hashlib.sha256(file.read_bytes()).hexdigest() in out
    code, out, err = _command("export_svb_batch", "--period", "2026-10", "--out", str(tmp_path))
    assert code == 1
    assert "10-2026" in err


@pytest.mark.parametrize(("language", "title"), [("en", "Grant exceeded")])
def test_rules_command_lists_the_catalogue(language, title):
    from declarations.validation.registry import catalogue

    code, out, _err = _command("rules", "--language", language, "--format", "json")
    rules = json.loads(out)
    assert code == 0
    assert {rule["code"] for rule in rules} == set(catalogue())
    assert title in {rule["title"] for rule in rules}
    assert all(rule["source"] and rule["valid_from"] for rule in rules)
