from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports.reminders.registry import kinds
from reports.reminders.services import send_reminders


class Command(BaseCommand):
    help = (
        "Store and mail the reminders due on a day (today without --date), as Celery beat does "
        "each morning. Running it again stores and mails nothing twice."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", help="The day, YYYY-MM-DD (default: today).")
        parser.add_argument(
            "--kind",
            action="append",
            choices=[kind.code for kind in kinds()],
            help="Only this kind (may be repeated).",
        )

    def handle(self, *args, **options) -> None:
        try:
            today = date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as error:
            raise CommandError(f"--date: {error}") from error
        result = send_reminders(today=today or timezone.localdate(), only=options["kind"])
        self.stdout.write(
            f"{result.due} reminders due, {result.stored} stored, {result.emails} e-mails sent"
        )
