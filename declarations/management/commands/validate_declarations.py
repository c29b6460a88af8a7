import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from auditlog.context import set_actor

from declarations.constants import Severity
from declarations.models import Finding
from declarations.services.declarations import (
    declarations_draft_period,
    declarations_validate_in_chunks,
)
from pgb_admin.core.commands import (
    actor_for,
    add_scope_arguments,
    parse_funder,
    parse_holder,
    parse_period,
)
from pgb_admin.core.progress import ProgressBar

ERRORS_FOUND = 1


class Command(BaseCommand):
    help = (
        "Draft and validate the declarations of a month from the logged hours and costs. "
        "Exit code 0: no errors; 1: errors found; 2: bad arguments."
    )

    def add_arguments(self, parser):
        add_scope_arguments(parser)
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument("--language", choices=["nl", "en"], default="nl")

    def handle(self, *args, **options):
        month = parse_period(options["period"])
        funder = parse_funder(options["funder"])
        holder_id = parse_holder(options["holder"])
        actor = actor_for(options["user"])
        with set_actor(actor if actor.pk else None):
            declarations = declarations_draft_period(
                actor=actor, month=month, holder_id=holder_id, funder=funder
            )
            ids = [d.pk for d in declarations]
            bar = ProgressBar(len(ids), "validating", stream=self.stderr._out)
            summary = declarations_validate_in_chunks(
                actor=actor, declaration_ids=ids, on_chunk=bar.advance
            )
            bar.finish()
        findings = (
            Finding.objects.filter(declaration_id__in=ids)
            .select_related("declaration__agreement__holder", "declaration__agreement")
            .order_by("declaration_id", "care_date", "rule_code")
        )
        with translation.override(options["language"]):
            if options["format"] == "json":
                self._json(month, summary, findings)
            else:
                self._table(month, summary, findings)
        if any(f.severity == Severity.ERROR for f in findings):
            raise CommandError(
                f"{summary['with_errors']} declaration(s) have errors.", returncode=ERRORS_FOUND
            )

    def _json(self, month, summary, findings) -> None:
        payload = {
            "period": f"{month:%Y-%m}",
            **summary,
            "findings": [
                {
                    "declaration_id": f.declaration_id,
                    "holder_id": f.declaration.agreement.holder_id,
                    "agreement_id": f.declaration.agreement_id,
                    "rule": f.rule_code,
                    "severity": f.severity,
                    "care_date": f.care_date.isoformat() if f.care_date else None,
                    "message": f.message,
                    "fix": f.fix,
                    "params": f.params,
                    "acknowledged": f.acknowledged_at is not None,
                }
                for f in findings
            ],
        }
        self.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False))

    def _table(self, month, summary, findings) -> None:
        self.stdout.write(
            f"{month:%Y-%m}: {summary['declarations']} declarations, "
            f"{summary['validated']} validated, {summary['with_errors']} with errors"
        )
        for f in findings:
            day = f.care_date.isoformat() if f.care_date else "          "
            holder = f.declaration.agreement.holder.display_name
            self.stdout.write(
                f"{f.declaration_id:>7}  {holder[:24]:<24}  {day}  {f.severity:<7}  "
                f"{f.rule_code:<32}  {f.message}"
            )
