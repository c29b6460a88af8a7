import json
from datetime import date

from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from declarations.constants import Severity
from declarations.validation.registry import catalogue
from pgb_admin.core.dates import format_date


class Command(BaseCommand):
    help = "The validation rules: code, severity, what they check, their source and validity."

    def add_arguments(self, parser):
        parser.add_argument("--language", choices=["nl", "en"], default="nl")
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, language: str, format: str, **options):
        with translation.override(language):
            rules = [
                {
                    "code": rule.code,
                    "severity": rule.severity,
                    "severity_label": str(Severity(rule.severity).label),
                    "title": str(rule.title),
                    "fix": str(rule.fix),
                    "source": str(rule.source),
                    "valid_from": rule.valid_from.isoformat(),
                    "valid_to": rule.valid_to.isoformat() if rule.valid_to else None,
                    "validity": _validity(rule.valid_from, rule.valid_to),
                }
                for rule in sorted(catalogue().values(), key=lambda r: r.code)
            ]
        if format == "json":
            self.stdout.write(json.dumps(rules, indent=2, ensure_ascii=False))
            return
        for rule in rules:
            self.stdout.write(f"{rule['code']:<40} {rule['severity_label']:<12} {rule['title']}")
            self.stdout.write(f"{'':<40} {'':<12} {rule['source']} ({rule['validity']})")


def _validity(start: date, end: date | None) -> str:
    """'valid from … (to …)' in the active language."""
    if end is None:
        return _("valid from %(start)s") % {"start": format_date(start)}
    return _("valid from %(start)s to %(end)s") % {
        "start": format_date(start),
        "end": format_date(end),
    }
