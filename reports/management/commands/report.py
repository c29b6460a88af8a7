import json
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils import timezone

from auditlog.context import set_actor

from pgb_admin.accounts.models import User
from pgb_admin.core.commands import BAD_ARGUMENTS, actor_for, parse_holder
from pgb_admin.core.errors import NotFound
from pgb_admin.core.files import exhaustion_report_name, municipal_report_name, sha256
from pgb_admin.core.progress import ProgressBar
from reports import files, selectors

FORMATS = ("json", "xlsx", "csv", "png", "svg")
WRITERS = {
    "exhaustion": {
        "xlsx": files.exhaustion_xlsx,
        "csv": files.exhaustion_csv,
        "png": lambda report: files.exhaustion_chart(report, "png"),
        "svg": lambda report: files.exhaustion_chart(report, "svg"),
    },
    "municipality": {
        "xlsx": files.municipality_xlsx,
        "csv": files.municipality_csv,
        "png": lambda report: files.municipality_chart(report, "png"),
        "svg": lambda report: files.municipality_chart(report, "svg"),
    },
}


class Command(BaseCommand):
    help = (
        "Write a report into a folder: 'exhaustion' (when a holder's grants run out) or "
        "'municipality' (a funder's audit report), as JSON, XLSX, CSV, PNG and SVG, and print "
        "the files with their sha256. Exit code 2: bad arguments, or out of the user's scope."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(WRITERS))
        parser.add_argument("--holder", type=int, help="exhaustion: the budget holder's id")
        parser.add_argument("--funder", help="municipality: the funder's code, e.g. GM0518")
        parser.add_argument("--year", type=int, help="the year (default: this year)")
        parser.add_argument("--out", required=True, help="folder to write the files into")
        parser.add_argument(
            "--format",
            default=",".join(FORMATS),
            help=f"comma-separated, of {', '.join(FORMATS)} (default: all)",
        )
        parser.add_argument(
            "--user", help="make the report as this user (their scope decides what is in it)"
        )

    def handle(self, *args, kind: str, **options):
        wanted = [name.strip() for name in options["format"].split(",") if name.strip()]
        unknown = sorted(set(wanted) - set(FORMATS))
        if unknown:
            raise CommandError(f"--format: unknown {', '.join(unknown)}", returncode=BAD_ARGUMENTS)
        out = Path(options["out"])
        if out.exists() and not out.is_dir():
            raise CommandError(f"--out {out} is not a folder.", returncode=BAD_ARGUMENTS)
        year = options["year"] or timezone.localdate().year
        if not selectors.FIRST_YEAR <= year <= selectors.LAST_YEAR:
            raise CommandError(
                f"--year: give a year from {selectors.FIRST_YEAR} to {selectors.LAST_YEAR}.",
                returncode=BAD_ARGUMENTS,
            )
        actor = actor_for(options["user"])
        progress = ProgressBar(1 + len(wanted), f"report {kind}", stream=self.stderr)
        with set_actor(actor if actor.pk else None):
            report, file_name = self._report(kind, actor, year, options)
        progress.advance()
        out.mkdir(parents=True, exist_ok=True)
        for name in wanted:
            if name == "json":
                content = json.dumps(report, indent=2, ensure_ascii=False).encode()
            else:
                content = WRITERS[kind][name](report)
            path = out / file_name(name)
            path.write_bytes(content)
            progress.advance()
            self.stdout.write(f"{path}  {len(content)} bytes  sha256 {sha256(content)}")
        progress.finish()

    def _report(
        self, kind: str, actor: User, year: int, options: dict[str, Any]
    ) -> tuple[dict[str, Any], Callable[[str], str]]:
        """The report's dict, and the name of its file in a format (by extension)."""
        try:
            if kind == "exhaustion":
                holder: int | None = options["holder"]
                if holder is None:
                    raise CommandError("exhaustion needs --holder.", returncode=BAD_ARGUMENTS)
                holder_id = parse_holder(holder)
                exhaustion = selectors.holder_exhaustion(user=actor, holder_id=holder_id, year=year)
                return exhaustion.as_dict(), partial(exhaustion_report_name, holder_id, year)
            if not options["funder"]:
                raise CommandError("municipality needs --funder.", returncode=BAD_ARGUMENTS)
            code = options["funder"].upper()
            municipal = selectors.municipality_report(user=actor, code=code, year=year)
            return municipal.as_dict(), partial(municipal_report_name, code, year)
        except (Http404, NotFound):
            raise CommandError(
                f"Not found, or not in the scope of --user {options['user']}.",
                returncode=BAD_ARGUMENTS,
            ) from None
