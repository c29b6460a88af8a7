"""The funder's maximum tariff for many cases at once (vectorised over the cases; the tariff
table has a few hundred rows at most)."""

import numpy as np
import pandas as pd

from contracts.carers import TARIFF_FALLBACK


def max_tariffs(tariffs: pd.DataFrame, cases: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per case (columns ``scheme``, ``carer_class``, ``unit``, ``funder_id``, ``product_id``,
    ``on``): the maximum in cents valid on ``on`` and its source; -1 and "" where none is
    known. A funder's own row beats a national one, a product's row a general one. A
    self-employed carer without a row of that class for the case gets the formal row
    (:data:`contracts.carers.TARIFF_FALLBACK`)."""
    best, source = _lookup(tariffs, cases)
    classes = cases["carer_class"]
    for carer_class, fallback in TARIFF_FALLBACK.items():
        again = ((classes == carer_class).to_numpy()) & (best < 0)
        if again.any():
            found, found_source = _lookup(tariffs, cases[again].assign(carer_class=fallback))
            best[again], source[again] = found, found_source
    return best, source


def _lookup(tariffs: pd.DataFrame, cases: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    best = np.full(len(cases), -1, dtype=np.int64)
    specificity = np.full(len(cases), -1, dtype=np.int64)
    chosen = np.full(len(cases), -1, dtype=np.int64)
    on = cases["on"].to_numpy()
    # the case columns as integer codes (no code, -1, for a missing value, -2 in a tariff row
    # for a value no case has), so each tariff row compares integers, not text
    codes_of = []
    for column in ("scheme", "carer_class", "unit"):
        codes, values = pd.factorize(cases[column])
        lookup = {value: code for code, value in enumerate(values)}
        codes_of.append((codes, [lookup.get(value, -2) for value in tariffs[column]]))
    funder = cases["funder_id"].fillna(-1).to_numpy().astype(np.int64)
    product = cases["product_id"].fillna(-1).to_numpy().astype(np.int64)
    rows = zip(*(tariffs[column].tolist() for column in _TARIFF_ROW), strict=True)
    for index, (valid_from, valid_to, funder_id, product_id, max_cents) in enumerate(rows):
        applies = on >= np.datetime64(valid_from)
        for codes, wanted in codes_of:
            applies &= codes == wanted[index]
        applies &= (funder_id == -1) | (funder == funder_id)
        applies &= (product_id == -1) | (product == product_id)
        if not pd.isna(valid_to):
            applies &= on <= np.datetime64(valid_to)
        rank = (funder_id != -1) * 2 + (product_id != -1)
        better = applies & (rank > specificity)
        best = np.where(better, max_cents, best)
        chosen = np.where(better, index, chosen)
        specificity = np.where(better, rank, specificity)
    source = np.full(len(cases), "", dtype=object)
    found = chosen >= 0
    source[found] = tariffs["source"].to_numpy(dtype=object)[chosen[found]]
    return best, source


_TARIFF_ROW = ("valid_from", "valid_to", "funder_id", "product_id", "max_cents")
