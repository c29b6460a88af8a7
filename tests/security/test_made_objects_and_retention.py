"""Issue 14, findings 4 and 5 (reports): what a user made (batches, report files, task runs and
their results, hours uploads) is served only while the user's mandate or auditor scope covers
its holders or funder today; report files and task results are purged after their retention
period; and a user has at most ``REPORT_RUNS_PER_USER`` reports in the making at once."""

from datetime import timedelta

from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest

from declarations import tasks
from declarations.models import Batch, HoursUpload
from declarations.services import batches as batch_services
from declarations.services import declarations as declaration_services
from declarations.services import hours as hour_services
from pgb_admin.accounts.models import AuditorScope, Mandate
from pgb_admin.budgets.constants import Scheme
from pgb_admin.core.models import TaskRun, TaskStatus
from pgb_admin.core.services import purge_expired
from reports.limits import report_render_slot
from reports.models import ReportFile

from ..api.conftest import OCTOBER, token_client
from ..conftest import TODAY, _agreement, _holder_with_grants
from ..factories import HolderProviderFactory, MandateFactory, ProviderFactory
from ..two_factor import verified_login

V1 = "/api/v1"
CLEAN_WEEK = {0: "4", 3: "4"}  # Mondays and Thursdays: the agreed 8 hours a week
YESTERDAY = TODAY - timedelta(days=1)


def _validated(actor, agreement, month=OCTOBER):
    hour_services.time_entries_fill_month(
        actor=actor, agreement_id=agreement.pk, month=month, pattern=CLEAN_WEEK
    )
    declaration = declaration_services.declaration_draft(
        actor=actor, agreement_id=agreement.pk, month=month
    )
    declaration_services.declaration_validate(actor=actor, declaration_ids=[declaration.pk])
    declaration.refresh_from_db()
    assert declaration.status == "validated"
    return declaration


def _end_mandate(user, holder) -> None:
    assert Mandate.objects.filter(user=user, holder=holder).update(valid_to=YESTERDAY)


def _end_scope(user, funder) -> None:
    assert AuditorScope.objects.filter(user=user, funder=funder).update(valid_to=YESTERDAY)


def _second_holder(world, persona: str):
    """A holder of The Hague that ``persona`` also acts for (as a bureau), with an agreement."""
    holder, (budget,) = _holder_with_grants([world.the_hague], [Scheme.WMO], "Tweede")
    provider = ProviderFactory()
    HolderProviderFactory(holder=holder, provider=provider)
    MandateFactory(
        user=world.users[persona], holder=holder, role="bureau", valid_from=TODAY - timedelta(200)
    )
    return holder, _agreement(holder, provider, budget)


def _web(user) -> Client:
    return verified_login(Client(HTTP_ACCEPT_LANGUAGE="en"), user)


# --- batches ----------------------------------------------------------------------------------


def test_a_batch_is_not_served_to_its_maker_once_their_mandate_ended(world):
    representative = world.users["representative"]
    _validated(representative, world.mine_wmo_agreement)
    batch = batch_services.batch_export(
        actor=representative, month=OCTOBER, holder_id=world.mine.pk
    )
    api = token_client(representative)
    web = _web(representative)
    paths = [f"{V1}/batches/{batch.pk}/", f"{V1}/batches/{batch.pk}/csv/"]
    page = reverse("declarations:download", args=[batch.pk, "csv"])
    assert [api.get(path).status_code for path in paths] == [200, 200]
    assert web.get(page).status_code == 200

    _end_mandate(representative, world.mine)

    assert [api.get(path).status_code for path in paths] == [404, 404]
    assert api.get(f"{V1}/batches/{batch.pk}/xlsx/").status_code == 404
    assert api.get(f"{V1}/batches/").json()["results"] == []
    assert web.get(page).status_code == 404
    # those who act for the holder today still have it
    assert token_client(world.users["holder"]).get(paths[1]).status_code == 200
    assert token_client(world.users["staff"]).get(paths[1]).status_code == 200


