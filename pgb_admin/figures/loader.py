"""Reads the dated figures table (``data/figures.csv``) and loads it, all rows or none.

The same function serves the data migrations (with historical models) and ``manage.py figures
load`` (with a new CSV from a funder or the government). A row is identified by its case and
start date; loading the same file twice changes nothing.
"""

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from pgb_admin.budgets.constants import Scheme
from pgb_admin.core.periods import FIRST_DAY, LAST_DAY, is_supported

from .constants import CarerClass, FigureKind, FigureUnit, RateUnit

FIGURES_CSV = Path(__file__).resolve().parent / "data" / "figures.csv"
MAX_TARIFF = "max_tariff"
COLUMNS = (
    "kind",
    "scheme",
    "funder",
    "product",
    "carer_class",
    "unit",
    "age_min",
    "amount",
    "valid_from",
    "valid_to",
    "source",
    "verified",
    "note",
)


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class FigureRowError(ValidationError):
    pass


def read_rows(path: Path = FIGURES_CSV) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise FigureRowError(f"{path.name}: missing columns {', '.join(missing)}")
        return list(reader)


def load_figures(rows, *, statutory_model, tariff_model, funder_model, product_model) -> LoadResult:
    """Upsert the rows; raises FigureRowError naming every bad row (line numbers as in the
    file, the header being line 1) and then nothing is written."""
    funders = {funder.code: funder for funder in funder_model.objects.all()}
    products = {product.code: product for product in product_model.objects.all()}
    errors: list[str] = []
    parsed = []
    for line, row in enumerate(rows, start=2):
        try:
            parsed.append(_parse(row, funders, products))
        except ValueError as error:
            errors.append(f"line {line}: {error}")
    if errors:
        raise FigureRowError(errors)

    result = LoadResult()
    with transaction.atomic():
        for kind, key, values in parsed:
            model = tariff_model if kind == MAX_TARIFF else statutory_model
            if key.get("funder") is None and not _has_field(model, "funder"):
                # an older data migration's model, from before figures had a funder
                key.pop("funder", None)
            existing = model.objects.filter(**key).first()
            if existing is None:
                model.objects.create(**key, **values)
                result.created += 1
            elif any(getattr(existing, field) != value for field, value in values.items()):
                for field, value in values.items():
                    setattr(existing, field, value)
                existing.save()
                result.updated += 1
            else:
                result.unchanged += 1
    return result


def _has_field(model, name: str) -> bool:
    return any(field.name == name for field in model._meta.get_fields())


def _parse(row: dict[str, str], funders: dict, products: dict):
    kind = _choice(row, "kind", [MAX_TARIFF, *FigureKind.values])
    valid_to = _date(row, "valid_to", required=False)
    values: dict[str, object] = {
        "valid_to": valid_to,
        "source": _required(row, "source"),
        "verified": _bool(row, "verified"),
        "note": (row.get("note") or "").strip(),
    }
    valid_from = _date(row, "valid_from", required=True)
    if valid_to and valid_from and valid_to < valid_from:
        raise ValueError("valid_to lies before valid_from")
    amount = _decimal(row, "amount")
    scheme = _choice(row, "scheme", ["", *Scheme.values])
    funder_code = (row.get("funder") or "").strip()
    if funder_code and funder_code not in funders:
        raise ValueError(f"unknown funder {funder_code!r}")
    if kind == MAX_TARIFF:
        product_code = (row.get("product") or "").strip()
        if product_code and product_code not in products:
            raise ValueError(f"unknown care product {product_code!r}")
        key = {
            "scheme": _choice(row, "scheme", Scheme.values),
            "funder": funders.get(funder_code),
            "product": products.get(product_code),
            "carer_class": _choice(row, "carer_class", CarerClass.values),
            "unit": _choice(row, "unit", RateUnit.values),
            "valid_from": valid_from,
        }
        values["amount"] = amount
    else:
        age = (row.get("age_min") or "").strip()
        key = {
            "kind": kind,
            "scheme": scheme,
            "funder": funders.get(funder_code),
            "age_min": int(age) if age else None,
            "valid_from": valid_from,
        }
        values["unit"] = _choice(row, "unit", FigureUnit.values)
        values["value"] = amount
    return kind, key, values


def _required(row, column: str) -> str:
    value = (row.get(column) or "").strip()
    if not value:
        raise ValueError(f"{column} is empty")
    return value


def _choice(row, column: str, allowed: list[str]) -> str:
    value = (row.get(column) or "").strip()
    if value not in allowed:
        raise ValueError(f"{column} {value!r} is not one of {', '.join(repr(a) for a in allowed)}")
    return value


def _date(row, column: str, *, required: bool) -> date | None:
    value = (row.get(column) or "").strip()
    if not value:
        if required:
            raise ValueError(f"{column} is empty")
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{column} {value!r} is not a date (YYYY-MM-DD)") from None
    if not is_supported(day):
        raise ValueError(f"{column} {value!r} lies outside {FIRST_DAY} to {LAST_DAY}")
    return day


def _decimal(row, column: str) -> Decimal:
    value = _required(row, column)
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{column} {value!r} is not a number") from None
    if number < 0 or not number.is_finite():
        raise ValueError(f"{column} {value!r} is negative or not finite")
    return number


def _bool(row, column: str) -> bool:
    value = (row.get(column) or "").strip().lower()
    if value not in {"true", "false", ""}:
        raise ValueError(f"{column} {value!r} is not true or false")
    return value == "true"
