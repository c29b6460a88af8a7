import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from declarations.demo.plan import demo_world_present
from declarations.demo.world import load_demo_world
from pgb_admin.budgets.models import BudgetHolder


class Command(BaseCommand):
    help = (
        "Build the demo world for The Hague and Assen (holders, grants, providers, agreements, "
        "logins). Deterministic; does nothing when the demo world is already there."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="only when the database holds no budget holders at all (used by make run)",
        )
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="load even though DEBUG is off (the demo logins share a published password)",
        )

    def handle(self, *args, if_empty: bool, allow_without_debug: bool, **options):
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError(
                "DEBUG is off: this looks like production, and the demo logins have a published "
                "password. Use --allow-without-debug to load it anyway."
            )
        if demo_world_present():
            self.stdout.write("The demo world is already loaded.")
            return
        if if_empty and BudgetHolder.objects.exists():
            self.stdout.write("The database already holds budget holders: no demo world loaded.")
            return
        started = time.perf_counter()
        counts = load_demo_world()
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo world loaded in {time.perf_counter() - started:.1f} s: {summary}."
            )
        )