def test_a_declaration_page_links_its_batch_files_only_for_who_may_download_them(world):
    """An auditor or read-only family member sees which batch a declaration went in, without
    links that would answer 404."""
    holder = world.users["holder"]
    declaration = _validated(holder, world.mine_wmo_agreement)
    batch = batch_services.batch_export(actor=holder, month=OCTOBER, holder_id=world.mine.pk)
    page = reverse("declarations:detail", args=[declaration.pk])
    download = reverse("declarations:download", args=[batch.pk, "csv"])
    printable = reverse("declarations:export_page", args=[batch.pk])
    html = _web(holder).get(page).content.decode()
    assert download in html
    assert printable in html
    for persona in ("auditor_same", "family"):
        client = _web(world.users[persona])
        html = client.get(page).content.decode()
        assert "PGB Portaal entry aid" in html, persona
        assert download not in html, persona
        assert printable not in html, persona
        assert client.get(download).status_code == 404, persona
        assert client.get(printable).status_code == 404, persona


def test_a_batch_of_several_holders_is_its_makers_only_while_they_act_for_all(world):
    bureau = world.users["bureau"]
    second, second_agreement = _second_holder(world, "bureau")
    _validated(bureau, world.mine_wmo_agreement)
    _validated(bureau, second_agreement)
    batch = batch_services.batch_export(actor=bureau, month=OCTOBER)
    assert batch.holder is None
    assert {d.agreement.holder_id for d in batch.declarations.all()} == {world.mine.pk, second.pk}
    path = f"{V1}/batches/{batch.pk}/csv/"
    assert token_client(bureau).get(path).status_code == 200
    # the holder's own people do not see the other holder's declarations
    for persona in ("holder", "representative", "family", "auditor_same"):
        assert token_client(world.users[persona]).get(path).status_code == 404, persona

    _end_mandate(bureau, second)  # still the bureau of ``mine``, no longer of ``second``

    assert token_client(bureau).get(path).status_code == 404
    assert not Batch.objects.visible_to(bureau).filter(pk=batch.pk).exists()
    assert Batch.objects.visible_to(world.users["staff"]).filter(pk=batch.pk).exists()


# --- report files -----------------------------------------------------------------------------


def _municipality_run(world, django_capture_on_commit_callbacks):
    auditor = token_client(world.users["auditor_same"])
    with django_capture_on_commit_callbacks(execute=True):
        response = auditor.post(f"{V1}/reports/municipalities/GM0518/runs/", {"year": 2026})
    assert response.status_code == 202
    return auditor, TaskRun.objects.get(pk=response.json()["id"])


def test_report_files_are_not_served_once_the_auditors_scope_ended(
    world, django_capture_on_commit_callbacks
):
    auditor, run = _municipality_run(world, django_capture_on_commit_callbacks)
    assert run.funder == world.the_hague
    files = list(ReportFile.objects.filter(task_run=run).order_by("format"))
    assert sorted(f.format for f in files) == ["csv", "png", "xlsx"]
    paths = [f"{V1}/reports/files/{f.pk}/" for f in files]
    assert [auditor.get(path).status_code for path in paths] == [200, 200, 200]
    assert auditor.get(f"{V1}/tasks/{run.pk}/").status_code == 200

    _end_scope(world.users["auditor_same"], world.the_hague)

    assert [auditor.get(path).status_code for path in paths] == [404, 404, 404]
    assert auditor.get(f"{V1}/tasks/{run.pk}/").status_code == 404
    assert auditor.get(f"{V1}/tasks/").json()["results"] == []
    staff = token_client(world.users["staff"])
    assert [staff.get(path).status_code for path in paths] == [200, 200, 200]


def test_a_report_file_follows_the_funder_not_any_scope(world):
    """An auditor who now audits another funder does not keep the files of the first."""
    auditor = world.users["auditor_same"]
    run = TaskRun.objects.create(
        kind="municipality_report", created_by=auditor, funder=world.the_hague, status="done"
    )
    made = ReportFile.objects.create(
        task_run=run,
        created_by=auditor,
        funder=world.the_hague,
        year=2026,
        format="csv",
        filename="r.csv",
        content=b"x",
        size=1,
        sha256="0" * 64,
    )
    AuditorScope.objects.create(user=auditor, funder=world.assen, valid_from=TODAY)
    assert ReportFile.objects.visible_to(auditor).filter(pk=made.pk).exists()
    _end_scope(auditor, world.the_hague)
    assert not ReportFile.objects.visible_to(auditor).filter(pk=made.pk).exists()
    assert not TaskRun.objects.visible_to(auditor).filter(pk=run.pk).exists()


