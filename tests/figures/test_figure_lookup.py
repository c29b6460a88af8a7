"""FigureLookup answers every day as ``row_on`` does (the scheme's own row before the general
one, the highest age band, national rows only), from the figure's rows read once: a day
without a figure costs no query of its own."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from pgb_admin.figures.constants import FigureKind, FigureUnit
from pgb_admin.figures.models import FigureLookup, StatutoryFigure

from ..factories import FunderFactory

KIND = FigureKind.EMPLOYER_COSTS_PCT
SCHEMES = ("", "wlz", "wmo")


def _figure(value: str, start: date, end: date | None = None, **fields) -> StatutoryFigure:
    return StatutoryFigure.objects.create(
        kind=KIND,
        unit=FigureUnit.PERCENT,
        value=Decimal(value),
        valid_from=start,
        valid_to=end,
        source="test",
        **fields,
    )


@pytest.fixture
def figures(db):
    StatutoryFigure.objects.filter(kind=KIND).delete()
    _figure("10.00", date(2026, 1, 1), date(2026, 3, 31))
    # a gap in April
    _figure("11.00", date(2026, 5, 1))
    _figure("12.50", date(2026, 2, 1), date(2026, 6, 30), scheme="wlz")
    _figure("13.00", date(2026, 6, 1), age_min=21)
    _figure("14.00", date(2026, 8, 1), age_min=18, scheme="wmo")
    _figure("99.00", date(2025, 1, 1), funder=FunderFactory())  # a funder's own: not national


def _days():
    day = date(2025, 12, 25)
    while day <= date(2026, 9, 5):
        yield day
        day += timedelta(days=1)


def test_every_day_and_scheme_gets_the_value_of_row_on(figures):
    lookup = FigureLookup()
    for scheme in SCHEMES:
        for day in _days():
            expected = StatutoryFigure.objects.row_on(KIND, day, scheme=scheme)
            assert lookup.value_on(KIND, day, scheme=scheme) == (
                expected.value if expected else None
            ), (scheme, day)


def test_the_preferences_and_the_gap(figures):
    lookup = FigureLookup()
    assert lookup.value_on(KIND, date(2025, 12, 31)) is None  # before the first row
    assert lookup.value_on(KIND, date(2026, 1, 15), scheme="wlz") == Decimal("10.00")
    assert lookup.value_on(KIND, date(2026, 2, 1), scheme="wlz") == Decimal("12.50")
    assert lookup.value_on(KIND, date(2026, 4, 15)) is None  # the gap
    assert lookup.value_on(KIND, date(2026, 4, 15), scheme="wlz") == Decimal("12.50")
    assert lookup.value_on(KIND, date(2026, 6, 1)) == Decimal("13.00")  # highest age band
    assert lookup.value_on(KIND, date(2026, 8, 1), scheme="wmo") == Decimal("14.00")
    assert lookup.value_on(KIND, date(2026, 8, 1), scheme="wlz") == Decimal("13.00")


def test_one_query_per_figure_and_scheme_whatever_the_days(figures):
    lookup = FigureLookup()
    with CaptureQueriesContext(connection) as queries:
        for day in _days():
            lookup.value_on(KIND, day)
            lookup.value_on(KIND, day, scheme="wlz")
            lookup.value_on(FigureKind.HOLIDAY_ALLOWANCE_PCT, day)
    assert len(queries.captured_queries) == 3
