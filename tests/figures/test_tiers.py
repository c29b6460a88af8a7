"""Three tiers of maximum tariffs (issue 16, item 7): professional, self-employed (zzp) and the
social network, as municipalities publish them (Meerinzicht 2023: HbH 31.80 / 23.85 / 15.90);
a self-employed carer falls back to the formal row where the funder has none of its own."""

from datetime import date
from decimal import Decimal

import pandas as pd

from declarations.validation.tariffs import max_tariffs
from pgb_admin.budgets.models import CareProduct, Funder
from pgb_admin.figures.constants import CarerClass, RateUnit
from pgb_admin.figures.loader import read_rows
from pgb_admin.figures.models import MaxTariff

ON = date(2026, 3, 1)


def _amount(scheme, funder, product, carer_class, unit=RateUnit.HOUR, on=ON):
    row = MaxTariff.objects.applicable(
        scheme=scheme,
        funder_id=Funder.objects.get(code=funder).pk if funder else None,
        product_id=CareProduct.objects.get(code=product).pk if product else None,
        carer_class=carer_class,
        unit=unit,
        on=on,
    )
    return row.amount if row else None


def test_the_demo_municipalities_publish_three_tiers(db):
    for funder in ("GM0518", "GM0106"):
        for scheme, product, unit in (
            ("wmo", "huishoudelijke_hulp", RateUnit.HOUR),
            ("wmo", "begeleiding_individueel", RateUnit.HOUR),
            ("jeugdwet", "begeleiding_individueel", RateUnit.HOUR),
            ("jeugdwet", "persoonlijke_verzorging", RateUnit.HOUR),
            ("jeugdwet", "kortdurend_verblijf", RateUnit.DAY),
        ):
            formal, zzp, network = (
                _amount(scheme, funder, product, carer_class, unit)
                for carer_class in (
                    CarerClass.FORMAL,
                    CarerClass.SELF_EMPLOYED,
                    CarerClass.INFORMAL,
                )
            )
            assert formal > zzp > network > 0, (funder, scheme, product)
    assert _amount("wmo", "GM0518", "huishoudelijke_hulp", CarerClass.SELF_EMPLOYED) == Decimal(
        "24.00"
    )
    # illustrative, never passed off as the municipality's own figure
    demo = MaxTariff.objects.filter(funder__code__in=["GM0518", "GM0106"])
    assert demo.filter(carer_class=CarerClass.SELF_EMPLOYED).count() == 12
    assert not demo.filter(verified=True).exists()
    assert set(demo.values_list("source", flat=True)) == {"ILLUSTRATIVE demo value"}


def test_the_self_employed_row_wins_and_the_formal_row_is_the_fallback(db):
    zzp = _amount("wmo", "GM0518", "begeleiding_individueel", CarerClass.SELF_EMPLOYED)
    assert zzp == Decimal("46.50")  # The Hague's own self-employed row
    # the national Wlz table has no self-employed row: the formal one holds
    assert _amount("wlz", None, None, CarerClass.SELF_EMPLOYED, on=date(2025, 6, 1)) == Decimal(
        "80.81"
    )
    # without the funder's self-employed row for the product, its formal row holds
    MaxTariff.objects.filter(funder__code="GM0518", carer_class=CarerClass.SELF_EMPLOYED).delete()
    assert _amount("wmo", "GM0518", "begeleiding_individueel", CarerClass.SELF_EMPLOYED) == Decimal(
        "62.00"
    )
    # a family carer never gets a professional rate
    assert _amount("wmo", "GM0518", "begeleiding_individueel", CarerClass.INFORMAL) == Decimal(
        "22.00"
    )
    # 2026 Wlz rows are not known: no guess for any class
    assert _amount("wlz", None, None, CarerClass.SELF_EMPLOYED) is None


def test_the_engine_looks_up_the_same_way_without_the_database():
    tariffs = pd.DataFrame(
        [
            ("wmo", 7, 3, "formal", "hour", "2026-01-01", None, 6200, "formal row"),
            ("wmo", 7, 3, "self_employed", "hour", "2026-01-01", None, 4650, "zzp row"),
            ("wmo", 7, 3, "informal", "hour", "2026-01-01", None, 2200, "network row"),
            ("wlz", -1, -1, "formal", "hour", "2025-01-01", "2025-12-31", 8081, "wlz"),
        ],
        columns=[
            "scheme", "funder_id", "product_id", "carer_class", "unit", "valid_from",
            "valid_to", "max_cents", "source",
        ],
    )  # fmt: skip
    cases = pd.DataFrame(
        {
            "scheme": ["wmo", "wmo", "wlz", "wlz", "wmo"],
            "carer_class": ["self_employed", "informal", "self_employed", "informal", "formal"],
            "unit": ["hour"] * 5,
            "funder_id": [7, 7, 9, 9, 7],
            "product_id": [3, 3, 3, 3, 3],
            "on": pd.to_datetime(["2026-03-01"] * 2 + ["2025-06-01"] * 2 + ["2026-03-01"]),
        }
    )
    best, source = max_tariffs(tariffs, cases)
    assert list(best) == [4650, 2200, 8081, -1, 6200]
    assert list(source) == ["zzp row", "network row", "wlz", "", "formal row"]


def test_the_table_marks_every_demo_row_illustrative():
    rows = [
        row
        for row in read_rows()
        if row["kind"] == "max_tariff" and row["funder"] in ("GM0518", "GM0106")
    ]
    assert {row["carer_class"] for row in rows} == {"formal", "self_employed", "informal"}
    assert all(row["source"] == "ILLUSTRATIVE demo value" for row in rows)
    assert all(row["verified"] == "false" for row in rows)