# --- task runs and hours uploads ---------------------------------------------------------------


def test_a_task_run_is_not_served_once_its_holder_is_no_longer_covered(world):
    representative = world.users["representative"]
    hour_services.time_entries_fill_month(
        actor=representative,
        agreement_id=world.mine_wmo_agreement.pk,
        month=OCTOBER,
        pattern=CLEAN_WEEK,
    )
    declaration_services.declarations_draft_period(actor=representative, month=OCTOBER)
    api = token_client(representative)
    response = api.post(
        f"{V1}/declarations/validate-period/", {"month": "2026-10", "holder": world.mine.pk}
    )
    assert response.status_code == 202
    run = TaskRun.objects.get(pk=response.json()["id"])
    assert set(run.holders.all()) == {world.mine}
    web = _web(representative)
    page = reverse("declarations:task_progress", args=[run.pk])
    assert api.get(f"{V1}/tasks/{run.pk}/").status_code == 200
    assert web.get(page).status_code == 200

    _end_mandate(representative, world.mine)

    assert api.get(f"{V1}/tasks/{run.pk}/").status_code == 404
    assert api.get(f"{V1}/tasks/").json()["results"] == []
    assert web.get(page).status_code == 404


def test_a_run_about_several_holders_needs_all_of_them(world):
    bureau = world.users["bureau"]
    second, second_agreement = _second_holder(world, "bureau")
    ids = [
        _validated(bureau, world.mine_wmo_agreement).pk,
        _validated(bureau, second_agreement).pk,
    ]
    run = tasks.start_validation(actor=bureau, declaration_ids=ids)
    assert set(run.holders.all()) == {world.mine, second}
    assert TaskRun.objects.visible_to(bureau).filter(pk=run.pk).exists()
    _end_mandate(bureau, second)
    assert not TaskRun.objects.visible_to(bureau).filter(pk=run.pk).exists()


def test_an_export_run_is_about_the_holders_of_its_batch(world, django_capture_on_commit_callbacks):
    bureau = world.users["bureau"]
    second, second_agreement = _second_holder(world, "bureau")
    _validated(bureau, world.mine_wmo_agreement)
    _validated(bureau, second_agreement)
    with django_capture_on_commit_callbacks() as sent:
        run = tasks.start_export(actor=bureau, month=OCTOBER)
    assert not run.holders.exists()  # not known until the batch is made
    for send in sent:
        send()
    run.refresh_from_db()
    assert run.status == TaskStatus.DONE
    assert set(run.holders.all()) == {world.mine, second}
    one = tasks.start_export(actor=bureau, month=OCTOBER, holder_id=second.pk)
    assert set(one.holders.all()) == {second}


