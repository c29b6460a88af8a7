"""Dated validity: every figure, mandate and agreement version holds from a date and, unless
open-ended, to a date (both inclusive)."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def valid_on_q(on: date, *, start: str = "valid_from", end: str = "valid_to") -> Q:
    """Rows whose period [start, end] contains ``on``; a missing end is open-ended."""
    return Q(**{f"{start}__lte": on}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": on}))


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
                    params={"start": start.isoformat(), "end": end.isoformat()},
                )
            }
        )


class ValidityQuerySet(models.QuerySet):
    def valid_on(self, on: date):
        return self.filter(valid_on_q(on))


def parse_month(text: str) -> date | None:
    """``YYYY-MM`` as the first day of that month; ``None`` for anything else."""
    year, dash, month = text.partition("-")
    if not (dash and len(year) == 4 and len(month) == 2 and year.isdigit() and month.isdigit()):
        return None
    try:
        return date(int(year), int(month), 1)
    except ValueError:
        return None


def previous_month(today: date) -> date:
    """The first day of the month before ``today``'s: the month people declare now."""
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)
