import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from declarations.demo.bureau import BUREAU_LOGIN, MOST_BUREAU_HOLDERS, bureau_top_up
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
        parser.add_argument(
            "--bureau-holders",
            type=int,
            metavar="N",
            help=(
                f"the bureau login ({BUREAU_LOGIN}) acts for N holders instead of 20: the others "
                "are made set-based, each with a Wmo grant, an hourly agreement and last "
                f"month's hours (at most {MOST_BUREAU_HOLDERS}); on a demo world already "
                "loaded, adds what is missing"
            ),
        )

    def handle(
        self,
        *args,
        if_empty: bool,
        allow_without_debug: bool,
        bureau_holders: int | None = None,
        **options,
    ):
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError(
                "DEBUG is off: this looks like production, and the demo logins have a published "
                "password. Use --allow-without-debug to load it anyway."
            )
        if bureau_holders is not None and not 1 <= bureau_holders <= MOST_BUREAU_HOLDERS:
            raise CommandError(f"--bureau-holders takes 1 to {MOST_BUREAU_HOLDERS}.")
        if demo_world_present():
            self.stdout.write("The demo world is already loaded.")
        elif if_empty and BudgetHolder.objects.exists():
            self.stdout.write("The database already holds budget holders: no demo world loaded.")
            return
        else:
            started = time.perf_counter()
            counts = load_demo_world()
            summary = ", ".join(f"{count} {name}" for name, count in counts.items())
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo world loaded in {time.perf_counter() - started:.1f} s: {summary}."
                )
            )
        if bureau_holders is not None:
            self._bureau(bureau_holders)

    def _bureau(self, wanted: int) -> None:
        started = time.perf_counter()
        added, total = bureau_top_up(wanted)
        took = time.perf_counter() - started
        if not added:
            self.stdout.write(f"The bureau login already acts for {total} holders.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{added} holders added for the bureau login in {took:.1f} s: it acts for "
                f"{total} holders now."
            )
        )
