"""Dates and months in text, in the active language: the one way a message, a finding or a page
writes a day. Dutch ``9-11-2026`` (in prose ``9 november 2026``), English ``9 Nov 2026`` (in
prose ``9 November 2026``); never MM/DD/YYYY. The formats themselves live in
:mod:`pgb_admin.formats`, so Django's ``date`` filter writes the same."""

import re
from datetime import date, datetime, timedelta
from typing import Literal

from django.utils import formats, timezone, translation
from django.utils.translation import gettext, pgettext

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


def format_period(start: date | str | None, end: date | str | None) -> str:
    """A period in words, with an en dash between the days and the year once when both share
    it: ``1 januari - 31 december 2026`` (nl), ``1 January - 31 December 2026`` (en),
    ``1 juli 2026 - 30 juni 2027`` across years. One missing end gives the other day alone."""
    if not start or not end:
        return format_date(start or end, "prose")
    first, last = as_date(start), as_date(end)
    if first.year == last.year:
        return f"{formats.date_format(first, 'j F')} – {format_date(last, 'prose')}"
    return f"{format_date(first, 'prose')} – {format_date(last, 'prose')}"


ISO_WEEK = re.compile(r"(\d{4})-W(\d{1,2})")


def short_day(day: date, *, with_year: bool = False) -> str:
    """A day with its month in three letters: ``30 nov`` (nl), ``30 Nov`` (en)."""
    dutch = (translation.get_language() or "nl").startswith("nl")
    text = formats.date_format(day, "j b" if dutch else "j M")
    return f"{text} {day.year}" if with_year else text


def week_label(value: date | datetime | str | None) -> str:
    """A week in words: ``week 49 (30 nov - 6 dec)``, ``week 50 (7 - 13 dec)``, and with the
    years when it crosses one, ``week 53 (28 dec 2026 - 3 jan 2027)`` (an en dash between the
    days). ``value`` is any day of the week or an ISO week code (``2026-W49``); text that is
    neither comes back as it is."""
    if value is None or value == "":
        return NO_DATE
    if isinstance(value, str) and (code := ISO_WEEK.fullmatch(value.strip())):
        try:
            monday = date.fromisocalendar(int(code[1]), int(code[2]), 1)
        except ValueError:
            return value
    else:
        try:
            day = as_date(value)
        except ValueError:
            return str(value)
        monday = day - timedelta(days=day.weekday())
    sunday = monday + timedelta(days=6)
    if monday.year != sunday.year:
        first, last = short_day(monday, with_year=True), short_day(sunday, with_year=True)
    elif monday.month == sunday.month:
        first, last = str(monday.day), short_day(sunday)
    else:
        first, last = short_day(monday), short_day(sunday)
    return gettext("week %(number)s (%(first)s – %(last)s)") % {
        "number": monday.isocalendar()[1],
        "first": first,
        "last": last,
    }


def week_span(monday: date, *, with_year: bool = True) -> str:
    """A week's days in full: ``28 september - 4 oktober 2026``, ``5 - 11 oktober 2026``
    within a month, ``28 december 2026 - 3 januari 2027`` across a year (en dashes)."""
    sunday = monday + timedelta(days=6)
    year = f" {sunday.year}" if with_year else ""
    if monday.year != sunday.year:
        return f"{format_date(monday, 'prose')} – {format_date(sunday, 'prose')}"
    if monday.month == sunday.month:
        return f"{monday.day} – {formats.date_format(sunday, 'j F')}{year}"
    return f"{formats.date_format(monday, 'j F')} – {formats.date_format(sunday, 'j F')}{year}"


def weekday_short(day: date) -> str:
    """``ma 28 sep`` (nl), ``Mon 28 Sep`` (en)."""
    return formats.date_format(day, pgettext("short day with month", "D j M"))


def weekday_long(day: date) -> str:
    """``maandag 28 september`` (nl), ``Monday 28 September`` (en)."""
    return formats.date_format(day, "l j F")


def month_abbreviation(day: date) -> str:
    """A month's short name: ``mrt`` (nl), ``Mar`` (en)."""
    name = formats.date_format(day, "b")
    return name if (translation.get_language() or "nl").startswith("nl") else name.capitalize()
