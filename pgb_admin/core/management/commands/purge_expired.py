from django.core.management.base import BaseCommand

from pgb_admin.core.services import purge_expired


class Command(BaseCommand):
    help = (
        "Remove report files older than REPORT_FILE_RETENTION_DAYS and finished task runs "
        "(with their results and uploaded hours files) older than TASK_RESULT_RETENTION_DAYS, "
        "and print what was removed. For cron where no Celery beat runs. "
        "Exports (entry aids, insurer declarations) are kept."
    )

    def handle(self, *args, **options):
        self.stdout.write(purge_expired().summary())
