"""The funder's maximum tariff for many cases at once: an interval join of the cases with the
tariff table (``pd.merge_asof`` on the date, by case key), linear in cases and tariff rows,
without a loop over either."""

import numpy as np
import pandas as pd

from contracts.carers import TARIFF_FALLBACK

# a row's specificity: a funder's own row beats a national one, a product's row a general one
_RANKS = ((True, True), (True, False), (False, True), (False, False))
_ONE_TICK = np.timedelta64(1, "ns")


def max_tariffs(tariffs: pd.DataFrame, cases: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per case (columns ``scheme``, ``carer_class``, ``unit``, ``funder_id``, ``product_id``,
    ``on``): the maximum in cents valid on ``on`` and its source; -1 and "" where none is
    known. A funder's own row beats a national one, a product's row a general one; among rows
    of the same specificity valid on the day, the first in the table. A self-employed carer
    without a row of that class for the case gets the formal row
    (:data:`contracts.carers.TARIFF_FALLBACK`)."""
    chosen = np.full(len(cases), -1, dtype=np.int64)
    if len(cases) and len(tariffs):
        # the cases by day once: merge_asof wants them sorted
        order = np.argsort(_instants(cases["on"]), kind="stable")
        cases = cases.take(order)
        keys = _Keys(tariffs, cases)
        found = keys.lookup(np.ones(len(cases), dtype=bool))
        classes = cases["carer_class"].to_numpy()
        for carer_class, fallback in TARIFF_FALLBACK.items():
            again = (classes == carer_class) & (found < 0)
            if again.any():
                found[again] = keys.lookup(again, carer_class=fallback)
        chosen[order] = found
    found_any = chosen >= 0
    best = np.full(len(cases), -1, dtype=np.int64)
    best[found_any] = tariffs["max_cents"].to_numpy().astype(np.int64)[chosen[found_any]]
    source = np.full(len(cases), "", dtype=object)
    source[found_any] = tariffs["source"].to_numpy(dtype=object)[chosen[found_any]]
    return best, source


class _Keys:
    """The cases (sorted by day) and the tariff rows as integer keys: scheme, carer class and
    unit as one code (a case with a missing value or a row with a value no case has never
    match), funder and product as codes of one vocabulary."""

    def __init__(self, tariffs: pd.DataFrame, cases: pd.DataFrame) -> None:
        self.kinds = {}
        for column in ("scheme", "carer_class", "unit"):
            codes, values = pd.factorize(cases[column])
            vocabulary = pd.Index(values)
            self.kinds[column] = (codes.astype(np.int64), vocabulary)
        self.row_values = {column: tariffs[column] for column in self.kinds}
        self.funder, self.row_funder, self.n_funders = _joint_codes(
            cases["funder_id"], tariffs["funder_id"]
        )
        self.product, self.row_product, self.n_products = _joint_codes(
            cases["product_id"], tariffs["product_id"]
        )
        self.general_funder = tariffs["funder_id"].fillna(-1).to_numpy() == -1
        self.general_product = tariffs["product_id"].fillna(-1).to_numpy() == -1
        self.on = _instants(cases["on"])
        self.starts = _instants(tariffs["valid_from"])
        self.ends = _instants(tariffs["valid_to"])

    def _kind_codes(self, carer_class: str | None) -> tuple[np.ndarray, np.ndarray]:
        case_code = np.zeros(len(self.on), dtype=np.int64)
        row_code = np.zeros(len(self.starts), dtype=np.int64)
        for column, (codes, vocabulary) in self.kinds.items():
            if column == "carer_class" and carer_class is not None:
                if carer_class not in vocabulary:
                    vocabulary = vocabulary.append(pd.Index([carer_class]))
                codes = np.full(len(codes), vocabulary.get_loc(carer_class), dtype=np.int64)
            row_codes = vocabulary.get_indexer(self.row_values[column])
            size = len(vocabulary) + 1
            case_code = np.where((case_code < 0) | (codes < 0), -1, case_code * size + codes)
            row_code = np.where((row_code < 0) | (row_codes < 0), -1, row_code * size + row_codes)
        return case_code, row_code

    def lookup(self, cases: np.ndarray, carer_class: str | None = None) -> np.ndarray:
        """For the cases of the mask ``cases``, the position of their tariff row (-1: none),
        ``carer_class`` standing in for theirs when given."""
        case_kind, row_kind = self._kind_codes(carer_class)
        chosen = np.full(len(self.on), -1, dtype=np.int64)
        usable = (row_kind >= 0) & ~np.isnat(self.starts)
        wanted = cases & (case_kind >= 0) & ~np.isnat(self.on)
        for by_funder, by_product in _RANKS:
            rows = usable & (self.general_funder != by_funder)
            rows &= self.general_product != by_product
            open_cases = wanted & (chosen < 0)
            if not rows.any() or not open_cases.any():
                continue
            funder, row_funder = (self.funder, self.row_funder) if by_funder else (-1, -1)
            product, row_product = (self.product, self.row_product) if by_product else (-1, -1)
            case_key = (case_kind * self.n_funders + funder + 1) * self.n_products + product + 1
            row_key = (row_kind * self.n_funders + row_funder + 1) * self.n_products
            row_key += row_product + 1
            index = np.flatnonzero(rows)
            points = _winners(row_key[index], self.starts[index], self.ends[index], index)
            chosen[open_cases] = _at(points, case_key[open_cases], self.on[open_cases])
        found: np.ndarray = chosen[cases]
        return found


def _joint_codes(cases: pd.Series, rows: pd.Series) -> tuple[np.ndarray, np.ndarray, int]:
    """Ids of the cases and the tariff rows as small codes from one vocabulary (a missing id
    is -1, as in the table), and the size of the key space they need (one more for "any")."""
    ids = np.concatenate(
        [
            cases.fillna(-1).to_numpy().astype(np.int64),
            rows.fillna(-1).to_numpy().astype(np.int64),
        ]
    )
    codes, values = pd.factorize(ids)
    codes = codes.astype(np.int64)
    return codes[: len(cases)], codes[len(cases) :], len(values) + 1


def _instants(values: pd.Series) -> np.ndarray:
    return np.asarray(pd.to_datetime(values).to_numpy().astype("datetime64[ns]"))


def _winners(
    keys: np.ndarray, starts: np.ndarray, ends: np.ndarray, index: np.ndarray
) -> pd.DataFrame:
    """The tariff rows of one specificity as steps in time per key: from each point where a
    row starts or stops holding, the first row (lowest position) that holds, or -1. Rows of
    one key are few, so pairing them with their key's points stays small."""
    stops = ends + _ONE_TICK  # a row holds up to and including its last day
    rows = pd.DataFrame({"key": keys, "start": starts, "end": ends, "row": index})
    points = pd.DataFrame(
        {
            "key": np.concatenate([keys, keys[~np.isnat(ends)]]),
            "point": np.concatenate([starts, stops[~np.isnat(ends)]]),
        }
    ).drop_duplicates()
    pairs = points.merge(rows, on="key")
    holds = (pairs["start"] <= pairs["point"]) & (
        pairs["end"].isna() | (pairs["point"] <= pairs["end"])
    )
    row = pairs["row"].where(holds, np.iinfo(np.int64).max)
    first = row.groupby([pairs["key"], pairs["point"]]).min().reset_index()
    first["row"] = first["row"].where(first["row"] != np.iinfo(np.int64).max, -1)
    return first.sort_values("point", kind="stable").reset_index(drop=True)


def _at(points: pd.DataFrame, keys: np.ndarray, on: np.ndarray) -> np.ndarray:
    """The winning row of each case (sorted by ``on``): the step of its key at the latest
    point not after ``on`` (-1 before the first point)."""
    cases = pd.DataFrame({"key": keys, "point": on})
    joined = pd.merge_asof(cases, points, on="point", by="key", direction="backward")
    return np.asarray(joined["row"].fillna(-1).to_numpy().astype(np.int64))
