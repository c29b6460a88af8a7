"""A grant in words, the one way the holder's pages and the overview name a grant:
"Wmo 2015 · 's-Gravenhage (Den Haag) · 1 januari - 31 december 2026" (the scheme's name, the
funder's name, the period in the page's language, with an en dash). No codes, no ids."""

from datetime import date

from pgb_admin.budgets.constants import Scheme
from pgb_admin.core.dates import format_period


def scheme_name(value: str) -> str:
    """``wmo`` as "Wmo 2015"; an unknown code as it is."""
    try:
        return str(Scheme(value).label)
    except ValueError:
        return value


def grant_title(
    scheme: str, funder_name: str, start: date | str | None, end: date | str | None
) -> str:
    parts = (scheme_name(scheme), funder_name, format_period(start, end))
    return " · ".join(part for part in parts if part)


def budget_title(budget) -> str:
    """:func:`grant_title` of a grant read with its funder (``select_related("funder")``)."""
    return grant_title(budget.scheme, budget.funder.name, budget.start_date, budget.end_date)
