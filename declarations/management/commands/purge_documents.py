from datetime import date

from django.core.management.base import BaseCommand, CommandError

from declarations.documents.services import documents_due, documents_purge


class Command(BaseCommand):
    help = (
        "Remove the archive's documents past their retention period (DOCUMENT_RETENTION_YEARS "
        "per kind, 7 years by default), except those on legal hold or behind a declaration not "
        "yet settled, and print what was removed (ids per kind). For cron where no Celery beat "
        "runs. --dry-run only says what is due."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only list what is due.")
        parser.add_argument("--today", help="Count as if it were this day (YYYY-MM-DD).")

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError("Give --today as YYYY-MM-DD.") from None
        if options["dry_run"]:
            from django.utils import timezone

            due = documents_due(today or timezone.localdate()).order_by("kind", "pk")
            rows = list(due.values_list("kind", "pk"))
            self.stdout.write(
                f"{len(rows)} documents are due: " + ", ".join(f"{kind} {pk}" for kind, pk in rows)
            )
            return
        self.stdout.write(documents_purge(today=today).summary())
