"""Money is Decimal with two places in Python and integer cents in vectorised code.

Rounding happens only through :func:`round_money` (ROUND_HALF_UP to the cent, as on the SVB's
forms), so every place that rounds can be found by searching for it.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
QUARTER_HOUR = Decimal("0.25")


def round_money(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def to_cents(value: Decimal) -> int:
    return int(round_money(value) * 100)


def from_cents(cents: int) -> Decimal:
    return (Decimal(int(cents)) / 100).quantize(CENT)
