"""What the validation engine reads: plain DataFrames with integer cents and hundredths, so the
rules run vectorised. :func:`declarations.selectors.validation.load_input` reads them from the
database for a set of declarations; the benchmark builds the same frames synthetically for a
national month.

Conventions: ids and amounts are int64; missing ids are -1; money is in cents; quantities (hours,
day parts, kilometres) and the dated figures are in hundredths; dates are datetime64 (NaT when
open or unknown).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

COLUMNS = {
    "declarations": [
        "declaration_id", "agreement_id", "month", "corrects_id", "budget_id", "in_run",
        "travel_km_c", "travel_cents", "other_cents", "total_cents", "care_cents",
    ],
    "lines": [
        "declaration_id", "care_date", "quantity_c", "unit", "rate_cents", "amount_cents",
        "version_id",
    ],
    "versions": [
        "version_id", "agreement_id", "valid_from", "valid_to", "budget_id", "product_id",
        "agreed_cents", "version_unit", "hours_per_week_c", "approved", "holiday_pay",
        "travel_allowance_cents",
    ],
    "agreements": ["agreement_id", "holder_id", "provider_id", "agreement_type", "relation"],
    "providers": [
        "provider_id", "provider_kind", "birth_date", "entrepreneur", "registered", "iban",
        "has_kvk", "has_agb", "has_big", "sbi_code",
    ],
    "budgets": [
        "budget_id", "funder_id", "scheme", "budget_start", "budget_end", "budget_cents",
        "used_cents", "fixed_cents",
    ],
    "budget_products": ["budget_id", "product_id"],
    "entries": ["agreement_id", "care_date", "start_min", "end_min", "quantity_c"],
    # a person's hours a day per holder over their hourly agreements, and of those the hours
    # under employment agreements (the Working Hours Act); persons only
    "provider_days": ["provider_id", "holder_id", "care_date", "hours_c", "employment_c"],
    "tariffs": [
        "scheme", "funder_id", "product_id", "carer_class", "unit", "valid_from", "valid_to",
        "max_cents", "source",
    ],
    "figures": ["kind", "scheme", "age_min", "valid_from", "valid_to", "value_c"],
    # the hours of a product the grant decision indicates: ``per`` is week, month or year
    "indications": [
        "budget_id", "product_id", "hours_c", "per", "valid_from", "valid_to",
    ],
    # hours of a grant's product in a month declared outside the run (counted against the grant)
    "product_hours": ["budget_id", "product_id", "month", "hours_c"],
    "products": ["product_id", "product_code", "name_nl", "name_en"],
    # sick reports of the agreements: the carer is sick from sick_from up to the day before
    # recovered_on (NaT: still sick)
    "sick_reports": ["agreement_id", "sick_from", "recovered_on"],
}  # fmt: skip


@dataclass
class ValidationInput:
    declarations: pd.DataFrame
    lines: pd.DataFrame
    versions: pd.DataFrame
    agreements: pd.DataFrame
    providers: pd.DataFrame
    budgets: pd.DataFrame
    budget_products: pd.DataFrame
    entries: pd.DataFrame
    provider_days: pd.DataFrame
    tariffs: pd.DataFrame
    figures: pd.DataFrame
    holidays: np.ndarray  # datetime64[ns] of public holidays
    today: date  # the engine reads no clock: the caller says which day it is
    # optional: without them the indicated-hours rule finds nothing and products show by id
    indications: pd.DataFrame = field(default_factory=lambda: frame("indications", []))
    product_hours: pd.DataFrame = field(default_factory=lambda: frame("product_hours", []))
    products: pd.DataFrame = field(default_factory=lambda: frame("products", []))
    # optional: without it the hours-while-sick rule finds nothing
    sick_reports: pd.DataFrame = field(default_factory=lambda: sick_report_frame([]))


def frame(name: str, rows: Iterable[Sequence[object]]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=COLUMNS[name])


def dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).astype("datetime64[ns]")


def sick_report_frame(rows: Iterable[Sequence[object]]) -> pd.DataFrame:
    """The ``sick_reports`` frame with its dates as datetime64 (also when empty)."""
    reports = frame("sick_reports", rows)
    reports["agreement_id"] = reports["agreement_id"].astype("int64")
    reports["sick_from"] = dates(reports["sick_from"])
    reports["recovered_on"] = dates(reports["recovered_on"])
    return reports


def public_holidays(first_year: int, last_year: int) -> np.ndarray:
    import holidays

    # the typed factory of the Netherlands class (whose __init__ is untyped)
    days = holidays.country_holidays("NL", years=range(first_year, last_year + 1))
    return np.array(sorted(days), dtype="datetime64[ns]")
