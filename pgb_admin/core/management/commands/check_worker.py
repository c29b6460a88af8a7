import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from celery.exceptions import TimeoutError as CeleryTimeoutError

from pgb_admin.core.tasks import worker_health


class Command(BaseCommand):
    help = (
        "Send one task through the Celery broker and wait for a worker to answer it: checks "
        "that workers run, reach the broker and reach the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=30.0, help="seconds to wait")

    def handle(self, *args, timeout: float, **options):
        if not settings.CELERY_TASK_ALWAYS_EAGER and not settings.CELERY_RESULT_BACKEND:
            raise CommandError("Set CELERY_RESULT_BACKEND to receive the worker's answer.")
        nonce = secrets.token_hex(8)
        result = worker_health.delay(nonce)
        try:
            answer = result.get(timeout=timeout)
        except CeleryTimeoutError:
            raise CommandError(f"No worker answered within {timeout:g} s.") from None
        if answer.get("nonce") != nonce:
            raise CommandError(f"The worker answered another request: {answer!r}")
        where = (
            "in-process (no broker configured)"
            if settings.CELERY_TASK_ALWAYS_EAGER
            else (f"worker {answer['worker']}")
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Task {result.id} answered by {where}; database {answer['database']}."
            )
        )
