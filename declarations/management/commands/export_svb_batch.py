from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string

from auditlog.context import set_actor

from declarations.exports import entry_aid_pages
from declarations.selectors.batches import batch_content, channel_title
from declarations.services.batches import NothingToExport, month_export
from pgb_admin.budgets.constants import Channel
from pgb_admin.core.commands import (
    BAD_ARGUMENTS,
    actor_for,
    add_scope_arguments,
    parse_funder,
    parse_holder,
    parse_period,
)
from pgb_admin.core.files import export_name, sha256

NOTHING_EXPORTED = 1


class Command(BaseCommand):
    help = (
        "Export the validated declarations of a month, one export per channel: the PGB Portaal "
        "entry aid (to type in by hand; the SVB takes no file) and the insurer declaration for "
        "a Zvw pgb. Writes each export's XLSX and CSV and its printable HTML page into a folder "
        "and prints the files with their sha256. Exit code 1: nothing to export."
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
                batches = month_export(actor=actor, month=month, holder_id=holder_id, funder=funder)
        except NothingToExport as error:
            raise CommandError(" ".join(error.messages), returncode=NOTHING_EXPORTED) from None
        out.mkdir(parents=True, exist_ok=True)
        for batch in batches:
            self._write(batch, out)

    def _write(self, batch, out: Path) -> None:
        self.stdout.write(
            f"Export {batch.pk} ({batch.get_channel_display()}): {batch.declaration_count} "
            f"declarations, {batch.line_count} lines, total {batch.total_amount}"
        )
        files = [(file.filename, bytes(file.content)) for file in batch.files.order_by("format")]
        page = export_page_html(batch)
        files.append((export_name(batch.channel, batch.period, batch.pk, "html"), page))
        for filename, content in files:
            (out / filename).write_bytes(content)
            self.stdout.write(f"{out / filename}  {len(content)} bytes  sha256 {sha256(content)}")
        for skipped in batch.skipped:
            self.stdout.write(
                f"left out: declaration {skipped['declaration_id']}: {skipped['reason']}"
            )


def export_page_html(batch) -> bytes:
    """The printable page of the export, as the web page shows it."""
    content = batch_content(batch)
    template = (
        "declarations/insurer_declaration.html"
        if batch.channel == Channel.INSURER
        else "declarations/entry_aid.html"
    )
    context = {
        "batch": batch,
        "content": content,
        "title": channel_title(batch.channel),
        "pages": entry_aid_pages(content),
    }
    return render_to_string(template, context).encode("utf-8")
