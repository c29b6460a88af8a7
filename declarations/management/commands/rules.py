import json

from django.core.management.base import BaseCommand
from django.utils import translation

from declarations.validation.registry import catalogue


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
                    "title": str(rule.title),
                    "fix": str(rule.fix),
                    "source": rule.source,
                    "valid_from": rule.valid_from.isoformat(),
                    "valid_to": rule.valid_to.isoformat() if rule.valid_to else None,
                }
                for rule in sorted(catalogue().values(), key=lambda r: r.code)
            ]
        if format == "json":
            self.stdout.write(json.dumps(rules, indent=2, ensure_ascii=False))
            return
        for rule in rules:
            valid = f"{rule['valid_from']} – {rule['valid_to'] or ''}"
            self.stdout.write(f"{rule['code']:<32} {rule['severity']:<8} {rule['title']}")
            self.stdout.write(f"{'':<32} {'':<8} {rule['source']} ({valid})")
