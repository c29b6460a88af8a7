"""The validation engine's set-based joins (issue 18): the tariff lookup as an interval join,
the IBAN check per provider, sums over packed keys and the findings' figures built once per
distinct combination. Each is checked against the plain pandas (or per-row) way of doing it."""

import numpy as np
import pandas as pd

from declarations.validation.engine import _params
from declarations.validation.registry import catalogue
from declarations.validation.rules._common import packed_keys, sums_at
from declarations.validation.rules.identifiers import _iban_is_valid
from declarations.validation.tariffs import max_tariffs

TARIFF_COLUMNS = [
    "scheme", "funder_id", "product_id", "carer_class", "unit", "valid_from", "valid_to",
    "max_cents", "source",
]  # fmt: skip


def _tariffs(rows):
    frame = pd.DataFrame(rows, columns=TARIFF_COLUMNS)
    frame["valid_from"] = pd.to_datetime(frame["valid_from"])
    frame["valid_to"] = pd.to_datetime(frame["valid_to"])
    return frame


def _cases(rows):
    return pd.DataFrame(
        rows, columns=["scheme", "carer_class", "unit", "funder_id", "product_id", "on"]
    ).assign(on=lambda frame: pd.to_datetime(frame["on"]))


def test_the_most_specific_row_holds_and_the_first_of_equals_wins():
    tariffs = _tariffs(
        [
            ("wmo", -1, -1, "formal", "hour", "2026-01-01", None, 5000, "national"),
            ("wmo", -1, 3, "formal", "hour", "2026-01-01", None, 5100, "product"),
            ("wmo", 7, -1, "formal", "hour", "2026-01-01", None, 5200, "funder"),
            ("wmo", 7, 3, "formal", "hour", "2026-01-01", "2026-06-30", 5300, "funder product"),
            # overlaps the row above for the same case: the first in the table wins
            ("wmo", 7, 3, "formal", "hour", "2026-03-01", None, 5400, "later overlap"),
        ]
    )
    cases = _cases(
        [
            ("wmo", "formal", "hour", 7, 3, "2026-06-30"),  # its last day still holds
            ("wmo", "formal", "hour", 7, 3, "2026-07-01"),  # then the overlapping row
            ("wmo", "formal", "hour", 7, 4, "2026-07-01"),  # the funder's general row
            ("wmo", "formal", "hour", 8, 3, "2026-07-01"),  # the product's national row
            ("wmo", "formal", "hour", 8, 4, "2026-07-01"),  # the national row
            ("wmo", "formal", "hour", 7, 3, "2025-12-31"),  # before every row
            ("wmo", "formal", "hour", 7, 3, None),  # no day: nothing
            (None, "formal", "hour", 7, 3, "2026-07-01"),  # no scheme: nothing
            ("wlz", "formal", "hour", 7, 3, "2026-07-01"),  # a scheme without rows
        ]
    )
    best, source = max_tariffs(tariffs, cases)
    assert list(best) == [5300, 5400, 5200, 5100, 5000, -1, -1, -1, -1]
    assert list(source[:5]) == ["funder product", "later overlap", "funder", "product", "national"]
    assert list(source[5:]) == ["", "", "", ""]


def test_a_self_employed_carer_falls_back_to_the_formal_row():
    tariffs = _tariffs(
        [
            ("wlz", -1, -1, "formal", "hour", "2025-01-01", None, 8081, "wlz formal"),
            ("wmo", 7, 3, "self_employed", "hour", "2025-01-01", None, 4650, "zzp"),
        ]
    )
    cases = _cases(
        [
            ("wlz", "self_employed", "hour", 9, 3, "2025-06-01"),
            ("wmo", "self_employed", "hour", 7, 3, "2025-06-01"),
            ("wlz", "informal", "hour", 9, 3, "2025-06-01"),
        ]
    )
    best, _source = max_tariffs(tariffs, cases)
    assert list(best) == [8081, 4650, -1]


def test_the_iban_check_follows_iso_13616():
    ibans = pd.Series(
        [
            "NL91ABNA0417164300",
            "nl91 abna 0417 1643 00",  # lower case and spaces are read as written on paper
            "NL91ABNA0417164301",  # wrong check
            "NL91ABNA041716430",  # an NL IBAN has 18 characters
            "GB82WEST12345698765432",
            "1291ABNA0417164300",  # no country
            "NL91-ABNA0417164300",
            "",
            None,
        ],
        dtype=object,
    )
    valid = [True, True, False, False, True, False, False, False, False]
    assert list(_iban_is_valid(ibans)) == valid


def test_sums_at_is_a_groupby_sum_and_a_left_merge():
    rng = np.random.default_rng(18)
    table = pd.DataFrame(
        {
            "provider": rng.integers(0, 50, 2_000),
            "day": pd.Timestamp("2026-10-01") + pd.to_timedelta(rng.integers(0, 9, 2_000), "D"),
            "hours": rng.integers(0, 900, 2_000),
        }
    )
    query = pd.DataFrame(
        {
            "provider": rng.integers(0, 60, 500).astype(float),
            "day": pd.Timestamp("2026-10-01") + pd.to_timedelta(rng.integers(0, 12, 500), "D"),
        }
    )
    query.loc[::17, "provider"] = np.nan
    expected = (
        query.merge(
            table.groupby(["provider", "day"], as_index=False)["hours"].sum(),
            on=["provider", "day"],
            how="left",
        )["hours"]
        .fillna(0)
        .astype(np.int64)
    )
    (found,) = sums_at(
        [table["provider"].to_numpy(), table["day"].to_numpy()],
        [table["hours"].to_numpy()],
        [query["provider"].to_numpy(), query["day"].to_numpy()],
    )
    assert list(found) == list(expected)


def test_packed_keys_sort_as_their_rows():
    rng = np.random.default_rng(7)
    columns = [rng.integers(-5, 10**6, 1_000), rng.integers(0, 10**9, 1_000)]
    (packed,) = packed_keys(columns)
    by_rows = np.lexsort((columns[1], columns[0]))
    assert list(np.argsort(packed, kind="stable")) == list(by_rows)


def test_findings_that_share_their_figures_get_equal_but_separate_dicts():
    rule = catalogue()["calendar.public_holiday"]
    offences = pd.DataFrame(
        {
            "declaration_id": [1, 2, 3],
            "care_date": pd.to_datetime(["2026-12-25", "2026-12-25", "2026-12-26"]),
            "day": pd.to_datetime(["2026-12-25", "2026-12-25", "2026-12-26"]),
        }
    )
    params = _params(rule, offences)
    assert params == [{"day": "2026-12-25"}, {"day": "2026-12-25"}, {"day": "2026-12-26"}]
    assert params[0] is not params[1]
