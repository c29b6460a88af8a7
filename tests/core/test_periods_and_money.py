from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pgb_admin.accounts.models import Mandate
from pgb_admin.core.masking import mask_identifier
from pgb_admin.core.money import from_cents, round_money, to_cents
from pgb_admin.core.periods import periods_overlap, validate_period

BASE = date(2026, 1, 1)
days = st.integers(0, 60)


@st.composite
def periods(draw):
    start = draw(days)
    end = draw(st.one_of(st.none(), st.integers(start, 70)))
    return start, end


def _as_days(period, horizon=200):
    start, end = period
    return set(range(start, (end if end is not None else horizon) + 1))


@given(periods(), periods())
def test_overlap_matches_shared_days(first, second):
    expected = bool(_as_days(first) & _as_days(second))

    def to_dates(period):
        start, end = period
        return BASE + timedelta(days=start), (
            BASE + timedelta(days=end) if end is not None else None
        )

    assert periods_overlap(*to_dates(first), *to_dates(second)) is expected
    assert periods_overlap(*to_dates(second), *to_dates(first)) is expected


@given(st.dates(), st.dates())
def test_validate_period_refuses_exactly_the_reversed_ones(start, end):
    if end < start:
        with pytest.raises(ValidationError) as error:
            validate_period(start, end, end_field="end_date")
        assert error.value.error_dict["end_date"][0].code == "period_end_before_start"
    else:
        validate_period(start, end)


@pytest.mark.django_db
@given(periods(), days)
def test_valid_on_query_agrees_with_the_python_check(world_free_mandate, period, probe):
    mandate = world_free_mandate
    start, end = period
    mandate.valid_from = BASE + timedelta(days=start)
    mandate.valid_to = BASE + timedelta(days=end) if end is not None else None
    mandate.save()
    on = BASE + timedelta(days=probe)
    in_query = Mandate.objects.valid_on(on).filter(pk=mandate.pk).exists()
    assert in_query is mandate.is_valid_on(on) is (probe in _as_days(period))


@pytest.fixture
def world_free_mandate(db):
    from ..factories import MandateFactory

    return MandateFactory()


def test_database_refuses_reversed_period(db):
    from django.db import IntegrityError, transaction

    from ..factories import MandateFactory

    mandate = MandateFactory()
    mandate.valid_to = mandate.valid_from - timedelta(days=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        mandate.save()


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("999996708", "*****6708"),
        ("NL91ABNA0417164300", "**************4300"),
        ("", ""),
        (None, ""),
        ("123", "***"),
    ],
)
def test_masking_keeps_the_last_four(value, masked):
    assert mask_identifier(value) == masked


@given(st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, places=6))
def test_rounding_is_half_up_to_the_cent(value):
    rounded = round_money(value)
    assert rounded.as_tuple().exponent == -2
    assert abs(rounded - value) <= Decimal("0.005")
    assert from_cents(to_cents(value)) == rounded


def test_half_cents_round_up():
    assert round_money(Decimal("2.345")) == Decimal("2.35")
    assert round_money(Decimal("-2.345")) == Decimal("-2.35")
