"""Staff add a dated figure when the government or a funder publishes it, load a table of
them, and list what the tables miss:

    manage.py figures add --kind minimum_wage --age 21 --value 14.93 --from 2026-07-01 \\
        --source "Stcrt. 2026, ..." [--to 2026-12-31] [--verified]
    manage.py figures load [new-figures.csv]   # the columns of data/figures.csv; all or nothing
    manage.py figures gaps

``add`` validates the row with the model's ``full_clean()`` (its ``clean()`` refuses a row that
overlaps another for the same case) inside a transaction, and writes nothing on an error.
"""

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone, translation

from pgb_admin.budgets.models import CareProduct, Funder
from pgb_admin.figures.checks import spelled
from pgb_admin.figures.constants import FigureKind, FigureUnit
from pgb_admin.figures.gaps import minimum_wage_gaps, national_tariff_gaps
from pgb_admin.figures.loader import FIGURES_CSV, FigureRowError, load_figures, read_rows
from pgb_admin.figures.models import MaxTariff, StatutoryFigure

# the unit a new row of a kind gets when --unit is not given
DEFAULT_UNITS = {FigureKind.MINIMUM_WAGE: FigureUnit.HOUR}


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"{text!r} is not a date: write it as YYYY-MM-DD") from error


def _value(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise CommandError(f"{text!r} is not a number: write it as 14.93") from error
    if not value.is_finite() or value < 0:
        raise CommandError(f"{text!r}: the value must be a number of 0 or more")
    if value != value.quantize(Decimal("0.01")):
        raise CommandError(f"{text!r}: the value has at most two decimals")
    return value


class Command(BaseCommand):
    help = "Add a dated statutory figure (add), load a table of figures (load) or list gaps."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="add a statutory figure (e.g. the minimum wage)")
        add.add_argument("--kind", required=True, choices=FigureKind.values)
        add.add_argument("--value", required=True, help="e.g. 14.93 (euros, percent, hours)")
        add.add_argument("--from", dest="valid_from", required=True, help="first day, YYYY-MM-DD")
        add.add_argument("--to", dest="valid_to", help="last day, YYYY-MM-DD (open if omitted)")
        add.add_argument("--source", required=True, help="the publication it comes from")
        add.add_argument("--age", type=int, help="the age band (minimum wage: 15 to 21)")
        add.add_argument("--unit", choices=FigureUnit.values)
        add.add_argument("--scheme", default="", help="empty: every scheme")
        add.add_argument("--note", default="")
        add.add_argument(
            "--verified", action="store_true", help="checked against the official publication"
        )
        load = actions.add_parser(
            "load", help="load a table of figures (tariffs included), all rows or none"
        )
        load.add_argument("path", nargs="?", type=Path, default=FIGURES_CSV)
        actions.add_parser(
            "gaps", help="list the periods without a minimum wage or a national maximum tariff"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "add":
            self._add(options)
        elif options["action"] == "load":
            self._load(options["path"])
        else:
            self._gaps()

    def _load(self, path: Path) -> None:
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            result = load_figures(
                read_rows(path),
                statutory_model=StatutoryFigure,
                tariff_model=MaxTariff,
                funder_model=Funder,
                product_model=CareProduct,
            )
        except FigureRowError as error:
            raise CommandError("nothing was loaded: " + "; ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.created} added, {result.updated} changed, {result.unchanged} unchanged"
            )
        )

    def _add(self, options: dict[str, Any]) -> None:
        kind = options["kind"]
        unit = options["unit"] or DEFAULT_UNITS.get(kind)
        if unit is None:
            raise CommandError(f"give --unit for {kind} (one of {', '.join(FigureUnit.values)})")
        if kind == FigureKind.MINIMUM_WAGE and options["age"] is None:
            raise CommandError("give --age for the minimum wage (its age band, 15 to 21)")
        if not options["source"].strip():
            raise CommandError("give --source: the publication the figure comes from")
        figure = StatutoryFigure(
            kind=kind,
            scheme=options["scheme"],
            age_min=options["age"],
            unit=unit,
            value=_value(options["value"]),
            valid_from=_day(options["valid_from"]),
            valid_to=_day(options["valid_to"]) if options["valid_to"] else None,
            source=options["source"].strip(),
            verified=options["verified"],
            note=options["note"],
        )
        try:
            with transaction.atomic():
                figure.full_clean()  # clean(): no overlap with a row for the same case
                figure.save()
        except ValidationError as error:
            problems = [
                f"{field}: {' '.join(messages)}" if field != "__all__" else " ".join(messages)
                for field, messages in error.message_dict.items()
            ]
            raise CommandError("the figure was not added: " + "; ".join(problems)) from error
        self.stdout.write(self.style.SUCCESS(f"added: {figure}"))

    def _gaps(self) -> None:
        today = timezone.localdate()
        with translation.override("en"):
            for tariff in national_tariff_gaps(today):
                self.stdout.write(f"maximum tariff {tariff.label} for {tariff.year} missing")
        gaps = minimum_wage_gaps(today)
        if not gaps:
            self.stdout.write("the minimum wage is complete up to the current half year")
            return
        for gap in gaps:
            ages = f" (ages {', '.join(map(str, gap.ages))})" if gap.ages else ""
            self.stdout.write(
                f"minimum wage from {spelled(gap.start)} to {spelled(gap.end)} missing{ages}"
            )
