"""The columns of an hours sheet, shared by the template that writes them and the import that
reads them. A header may be in Dutch or English (case and spaces do not matter); the template
writes the Dutch one with the English one under it in the instructions."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


def normalise_header(text) -> str:
    return " ".join(str(text or "").split()).casefold()


@dataclass(frozen=True)
class Column:
    key: str  # the name the import uses
    dutch: str
    english: str
    required: bool = False
    help: object = ""

    def headers(self) -> set[str]:
        return {normalise_header(self.dutch), normalise_header(self.english)}


COLUMNS = (
    Column("agreement", "Zorgovereenkomst", "Agreement", required=True,
           help=_("The agreement's number in pgb-admin; the template fills it in.")),
    Column("date", "Datum", "Date", required=True,
           help=_("The day of care: 2026-10-05 or 5-10-2026.")),
    Column("quantity", "Aantal", "Quantity",
           help=_("Hours in quarter hours (7,5), or day parts / 24-hour periods; empty: no care.")),
    Column("note", "Opmerking", "Note"),
    Column("cost_kind", "Soort kosten", "Kind of cost",
           help=_("reiskosten/travel or overig/other, when the row also holds a cost.")),
    Column("kilometres", "Kilometers", "Kilometres"),
    Column("amount", "Bedrag", "Amount", help=_("In euros: 12,50.")),
    Column("description", "Omschrijving", "Description"),
)  # fmt: skip
COLUMN_KEYS = tuple(column.key for column in COLUMNS)
BY_HEADER = {header: column for column in COLUMNS for header in column.headers()}
HOURS_SHEET = "Uren"
INSTRUCTIONS_SHEET = "Uitleg - Instructions"

COST_KINDS = {"reiskosten": "travel", "travel": "travel", "overig": "other", "other": "other",
              "overige kosten": "other", "other costs": "other"}  # fmt: skip
