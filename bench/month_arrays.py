"""The numpy helpers of the generated month: day numbers, dates, chances and IBANs."""

from datetime import date

import numpy as np

SEED = 20261001


def day_number(day: date) -> int:
    return int(np.datetime64(day, "D").astype(np.int64))


def as_dates(days: np.ndarray) -> np.ndarray:
    """Day numbers (-1 or less: unknown) as datetime64[ns] with NaT."""
    days = np.asarray(days, dtype=np.int64)
    result = days.astype("datetime64[D]").astype("datetime64[ns]")
    result[days < 0] = np.datetime64("NaT")
    return result


def month_length(first_day: np.ndarray) -> np.ndarray:
    month = first_day.astype("datetime64[D]").astype("datetime64[M]")
    return ((month + 1).astype("datetime64[D]") - month.astype("datetime64[D]")).astype(np.int64)


def chance(rng, share: float, size: int) -> np.ndarray:
    return rng.random(size) < share


def ibans(rng, count: int, invalid_share: float) -> np.ndarray:
    """Dutch IBANs with the demo bank code DEMO and a correct mod-97 check, some broken."""
    accounts = rng.integers(0, 10**10, size=count)
    bank = "13142224"  # D=13 E=14 M=22 O=24
    result = np.empty(count, dtype=object)
    for index, account in enumerate(accounts.tolist()):
        check = 98 - int(f"{bank}{account:010d}232100") % 97  # N=23 L=21 00
        result[index] = f"NL{check:02d}DEMO{account:010d}"
    broken = np.flatnonzero(chance(rng, invalid_share, count))
    for index in broken.tolist():
        text = result[index]
        digit = (int(text[-1]) + 1) % 10
        result[index] = text[:-1] + str(digit)
    return result
