"""The bureau console's list: searching, filtering, sorting and paging the holders' rows.

The rows of all the bureau's holders are read in a fixed number of queries
(:func:`declarations.selectors.bureau.holder_months`); this module only narrows and orders them
in Python, so hundreds of holders cost no query more than twenty. Every choice is a GET
parameter (``q``, ``state``, ``deadline``, ``sort``, ``page``), kept across the pages.

A search is by name (all words, in any order, accents and case ignored) or by the SVB client
number, never by BSN: a number that could be a BSN (8 or 9 digits passing the 11-proef) is
refused before anything is searched, and is not repeated in a link.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db import models
from django.utils.translation import gettext_lazy as _

from stdnum.nl import bsn as stdnum_bsn

from pgb_admin.core.validators import normalize_bsn, normalize_digits

if TYPE_CHECKING:
    from pgb_admin.budgets.models import BudgetHolder

    from .bureau import HolderMonth

PAGE_SIZE = 50
SEARCH_MAX_LENGTH = 100
#: a number search needs this many digits (an SVB client number has 8 or 9)
NUMBER_MIN_DIGITS = 4
_DEADLINE_KEY = re.compile(r"^(ends-\d{4}-\d{2}-\d{2}|late-\d{4}-\d{2})$")


class Sort(models.TextChoices):
    NAME = "name", _("Name, A to Z")
    NAME_DESC = "-name", _("Name, Z to A")
    STATE = "state", _("State, most work first")
    STATE_DESC = "-state", _("State, done first")
    ENDS = "ends", _("Grant ends, soonest first")
    ENDS_DESC = "-ends", _("Grant ends, latest first")
    DECLARED = "declared", _("Share of the grant declared, lowest first")
    DECLARED_DESC = "-declared", _("Share of the grant declared, highest first")


def looks_like_bsn(text: str) -> bool:
    """Whether ``text`` could be a BSN (also a legacy one of 8 digits): never searched."""
    digits = normalize_bsn(text)
    return len(digits) == 9 and digits.isdigit() and stdnum_bsn.is_valid(digits)


@dataclass(frozen=True)
class ListQuery:
    """What the list shows: a search, a state, a deadline group, an order and a page."""

    q: str = ""
    state: str = ""
    deadline: str = ""
    sort: str = Sort.NAME
    page: str = "1"
    refused_search: bool = False  # a BSN-like number was typed: not searched, not repeated

    @classmethod
    def from_params(cls, params: Mapping[str, Any], states: Iterable[str]) -> "ListQuery":
        """From GET or POST parameters; anything unknown falls back to the default."""
        q = " ".join(str(params.get("q", ""))[:SEARCH_MAX_LENGTH].split())
        refused = (bool(q) and looks_like_bsn(q)) or params.get("refused") == "bsn"
        state = str(params.get("state", ""))
        deadline = str(params.get("deadline", ""))
        sort = str(params.get("sort", ""))
        return cls(
            q="" if refused else q,
            state=state if state in set(states) else "",
            deadline=deadline if _DEADLINE_KEY.fullmatch(deadline) else "",
            sort=sort if sort in Sort.values else Sort.NAME,
            page=str(params.get("page", "1"))[:10],
            refused_search=refused,
        )

    @property
    def filtered(self) -> bool:
        return bool(self.q or self.state or self.deadline)

    def params(self, **changes: str) -> dict[str, str]:
        """The list's GET parameters with ``changes``; empty and default values left out."""
        values = {
            "q": self.q,
            "state": self.state,
            "deadline": self.deadline,
            "sort": "" if self.sort == Sort.NAME else self.sort,
            "page": "" if self.page == "1" else self.page,
            **changes,
        }
        if values["page"] == "1":
            values["page"] = ""
        if values["sort"] == Sort.NAME:
            values["sort"] = ""
        return {key: value for key, value in values.items() if value}

    def query_string(self, **changes: str) -> str:
        return urlencode(self.params(**changes))

    def without(self, *keys: str) -> "ListQuery":
        defaults = ListQuery()
        return replace(self, **{key: getattr(defaults, key) for key in keys})


# --- search -----------------------------------------------------------------------------------


def _folded(text: str) -> str:
    """Lower case without accents: "Özdemir" and "ozdemir" match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def matcher(q: str) -> Callable[["HolderMonth"], bool]:
    """Whether a row matches the search: every word in the holder's name, or digits that
    begin the SVB client number."""
    if not q:
        return lambda row: True
    digits = normalize_digits(q)
    if digits.isdigit():
        if len(digits) < NUMBER_MIN_DIGITS:
            return lambda row: False
        return lambda row: row.holder.svb_client_number.startswith(digits)
    words = _folded(q).split()

    def matches(row: "HolderMonth") -> bool:
        holder = row.holder
        name = _folded(f"{holder.first_name} {holder.initials} {holder.surname}")
        return all(word in name for word in words)

    return matches


# --- order --------------------------------------------------------------------------------------


#: the prefixes (tussenvoegsels) a Dutch list leaves out when it orders surnames: "van der
#: Berg" comes under B, "de Jong" under J
PREFIXES = frozenset(
    {"van", "de", "der", "den", "het", "'t", "ter", "ten", "te", "in", "op", "aan", "uit", "von"}
)


#: how a holder is ordered by name: surname without prefixes, first name, id
NameKey = tuple[str, str, int]


def holder_key(holder: "BudgetHolder") -> NameKey:
    """How a list of holders is ordered: by surname without its prefixes, then first name."""
    words = _folded(holder.surname).split()
    while len(words) > 1 and words[0] in PREFIXES:
        words.pop(0)
    return (" ".join(words), _folded(holder.first_name or holder.initials), holder.pk)


def _name_key(row: "HolderMonth") -> NameKey:
    return row.name_key or holder_key(row.holder)


def sort_rows(
    rows: Sequence["HolderMonth"], sort: str, state_order: Mapping[str, int]
) -> list["HolderMonth"]:
    """The rows in the chosen order; ties by name. Rows without a grant in the month go last
    when sorting by the grant, whichever direction."""
    field, descending = sort.lstrip("-"), sort.startswith("-")
    by_name = sorted(rows, key=_name_key)
    if field == "name":
        return by_name[::-1] if descending else by_name
    if field == "state":
        key: Callable[[HolderMonth], Any] = lambda row: state_order[row.state]  # noqa: E731
    elif field == "ends":
        key = lambda row: row.grant_ends  # noqa: E731
    else:
        key = lambda row: row.declared_share  # noqa: E731
    present = [row for row in by_name if key(row) is not None]
    missing = [row for row in by_name if key(row) is None]
    # sorted() is stable: equal keys keep the name order, in both directions
    return sorted(present, key=key, reverse=descending) + missing


# --- pages --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: an ellipsis
    url: str = ""
    current: bool = False


def page_of(rows: Sequence["HolderMonth"], page: str) -> "Page[HolderMonth]":
    """The page asked for; a page number out of range or not a number gives the nearest."""
    return Paginator(rows, PAGE_SIZE).get_page(page)


def page_links(page: "Page[Any]", url_of: Callable[[int], str]) -> list[PageLink]:
    """The numbered links of the pagination: the first, the last and those around the current
    page, with an ellipsis for the gaps (GOV.UK's pattern)."""
    return [
        PageLink(number, url_of(number), current=number == page.number)
        if isinstance(number, int)
        else PageLink(None)
        for number in page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    ]
