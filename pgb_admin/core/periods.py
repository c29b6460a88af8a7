"""Dated validity: every figure, mandate and agreement version holds from a date and, unless
open-ended, to a date (both inclusive). And the range of dates the application takes at all."""

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Self, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .dates import format_date, format_month

#: The first and the last day the application takes, anywhere (pages, API, imports, commands,
#: the database). Whole years, so every month in between is whole too. Why these two:
#: - the validation engine and the reports compute with pandas, whose ``Timestamp`` holds only
#:   1677-09-21 to 2262-04-11, so year 1 or 9999 cannot even be computed with (and date
#:   arithmetic near them overflows Python's ``date``);
#: - the oldest dates real data needs are dates of birth of budget holders and carers: nobody
#:   alive was born before 1900, and pgb grants, agreements and care exist only since the 1990s;
#: - no grant or agreement runs past 2099; a date beyond it is a typing error (9999-12-31 as
#:   "open-ended"), which an open-ended period writes as no end date instead.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2099, 12, 31)
OUT_OF_RANGE = "out_of_range"  # the code of the errors below, in forms and in the API


def is_supported(day: date) -> bool:
    """Whether ``day`` (or the month it starts) lies in the supported range."""
    return FIRST_DAY <= day <= LAST_DAY


def date_out_of_range() -> ValidationError:
    return ValidationError(
        _("Give a date from %(first)s to %(last)s."),
        code=OUT_OF_RANGE,
        params={"first": format_date(FIRST_DAY), "last": format_date(LAST_DAY)},
    )


def month_out_of_range() -> ValidationError:
    return ValidationError(
        _("Give a month from %(first_month)s to %(last_month)s."),
        code=OUT_OF_RANGE,
        params={"first_month": format_month(FIRST_DAY), "last_month": format_month(LAST_DAY)},
    )


def validate_supported_date(value: date) -> None:
    """The validator of every date field: the model fields, the forms and the API's filters."""
    if not is_supported(value):
        raise date_out_of_range()


def validate_supported_month(value: date) -> None:
    if not is_supported(value):
        raise month_out_of_range()


def valid_on_q(on: date, *, start: str = "valid_from", end: str = "valid_to") -> Q:
    """Rows whose period [start, end] contains ``on``; a missing end is open-ended."""
    return Q(**{f"{start}__lte": on}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": on}))


def valid_during_q(first: date, last: date) -> Q:
    """Rows whose period [valid_from, valid_to] shares a day with [first, last] (e.g. the
    versions that run in a month); a missing end is open-ended."""
    return Q(valid_from__lte=last) & (Q(valid_to__isnull=True) | Q(valid_to__gte=first))


def periods_overlap(
    first_start: date, first_end: date | None, second_start: date, second_end: date | None
) -> bool:
    return (first_end is None or second_start <= first_end) and (
        second_end is None or first_start <= second_end
    )


def validate_period(start: date | None, end: date | None, *, end_field: str = "valid_to") -> None:
    if start and end and end < start:
        raise ValidationError(
            {
                end_field: ValidationError(
                    _("The end date %(end)s lies before the start date %(start)s."),
                    code="period_end_before_start",
                    params={"start": format_date(start), "end": format_date(end)},
                )
            }
        )


_M = TypeVar("_M", bound=models.Model)


class ValidityQuerySet(models.QuerySet[_M]):
    def valid_on(self, on: date) -> Self:
        return self.filter(valid_on_q(on))


def month_from_text(text: str) -> date | None:
    """``YYYY-MM`` as the first day of that month, in or out of the supported range; ``None``
    for anything else."""
    year, dash, month = text.partition("-")
    if not (dash and len(year) == 4 and len(month) == 2 and year.isdigit() and month.isdigit()):
        return None
    try:
        return date(int(year), int(month), 1)
    except ValueError:
        return None


def parse_month(text: str) -> date | None:
    """``YYYY-MM`` as the first day of that month; ``None`` for anything else, and for a month
    outside the supported range (a page with ``9999-12`` in its URL is not found)."""
    month = month_from_text(text)
    return month if month is not None and is_supported(month) else None


def previous_month(today: date) -> date:
    """The first day of the month before ``today``'s: the month people declare now."""
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def month_start(day: date) -> date:
    """The first day of ``day``'s month (how a month is stored and passed around)."""
    return day.replace(day=1)


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def next_month(day: date) -> date:
    """The first day of the month after ``day``'s."""
    return month_end(day) + timedelta(days=1)


def days_of_month(month: date) -> Iterator[date]:
    """Every day of ``month``'s month, in order."""
    day, last = month_start(month), month_end(month)
    while day <= last:
        yield day
        day += timedelta(days=1)
