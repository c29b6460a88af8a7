"""System checks on the figures: a missing minimum wage is said loudly (figures.W001), since
the validation cannot check pay against a minimum it does not have."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.checks import CheckMessage, Tags, Warning, register
from django.db import DatabaseError
from django.utils import timezone, translation

W001 = "figures.W001"
W002 = "figures.W002"


def spelled(day: date) -> str:
    """1 July 2026: for the console, in English whatever the language."""
    return f"{day.day} {day:%B %Y}"


# Tagged "database" as Django asks of checks that query: `manage.py check --database default`
# runs it (as `make setup` and the deploy do), plain commands and test runs do not.
@register(Tags.database)
def minimum_wage_complete(
    app_configs: Sequence[Any] | None = None,
    databases: Sequence[str] | None = None,
    **kwargs: Any,
) -> list[CheckMessage]:
    """figures.W001 for each period, from the first half year the table covers to the current
    one, without a minimum wage. Quiet when the database is not there yet (before migrate)."""
    from .gaps import minimum_wage_gaps

    if databases is None:  # checks without --database touch no database
        return []

    try:
        gaps = minimum_wage_gaps(timezone.localdate())
    except DatabaseError:
        return []
    return [
        Warning(
            f"minimum wage from {spelled(gap.start)} missing"
            + (f" (ages {', '.join(map(str, gap.ages))})" if gap.ages else "")
            + ": add it with manage.py figures add",
            hint=(
                "manage.py figures add --kind minimum_wage --age 21 --value ... "
                f'--from {gap.start.isoformat()} --source "..."; manage.py figures gaps lists '
                "what is missing. Until then pay is not checked against the minimum wage."
            ),
            id=W001,
        )
        for gap in gaps
    ]


@register(Tags.database)
def national_tariffs_complete(
    app_configs: Sequence[Any] | None = None,
    databases: Sequence[str] | None = None,
    **kwargs: Any,
) -> list[CheckMessage]:
    """figures.W002 for each year without the Wlz maximum tariffs or the Zvw informal rate:
    rates of that year get one rate.maximum_unknown notice per declaration and version."""
    from .gaps import national_tariff_gaps

    if databases is None:
        return []
    try:
        gaps = national_tariff_gaps(timezone.localdate())
    except DatabaseError:
        return []
    with translation.override("en"):  # the console speaks English, as the other checks do
        labels = [gap.label for gap in gaps]
    return [
        Warning(
            f"maximum tariff {label} for {gap.year} missing: add it",
            hint="Add the row with its source in the admin (maximum tariffs), or put it in a "
            "CSV with the columns of pgb_admin/figures/data/figures.csv and run manage.py "
            "figures load FILE.",
            id=W002,
        )
        for gap, label in zip(gaps, labels, strict=True)
    ]
