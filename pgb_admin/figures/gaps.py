"""Where the minimum-wage table has holes: every half year from the first one the table covers
to the current half year must have a national minimum wage for each age band. The SVB changes
the minimum wage on 1 January and 1 July, so a missing row shows up as a half year without one.
Read by the system check (figures.W001), the staff banner and ``manage.py figures gaps``."""

from dataclasses import dataclass
from datetime import date, timedelta

from .constants import FigureKind
from .models import StatutoryFigure


@dataclass(frozen=True)
class Gap:
    start: date
    end: date  # the end of the current half year at the latest
    ages: tuple[int, ...]  # the age bands without a row (empty: no rows at all)


def half_year_start(day: date) -> date:
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def half_year_end(day: date) -> date:
    return date(day.year, 6, 30) if day.month <= 6 else date(day.year, 12, 31)


def minimum_wage_gaps(today: date) -> list[Gap]:
    """The periods up to the end of ``today``'s half year that no national minimum-wage row
    covers, by start date, with the age bands they concern."""
    rows = list(
        StatutoryFigure.objects.filter(
            kind=FigureKind.MINIMUM_WAGE, funder__isnull=True, scheme=""
        ).values_list("age_min", "valid_from", "valid_to")
    )
    limit = half_year_end(today)
    if not rows:
        return [Gap(half_year_start(today), limit, ())]
    first = half_year_start(min(start for _age, start, _end in rows))
    by_band: dict[int, list[tuple[date, date | None]]] = {}
    for age, start, end in rows:
        by_band.setdefault(-1 if age is None else age, []).append((start, end))
    found: dict[tuple[date, date], set[int]] = {}
    for age, periods in by_band.items():
        cursor: date | None = first
        for start, end in sorted(periods):
            if cursor is None or cursor > limit:
                break
            if start > cursor:
                found.setdefault((cursor, min(start - timedelta(days=1), limit)), set()).add(age)
            cursor = None if end is None else max(cursor, end + timedelta(days=1))
        if cursor is not None and cursor <= limit:
            found.setdefault((cursor, limit), set()).add(age)
    return [
        Gap(start, end, tuple(sorted(age for age in ages if age >= 0)))
        for (start, end), ages in sorted(found.items())
    ]


@dataclass(frozen=True)
class TariffGap:
    scheme: str
    carer_class: str
    unit: str
    year: int

    @property
    def label(self) -> str:
        from pgb_admin.budgets.constants import Scheme

        from .constants import CarerClass, RateUnit

        return (
            f"{Scheme(self.scheme).label} {str(CarerClass(self.carer_class).label).lower()}, "
            f"{str(RateUnit(self.unit).label).lower()}"
        )


# The national maxima the Regeling langdurige zorg (Wlz) and the insurers' common informal
# rate (Zvw) set per calendar year; a municipality's own tables are its own business.
NATIONAL_TARIFFS = (
    ("wlz", "formal", "hour"),
    ("wlz", "formal", "day_part"),
    ("wlz", "informal", "hour"),
    ("zvw", "informal", "hour"),
)


def national_tariff_gaps(today: date) -> list[TariffGap]:
    """The calendar years, from the first one a national maximum has a row for up to
    ``today``'s year, on which no row covers 1 January or 31 December."""
    from .models import MaxTariff

    rows = MaxTariff.objects.filter(funder__isnull=True, product__isnull=True).values_list(
        "scheme", "carer_class", "unit", "valid_from", "valid_to"
    )
    periods: dict[tuple[str, str, str], list[tuple[date, date | None]]] = {}
    for scheme, carer_class, unit, start, end in rows:
        periods.setdefault((scheme, carer_class, unit), []).append((start, end))
    gaps = []
    for case in NATIONAL_TARIFFS:
        spans = periods.get(case, [])
        if not spans:
            continue
        for year in range(min(start for start, _end in spans).year, today.year + 1):
            for day in (date(year, 1, 1), date(year, 12, 31)):
                if not any(start <= day and (end is None or day <= end) for start, end in spans):
                    gaps.append(TariffGap(*case, year))
                    break
    return gaps
