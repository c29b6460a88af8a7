"""The statutory figures and maximum tariffs of the generated month, from
``pgb_admin/figures/data/figures.csv`` (funder codes mapped to the generator's funder ids)."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
from common import ROOT
from month_arrays import SEED

FIGURES_CSV = ROOT / "pgb_admin" / "figures" / "data" / "figures.csv"
PRODUCTS = {
    "huishoudelijke_hulp": 1,
    "begeleiding_individueel": 2,
    "begeleiding_groep": 3,
    "kortdurend_verblijf": 4,
    "persoonlijke_verzorging": 5,
    "verpleging": 6,
}
FUNDER_IDS = {"GM0518": 1, "GM0106": 2}  # The Hague and Assen: the CSV's municipal tariffs


def to_cents(amount: str) -> int:
    """Euros as written in figures.csv to whole cents, rounded half up (never through float)."""
    return int((Decimal(amount or "0") * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def figure_frames(month_end: date, tariff_funders: int = 0, seed: int = SEED):
    """The ``figures`` and ``tariffs`` frames from figures.csv, with every case carried
    forward to the month when its latest rows end before it. ``tariff_funders`` extra
    municipalities get a copy of The Hague's Wmo tariff table (amounts jittered), to see how
    the rules scale with a national tariff table."""
    csv = pd.read_csv(FIGURES_CSV, dtype=str, keep_default_na=False)
    csv["valid_from"] = pd.to_datetime(csv["valid_from"])
    csv["valid_to"] = pd.to_datetime(csv["valid_to"].where(csv["valid_to"] != ""))
    csv["cents"] = csv["amount"].map(to_cents).astype(np.int64)
    horizon = pd.Timestamp(month_end)

    def carried(rows: pd.DataFrame, case: list[str]) -> pd.DataFrame:
        extra = []
        for _key, group in rows.groupby(case, sort=False, dropna=False):
            latest = group[group["valid_from"] == group["valid_from"].max()]
            end = latest["valid_to"].iloc[0]
            if pd.isna(end) or end >= horizon:
                continue
            copy = latest.copy()
            copy["valid_from"] = end + pd.Timedelta(days=1)
            copy["valid_to"] = pd.NaT
            copy["source"] = "bench: carried forward from " + latest["source"]
            extra.append(copy)
        return pd.concat([rows, *extra], ignore_index=True)

    statutory = carried(csv[csv["kind"] != "max_tariff"], ["kind", "scheme"])
    figures = pd.DataFrame(
        {
            "kind": statutory["kind"].to_numpy(dtype=object),
            "scheme": statutory["scheme"].to_numpy(dtype=object),
            "age_min": pd.to_numeric(statutory["age_min"].replace("", "-1")).astype(np.int64),
            "valid_from": statutory["valid_from"].astype("datetime64[ns]"),
            "valid_to": statutory["valid_to"].astype("datetime64[ns]"),
            "value_c": statutory["cents"].astype(np.int64),
        }
    ).reset_index(drop=True)

    maxima = carried(
        csv[csv["kind"] == "max_tariff"], ["scheme", "funder", "product", "carer_class", "unit"]
    )
    if tariff_funders:
        rng = np.random.default_rng(seed + 7)
        hague = maxima[maxima["funder"] == "GM0518"]
        copies = []
        for number in range(tariff_funders):
            copy = hague.copy()
            copy["funder"] = f"GMX{number + 3:03d}"
            copy["cents"] = (copy["cents"] * rng.uniform(0.9, 1.1)).round().astype(np.int64)
            copies.append(copy)
        maxima = pd.concat([maxima, *copies], ignore_index=True)

    def funder_id(code: str) -> int:
        if not code:
            return -1
        if code.startswith("GMX"):
            return int(code[3:])
        return FUNDER_IDS[code]

    tariffs = pd.DataFrame(
        {
            "scheme": maxima["scheme"].to_numpy(dtype=object),
            "funder_id": np.array([funder_id(c) for c in maxima["funder"]], dtype=np.int64),
            "product_id": np.array([PRODUCTS.get(p, -1) for p in maxima["product"]], np.int64),
            "carer_class": maxima["carer_class"].to_numpy(dtype=object),
            "unit": maxima["unit"].to_numpy(dtype=object),
            "valid_from": maxima["valid_from"].astype("datetime64[ns]"),
            "valid_to": maxima["valid_to"].astype("datetime64[ns]"),
            "max_cents": maxima["cents"].astype(np.int64),
            "source": maxima["source"].to_numpy(dtype=object),
        }
    ).reset_index(drop=True)
    return figures, tariffs
