import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from auditlog.context import set_actor

from declarations.imports.hours import hours_import
from declarations.imports.problems import ImportRefused
from pgb_admin.core.commands import BAD_ARGUMENTS, actor_for

REFUSED = 1


class Command(BaseCommand):
    help = (
        "Import hours and costs from an XLSX or CSV file (the template's columns), all rows or "
        "none. Exit code 0: imported (or, with --dry-run, would import); 1: refused, with every "
        "problem listed by sheet, row and column; 2: bad arguments."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx or .csv file")
        parser.add_argument("--user", help="import as this user (default: the back office)")
        parser.add_argument("--dry-run", action="store_true", help="show what would change")
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file.", returncode=BAD_ARGUMENTS)
        actor = actor_for(options["user"])
        try:
            with set_actor(actor if actor.pk else None):
                result = hours_import(
                    actor=actor,
                    filename=path.name,
                    content=path.read_bytes(),
                    dry_run=options["dry_run"],
                )
        except ImportRefused as refused:
            self._problems(refused.problems, options["format"])
            raise CommandError(
                f"{path.name}: nothing imported, {len(refused.problems)} problem(s).",
                returncode=REFUSED,
            ) from None
        summary = result.as_dict()
        if options["format"] == "json":
            self.stdout.write(json.dumps(summary, indent=2))
            return
        verb = "would change" if result.dry_run else "changed"
        self.stdout.write(
            f"{path.name}: {summary['rows']} rows; {verb}: {summary['entries_removed']} entries "
            f"removed, {summary['entries_added']} added, {summary['expenses_removed']} costs "
            f"removed, {summary['expenses_added']} added"
        )
        for change in summary["months"]:
            self.stdout.write(
                f"  agreement {change['agreement']} {change['month']}: "
                f"{change['days_changed']} days changed"
            )

    def _problems(self, problems, output_format: str) -> None:
        if output_format == "json":
            self.stdout.write(json.dumps([p.as_dict() for p in problems], indent=2))
            return
        for problem in problems:
            self.stdout.write(str(problem))
