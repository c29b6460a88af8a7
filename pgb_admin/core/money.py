"""Money is Decimal with two places in Python and integer cents in vectorised code.

Rounding happens only through :func:`round_money` (ROUND_HALF_UP to the cent, as on the SVB's
forms) and, in vectorised code, :func:`percent_of_cents` (the same, on integer cents), so
every place that rounds can be found by searching for them.
"""

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import numpy.typing as npt

CENT = Decimal("0.01")
QUARTER_HOUR = Decimal("0.25")


def round_money(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def to_cents(value: Decimal) -> int:
    return int(round_money(value) * 100)


def from_cents(cents: int) -> Decimal:
    return (Decimal(int(cents)) / 100).quantize(CENT)


def percent_of_cents(cents: npt.ArrayLike, hundredths: npt.ArrayLike) -> np.ndarray:
    """``hundredths`` hundredths of a percent (8.00 % is 800) of ``cents``, element-wise in
    integer arithmetic, rounded half up (away from zero, as :func:`round_money`) to the cent.
    The one place vectorised code rounds a percentage of money; arrays or ints."""
    wage = np.asarray(cents, dtype=np.int64)
    pct = np.asarray(hundredths, dtype=np.int64)
    result: np.ndarray = np.sign(wage) * ((np.abs(wage) * pct + 5_000) // 10_000)
    return result
