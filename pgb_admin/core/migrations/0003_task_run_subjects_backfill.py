"""What the task runs made before 0002 are about, as far as they tell: an export's batch names
its holders, an import's result its agreements, a report's files their funder. A validation
run keeps no trace of its declarations; it stays its maker's until the retention purge."""

from django.db import migrations


def backfill(apps, schema_editor):
    TaskRun = apps.get_model("core", "TaskRun")
    Declaration = apps.get_model("declarations", "Declaration")
    CareAgreement = apps.get_model("contracts", "CareAgreement")
    ReportFile = apps.get_model("reports", "ReportFile")
    for run in TaskRun.objects.filter(kind="export", batch__isnull=False).select_related("batch"):
        holders = Declaration.objects.filter(batch=run.batch).values_list(
            "agreement__holder_id", flat=True
        )
        run.holders.add(*set(holders))
    for run in TaskRun.objects.filter(kind="import"):
        months = run.result.get("months") or []
        agreement_ids = {month.get("agreement") for month in months if month.get("agreement")}
        holders = CareAgreement.objects.filter(pk__in=agreement_ids).values_list(
            "holder_id", flat=True
        )
        run.holders.add(*set(holders))
    for report_file in ReportFile.objects.filter(task_run__funder__isnull=True):
        TaskRun.objects.filter(pk=report_file.task_run_id).update(funder=report_file.funder_id)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_task_run_subjects"),
        ("contracts", "0001_initial"),
        ("declarations", "0001_initial"),
        ("reports", "0001_initial"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
