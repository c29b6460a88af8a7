"""Municipality-scale reports as Celery tasks: ids in, the report written to ReportFile rows,
progress on the TaskRun. A task delivered twice writes the same files once."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation

from auditlog.context import set_actor
from celery import shared_task

from pgb_admin.budgets.models import Funder
from pgb_admin.core.files import municipal_report_name, sha256
from pgb_admin.core.models import TaskRun, TaskStatus
from pgb_admin.core.tasks import RunTask, progress_advance, progress_finish, progress_start

from . import files, limits
from .models import ReportFile
from .selectors import build_municipality_report

MUNICIPALITY_FILES = {
    ReportFile.Format.XLSX: files.municipality_xlsx,
    ReportFile.Format.CSV: files.municipality_csv,
    ReportFile.Format.PNG: lambda report: files.municipality_chart(report, "png"),
}


@shared_task(base=RunTask, name="reports.municipality", acks_late=True)
def municipality_report_task(
    task_run_id: str, user_id: int, funder_id: int, year: int, language: str
) -> None:
    run = TaskRun.objects.get(pk=task_run_id)
    if run.status == TaskStatus.DONE:  # delivered again after it finished
        return
    user = get_user_model().objects.get(pk=user_id)
    funder = Funder.objects.get(pk=funder_id)
    progress_start(run, 1 + len(MUNICIPALITY_FILES))
    with set_actor(user), translation.override(language):
        report = build_municipality_report(funder, year=year, user=user, what="municipality_task")
        content = report.as_dict()
        progress_advance(run, 1)
        made = []
        for file_format, write in MUNICIPALITY_FILES.items():
            data = write(content)
            made.append(
                ReportFile.objects.update_or_create(
                    task_run=run,
                    format=file_format,
                    defaults={
                        "created_by": user,
                        "funder": funder,
                        "year": year,
                        "filename": municipal_report_name(funder.code, year, file_format),
                        "content": data,
                        "size": len(data),
                        "sha256": sha256(data),
                    },
                )[0].pk
            )
            progress_advance(run, 1)
    progress_finish(run, result={"files": made, "funder": funder.code, "year": year})


@transaction.atomic
def start_municipality_report(*, actor, funder: Funder, year: int) -> TaskRun:
    """Queue the report; the TaskRun shows its progress and, when done, the files' ids. The
    run is about the funder: its maker sees it (and the files) while they audit the funder.
    Refused with :class:`~reports.limits.TooManyReportRuns` when the actor has as many
    reports in the making as ``REPORT_RUNS_PER_USER`` allows."""
    limits.claim_report_task_slot(actor)
    run = TaskRun.objects.create(
        kind=limits.REPORT_TASK_KIND,
        created_by=actor,
        funder=funder,
        total=1 + len(MUNICIPALITY_FILES),
    )
    municipality_report_task.delay_on_commit(
        str(run.pk), actor.pk, funder.pk, year, translation.get_language() or "nl"
    )
    return run


@shared_task(name="reports.send_reminders", acks_late=True)
def send_reminders_task(day: str | None = None) -> dict[str, int]:
    """The daily reminders (beat, each morning): for ``day`` (ISO) or today. Running it twice,
    or in two workers at once, stores and mails each reminder once."""
    from datetime import date

    from django.utils import timezone

    from .reminders.services import send_reminders

    today = date.fromisoformat(day) if day else timezone.localdate()
    result = send_reminders(today=today)
    return {"due": result.due, "stored": result.stored, "emails": result.emails}
