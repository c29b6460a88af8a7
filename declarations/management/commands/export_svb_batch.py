from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from auditlog.context import set_actor

from declarations.services.batches import NothingToExport, batch_export
from pgb_admin.core.commands import (
    BAD_ARGUMENTS,
    actor_for,
    add_scope_arguments,
    parse_funder,
    parse_holder,
    parse_period,
)

NOTHING_EXPORTED = 1


class Command(BaseCommand):
    help = (
        "Export the validated declarations of a month as an SVB batch (XLSX and CSV) into a "
        "folder and print the files with their sha256. Exit code 1: nothing to export."
    )

    def add_arguments(self, parser):
        add_scope_arguments(parser)
        parser.add_argument("--out", required=True, help="folder to write the files into")

    def handle(self, *args, **options):
        month = parse_period(options["period"])
        funder = parse_funder(options["funder"])
        holder_id = parse_holder(options["holder"])
        actor = actor_for(options["user"])
        out = Path(options["out"])
        if out.exists() and not out.is_dir():
            raise CommandError(f"--out {out} is not a folder.", returncode=BAD_ARGUMENTS)
        try:
            with set_actor(actor if actor.pk else None):
                batch = batch_export(actor=actor, month=month, holder_id=holder_id, funder=funder)
        except NothingToExport as error:
            raise CommandError(" ".join(error.messages), returncode=NOTHING_EXPORTED) from None
        out.mkdir(parents=True, exist_ok=True)
        self.stdout.write(
            f"Batch {batch.pk}: {batch.declaration_count} declarations, {batch.line_count} lines, "
            f"total {batch.total_amount}"
        )
        for file in batch.files.order_by("format"):
            (out / file.filename).write_bytes(bytes(file.content))
            self.stdout.write(f"{out / file.filename}  {file.size} bytes  sha256 {file.sha256}")
        for skipped in batch.skipped:
            self.stdout.write(
                f"left out: declaration {skipped['declaration_id']}: {skipped['reason']}"
            )
