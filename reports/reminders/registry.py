"""The kinds of reminder, each a small registered unit: what is due on a day (for which
holder), and the message. Whom a reminder goes to follows from the holder: every user who acts
for them that day (holder, representative, bureau), so a kind never picks recipients itself.

A kind is registered with :func:`register`::

    register(Kind(
        code="provider_month_review",
        label=_("A provider's month waits for your review"),
        due=provider_months_due,           # (today: date) -> Iterable[Due]
        title=provider_month_title,        # (params: dict, holder_name: str) -> str
    ))

``due`` is called once a day with the day (one or a few queries for all holders: never one per
holder) and returns every reminder that is due *on or before* that day and still relevant;
each has an ``occurrence`` that names what it is about (a grant, an agreement's month), so the
same occurrence is stored once per user and never fires again."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Due:
    """One reminder due for one holder. ``params`` are JSON values (ISO dates as text, numbers,
    no names beyond what :func:`holder_name` gives, never a BSN or a care product); ``link``
    is the path of the page where the user acts."""

    holder_id: int
    occurrence: str
    link: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Kind:
    code: str
    label: str | Promise  # for the choices page, e.g. "A grant ends soon"
    due: Callable[[date], Iterable[Due]]
    # the sentence, rendered in the active language from the stored params and the holder's
    # first name (or initials)
    title: Callable[[dict[str, Any], str], str]


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    if kind.code in KINDS:
        raise ValueError(f"reminder kind {kind.code!r} registered twice")
    if len(kind.code) > 40:
        raise ValueError(f"reminder kind {kind.code!r}: at most 40 characters")
    KINDS[kind.code] = kind
    return kind


def kinds() -> list[Kind]:
    from . import kinds as _registered  # noqa: F401  the built-in kinds register on import

    return list(KINDS.values())


def get(code: str) -> Kind | None:
    kinds()
    return KINDS.get(code)


def holder_name(first_name: str, initials: str) -> str:
    """How a reminder names a holder: the first name, or the initials; never the surname."""
    return first_name or initials
