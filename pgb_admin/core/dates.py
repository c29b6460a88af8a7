"""Dates and months in text, in the active language: the one way a message, a finding or a page
writes a day. Dutch ``9-11-2026`` (in prose ``9 november 2026``), English ``9 Nov 2026`` (in
prose ``9 November 2026``); never MM/DD/YYYY. The formats themselves live in
:mod:`pgb_admin.formats`, so Django's ``date`` filter writes the same."""

from datetime import date, datetime
from typing import Literal

from django.utils import formats, timezone

Style = Literal["short", "prose"]

_FORMATS = {"short": "SHORT_DATE_FORMAT", "prose": "DATE_FORMAT"}
NO_DATE = "–"


def as_date(value: date | datetime | str) -> date:
    """A day from a date, a moment (its day in the Netherlands) or ISO text (``2026-11-09``)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    return value


def format_date(value: date | datetime | str | None, style: Style = "short") -> str:
    """``value`` as the active language writes a day; a dash for none."""
    if value is None or value == "":
        return NO_DATE
    return formats.date_format(as_date(value), _FORMATS[style])


def format_moment(value: datetime | None) -> str:
    """A moment on the Dutch clock, in prose: ``9 november 2026 14:05`` (nl),
    ``9 November 2026 14:05`` (en)."""
    if value is None:
        return NO_DATE
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return formats.date_format(local, "DATETIME_FORMAT")


def format_month(value: date | str | None) -> str:
    """A month in words: ``november 2026`` (nl), ``November 2026`` (en)."""
    if value is None or value == "":
        return NO_DATE
    if isinstance(value, str) and len(value) == 7:  # YYYY-MM
        value = f"{value}-01"
    return formats.date_format(as_date(value), "YEAR_MONTH_FORMAT")