def test_an_import_run_is_its_makers_until_its_holders_are_known(
    world, django_capture_on_commit_callbacks
):
    representative = world.users["representative"]
    content = (
        f"Zorgovereenkomst;Datum;Aantal\r\n{world.mine_wmo_agreement.pk};2026-10-05;4\r\n"
    ).encode()

    def start():
        return tasks.start_import(
            actor=representative,
            filename="uren.csv",
            content=content,
            dry_run=False,
            language="nl",
        )

    queued = start()  # the worker has not read the file yet: about nothing
    assert not queued.holders.exists()
    assert TaskRun.objects.visible_to(representative).filter(pk=queued.pk).exists()
    assert not TaskRun.objects.visible_to(world.users["holder"]).filter(pk=queued.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        run = start()
    run.refresh_from_db()
    assert run.status == TaskStatus.DONE
    assert set(run.holders.all()) == {world.mine}
    page = reverse("declarations:import_result", args=[run.pk])
    web = _web(representative)
    assert web.get(page).status_code == 200
    upload = HoursUpload.objects.get(task_run=run)
    assert HoursUpload.objects.visible_to(representative).filter(pk=upload.pk).exists()
    assert not HoursUpload.objects.visible_to(world.users["staff"]).filter(pk=upload.pk).exists()

    _end_mandate(representative, world.mine)

    assert web.get(page).status_code == 404
    assert not HoursUpload.objects.visible_to(representative).filter(pk=upload.pk).exists()


# --- retention ----------------------------------------------------------------------------------


def _age(model, pk, days: int, field: str) -> None:
    model.objects.filter(pk=pk).update(**{field: timezone.now() - timedelta(days=days)})


def _report_file(world, run, file_format="csv"):
    return ReportFile.objects.create(
        task_run=run,
        created_by=run.created_by,
        funder=world.the_hague,
        year=2026,
        format=file_format,
        filename=f"r.{file_format}",
        content=b"x",
        size=1,
        sha256="0" * 64,
    )


def _upload(user, run):
    return HoursUpload.objects.create(
        created_by=user,
        filename="uren.csv",
        content=b"x",
        size=1,
        sha256="0" * 64,
        language="nl",
        task_run=run,
    )


@pytest.fixture
def aged(world):
    """Old and new report files, task runs and uploads (31 days is past the default 30)."""
    auditor, representative = world.users["auditor_same"], world.users["representative"]
    done = TaskStatus.DONE
    old_report = TaskRun.objects.create(kind="municipality_report", created_by=auditor, status=done)
    old_file = _report_file(world, old_report)
    _age(ReportFile, old_file.pk, 31, "created_at")
    _age(TaskRun, old_report.pk, 31, "updated_at")
    new_report = TaskRun.objects.create(kind="municipality_report", created_by=auditor, status=done)
    new_file = _report_file(world, new_report)
    old_import = TaskRun.objects.create(kind="import", created_by=representative, status=done)
    old_upload = _upload(representative, old_import)
    _age(TaskRun, old_import.pk, 31, "updated_at")
    stuck = TaskRun.objects.create(kind="import", created_by=representative, status="running")
    stuck_upload = _upload(representative, stuck)
    _age(TaskRun, stuck.pk, 31, "updated_at")
    new_import = TaskRun.objects.create(kind="import", created_by=representative, status=done)
    new_upload = _upload(representative, new_import)
    _validated(representative, world.mine_wmo_agreement)
    export = TaskRun.objects.create(kind="export", created_by=representative, status=done)
    batch = batch_services.batch_export(
        actor=representative, month=OCTOBER, holder_id=world.mine.pk, task_run=export
    )
    _age(TaskRun, export.pk, 31, "updated_at")
    return {
        "removed_runs": {old_report.pk, old_import.pk, export.pk},
        "kept_runs": {new_report.pk, stuck.pk, new_import.pk},
        "removed_files": {old_file.pk},
        "kept_files": {new_file.pk},
        "removed_uploads": {old_upload.pk},
        "kept_uploads": {stuck_upload.pk, new_upload.pk},
        "batch": batch,
    }


def test_the_purge_removes_what_is_past_its_retention_and_keeps_the_rest(aged):
    assert purge_expired().as_dict() == {"report_files": 1, "task_runs": 3, "hours_uploads": 1}
    runs = set(TaskRun.objects.values_list("pk", flat=True))
    assert runs & aged["removed_runs"] == set()
    assert aged["kept_runs"] <= runs
    assert set(ReportFile.objects.values_list("pk", flat=True)) == aged["kept_files"]
    assert set(HoursUpload.objects.values_list("pk", flat=True)) == aged["kept_uploads"]
    # SVB batches are the record of what was declared: kept, without their run
    batch = Batch.objects.get(pk=aged["batch"].pk)
    assert batch.task_run is None
    assert batch.files.count() == 2
    assert purge_expired().as_dict() == {"report_files": 0, "task_runs": 0, "hours_uploads": 0}


def test_a_run_stays_while_its_report_files_are_kept(world, settings):
    settings.REPORT_FILE_RETENTION_DAYS = 90
    auditor = world.users["auditor_same"]
    run = TaskRun.objects.create(kind="municipality_report", created_by=auditor, status="done")
    made = _report_file(world, run)
    _age(ReportFile, made.pk, 40, "created_at")
    _age(TaskRun, run.pk, 40, "updated_at")
    assert purge_expired().as_dict() == {"report_files": 0, "task_runs": 0, "hours_uploads": 0}
    _age(ReportFile, made.pk, 91, "created_at")
    assert purge_expired().as_dict() == {"report_files": 1, "task_runs": 1, "hours_uploads": 0}


def test_the_retention_periods_are_settings(aged, settings):
    settings.REPORT_FILE_RETENTION_DAYS = 60
    settings.TASK_RESULT_RETENTION_DAYS = 60
    assert purge_expired().as_dict() == {"report_files": 0, "task_runs": 0, "hours_uploads": 0}


def test_the_purge_command_says_what_it_removed(aged, capsys):
    call_command("purge_expired")
    assert capsys.readouterr().out.strip() == (
        "Removed 1 report files (older than 30 days), 3 task runs and 1 hours uploads "
        "(older than 30 days)."
    )
    call_command("purge_expired")
    assert "Removed 0 report files" in capsys.readouterr().out


def test_the_purge_runs_daily_with_celery_beat():
    from celery import current_app

    schedule = current_app.conf.beat_schedule["purge-expired"]
    current_app.loader.import_default_modules()
    assert schedule["task"] in current_app.tasks
    every = schedule["schedule"]  # once a night, every day
    assert (len(every.hour), len(every.minute), len(every.day_of_week)) == (1, 1, 7)


# --- reports in the making at once --------------------------------------------------------------


def _assert_too_many(response) -> None:
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "too_many_report_runs"
    assert int(response["Retry-After"]) > 0


def test_report_tasks_in_the_making_are_capped_per_user(world, settings):
    settings.REPORT_RUNS_PER_USER = 2
    auditor = token_client(world.users["auditor_same"])
    path = f"{V1}/reports/municipalities/GM0518/runs/"
    # the test's transaction never commits, so the runs stay queued
    assert [auditor.post(path, {"year": 2026}).status_code for _ in range(2)] == [202, 202]
    before = TaskRun.objects.count()
    refused = auditor.post(path, {"year": 2026})
    _assert_too_many(refused)
    assert "2 reports" in refused.json()["detail"]
    assert TaskRun.objects.count() == before
    # one that made no progress for longer than a task may run no longer counts
    stale = TaskRun.objects.filter(kind="municipality_report").first()
    _age(TaskRun, stale.pk, 1, "updated_at")
    assert auditor.post(path, {"year": 2026}).status_code == 202
    # another user has their own cap
    assert token_client(world.users["staff"]).post(path, {"year": 2026}).status_code == 202


def test_report_renders_at_once_are_capped_per_user(world, settings):
    settings.REPORT_RUNS_PER_USER = 2
    user = world.users["auditor_same"]
    auditor = token_client(user)
    png = f"{V1}/reports/municipalities/GM0518/png/"
    exhaustion = f"{V1}/reports/holders/{world.mine.pk}/exhaustion/csv/"
    with report_render_slot(user), report_render_slot(user):  # two renders under way
        _assert_too_many(auditor.get(png))
        _assert_too_many(auditor.get(exhaustion))
        assert token_client(world.users["holder"]).get(exhaustion).status_code == 200
    with report_render_slot(user):  # one under way: one more fits
        assert auditor.get(png).status_code == 200
    TaskRun.objects.create(kind="municipality_report", created_by=user)  # queued
    with report_render_slot(user):  # a task and a render in the making
        _assert_too_many(auditor.get(png))
    assert auditor.get(png).status_code == 200  # every slot was given back


def test_a_refused_or_failed_render_gives_its_slot_back(world, settings):
    settings.REPORT_RUNS_PER_USER = 1
    user = world.users["auditor_same"]
    auditor = token_client(user)
    assert auditor.get(f"{V1}/reports/municipalities/GM0106/png/").status_code == 404
    assert auditor.get(f"{V1}/reports/municipalities/GM0518/png/").status_code == 200


@pytest.mark.parametrize(
    ("language", "title"), [("nl", "Te veel rapportages tegelijk"), ("en", "Too many reports")]
)
def test_the_report_pages_answer_429_over_the_cap(world, settings, language, title):
    settings.REPORT_RUNS_PER_USER = 1
    user = world.users["auditor_same"]
    web = verified_login(Client(HTTP_ACCEPT_LANGUAGE=language), user)
    chart = reverse("reports:chart", args=["GM0518", "png"]) + "?year=2026"
    download = reverse("reports:download", args=["GM0518", "xlsx"]) + "?year=2026"
    with report_render_slot(user):
        for path in (chart, download):
            response = web.get(path)
            assert response.status_code == 429
            assert int(response["Retry-After"]) > 0
            assert title in response.content.decode()
    assert web.get(chart).status_code == 200
