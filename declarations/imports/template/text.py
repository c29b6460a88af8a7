"""The words of the hours template, written once in English through gettext. The workbook is
bilingual: the instructions are rendered once per language of LANGUAGES (Dutch, then English)
with ``translation.override``, and a data validation or a table header shows both languages in
one cell (:func:`both`)."""

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import formats, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pgb_admin.figures.constants import RateUnit

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

LANGUAGES = ("nl", "en")  # the order of the instructions


def both(message: "StrOrPromise | Callable[[], str]") -> str:
    """'Dutch / English': ``message`` (a text, or a function that writes one) in each language."""
    texts = []
    for language in LANGUAGES:
        with translation.override(language):
            texts.append(message() if callable(message) else str(message))
    return " / ".join(texts)


def number_text(value: Decimal) -> str:
    """A decimal without trailing zeros, with the decimal separator of the active language."""
    return formats.number_format(value.normalize())


UNIT_WORDS: dict[str, "StrOrPromise"] = {
    RateUnit.HOUR: _("hour"),
    RateUnit.DAY_PART: _("day part"),
    RateUnit.DAY: _("24-hour period"),
    RateUnit.MONTH: _("month (fixed monthly pay)"),
}

#: the name of each column and of the holders template's extra columns; a name that differs
#: from the header on the sheet (the Dutch one) is shown with that header in brackets
NAMES = {
    "agreement": _("Agreement"),
    "date": _("Date"),
    "quantity": _("Quantity"),
    "note": _("Note"),
    "cost_kind": _("Kind of cost"),
    "kilometres": _("Kilometres"),
    "amount": _("Amount"),
    "description": _("Description"),
    "holder": _("Budget holder"),
    "provider": _("Provider"),
}

#: what each column means, in the instructions
HELP = {
    "agreement": _(
        "The care agreement's number in pgb-admin; the template fills it in. Only on an empty "
        "row for new costs do you fill it in yourself."
    ),
    "date": _("The day of care: 2026-10-05 or 5-10-2026."),
    "quantity": _(
        "Hours in quarter hours (7,5), or day parts / 24-hour periods in whole numbers; empty: "
        "no care that day."
    ),
    "note": _("A note on the day's care (may stay empty)."),
    "cost_kind": _("reiskosten (travel) or overig (other), on a row with costs."),
    "kilometres": _("Kilometres driven, for travel costs."),
    "amount": _(
        "The amount in euros: 12,50. For travel costs it may stay empty when an allowance per "
        "kilometre is agreed."
    ),
    "description": _("What the cost is for."),
}
PEOPLE_HELP = _("For your information only (no BSN); an upload skips them.")

TITLE = _("Instructions for the timesheet of %(month)s")
ABOUT_ONE = _(
    "This is the timesheet of %(month)s for care agreement %(number)s with %(agreement)s."
)
ABOUT_ALL = _(
    "This is the timesheet of %(month)s for all care agreements you may change (%(count)s); the "
    "table at the bottom lists them. Fixed monthly pay is left out: it has no hours."
)
ON_THE_SHEET = _(
    "On the sheet '%(sheet)s', fill in how much care was given on each day. Each row is one day "
    "of one agreement; hours already in pgb-admin are filled in."
)
HOW_TO = (
    _(
        "Type hours in quarter hours, with a comma or a point: 7,5 or 7.5 is seven and a half "
        "hours, 0,25 is a quarter of an hour. Count day parts and 24-hour periods in whole "
        "numbers."
    ),
    _(
        "An empty Quantity (Aantal) means: no care that day. Emptying a filled-in quantity "
        "removes that day's hours."
    ),
    _(
        "Costs have rows of their own, below the days of their agreement; their Quantity stays "
        "empty. A row with a cost and no quantity does not change the hours of that day. Put a "
        "new cost on an empty row at the bottom: fill in the agreement, the date and the cost. "
        "Remove a cost by emptying its cells."
    ),
    _(
        "Do not change the structure of the file: do not rename the sheet or the headers, and "
        "do not add or remove columns. Grey cells are locked."
    ),
    _("Uploading the same file twice changes nothing: only what you changed is taken over."),
    _(
        "The hours and costs of a month that is declared and exported can no longer change; "
        "open a correction of that declaration instead."
    ),
)
READ_ONLY = _(
    "%(month)s is declared and exported: this file is for reading only; an upload is refused."
)
COLUMNS_TITLE = _("Columns")

VERSION = _("%(product)s, per %(unit)s")
VERSION_WITH_HOURS = _("%(product)s, per %(unit)s, %(hours)s hours per week")
NOT_RUNNING = _("does not run in this month")

AGREEMENTS_TITLE = _("Care agreements")
AGREEMENT_HEADERS = (
    _("Agreement"),
    _("Budget holder"),
    _("Provider"),
    _("Care product"),
    _("Unit"),
    _("Hours per week"),
    pgettext_lazy("hours template", "Valid from"),
    pgettext_lazy("hours template", "Valid to"),
    _("Can change"),
)
CAN_CHANGE = _("yes")
EXPORTED = _("no, exported")

# data validations: their title is the column's name
QUANTITY_ERRORS: dict[str, "StrOrPromise"] = {
    RateUnit.HOUR: _("Enter hours from 0 to 24, in quarter hours (7.5)."),
    RateUnit.DAY_PART: _("Enter whole day parts, 0 to 3."),
    RateUnit.DAY: _("Enter 0 or 1 24-hour period."),
}
NUMBER_ERROR = _("Enter a number of 0 or more (12.50).")
COST_KIND_ERROR = _("Choose reiskosten (travel) or overig (other).")
DATE_ERROR = _("Enter a date in %(month)s (%(example)s).")
AGREEMENT_ERROR = _("Enter the number of an agreement in this file.")


def header_label(key: str, header: str) -> str:
    """The column's name in the active language, with the sheet's header in brackets when
    the two differ: 'Zorgovereenkomst' (nl), 'Agreement (Zorgovereenkomst)' (en)."""
    name = str(NAMES[key])
    return header if name == header else f"{name} ({header})"
