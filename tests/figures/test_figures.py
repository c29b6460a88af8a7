"""The dated figures: loaded from the shipped table, looked up by date, never literals."""

from datetime import date
from decimal import Decimal

import pytest

from pgb_admin.budgets.models import CareProduct, Funder
from pgb_admin.figures.constants import CarerClass, FigureKind, RateUnit
from pgb_admin.figures.loader import FIGURES_CSV, FigureRowError, load_figures, read_rows
from pgb_admin.figures.models import MaxTariff, StatutoryFigure

MODELS = dict(
    statutory_model=StatutoryFigure,
    tariff_model=MaxTariff,
    funder_model=Funder,
    product_model=CareProduct,
)


def test_the_migration_loaded_every_row_of_the_table(db):
    rows = read_rows()
    tariffs = sum(row["kind"] == "max_tariff" for row in rows)
    assert MaxTariff.objects.count() == tariffs
    assert StatutoryFigure.objects.count() == len(rows) - tariffs
    assert not StatutoryFigure.objects.filter(source="").exists()


def test_loading_the_same_table_again_changes_nothing(db):
    result = load_figures(read_rows(), **MODELS)
    assert (result.created, result.updated) == (0, 0)
    assert result.unchanged == len(read_rows())


def test_a_corrected_row_is_updated_in_place(db):
    rows = read_rows()
    row = next(
        r for r in rows if r["kind"] == "cak_abonnementstarief" and r["valid_from"] == "2026-01-01"
    )
    row.update(amount="21.90", verified="true", source="hetcak.nl")
    result = load_figures(rows, **MODELS)
    assert (result.created, result.updated) == (0, 1)
    figure = StatutoryFigure.objects.value_on(
        FigureKind.CAK_ABONNEMENTSTARIEF, date(2026, 5, 1), scheme="wmo"
    )
    assert figure == Decimal("21.90")


def test_bad_rows_are_all_reported_with_their_line_and_nothing_is_written(db, tmp_path):
    with open(FIGURES_CSV, encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    header = lines[0]
    bad = [
        header,
        "minimum_wage,,,,,hour,21,15.00,2026-07-01,2026-12-31,new source,true,",
        "minimum_wage,,,,,hour,21,abc,2026-07-01,,x,true,",
        "max_tariff,wmo,GM9999,huishoudelijke_hulp,formal,hour,,30,2027-01-01,,x,false,",
        "max_tariff,wmo,GM0518,huishoudelijke_hulp,formal,hour,,30,2027-31-01,,x,false,",
        "max_tariff,wmo,GM0518,huishoudelijke_hulp,hobby,hour,,30,2027-01-01,,x,false,",
        "minimum_wage,,,,,hour,21,-1,2027-01-01,,x,true,",
        "minimum_wage,,,,,hour,21,16,2027-06-01,2027-01-01,x,true,",
    ]
    path = tmp_path / "figures.csv"
    path.write_text("\n".join(bad), encoding="utf-8")
    before = (StatutoryFigure.objects.count(), MaxTariff.objects.count())
    with pytest.raises(FigureRowError) as error:
        load_figures(read_rows(path), **MODELS)
    messages = error.value.messages
    assert [m.split(":")[0] for m in messages] == [f"line {n}" for n in (3, 4, 5, 6, 7, 8)]
    assert "unknown funder 'GM9999'" in messages[1]
    assert (StatutoryFigure.objects.count(), MaxTariff.objects.count()) == before


def test_missing_columns_are_named(tmp_path):
    path = tmp_path / "figures.csv"
    path.write_text("kind,amount\nminimum_wage,1\n", encoding="utf-8")
    with pytest.raises(FigureRowError) as error:
        read_rows(path)
    assert "missing columns" in error.value.messages[0]


@pytest.mark.parametrize(
    ("on", "age", "expected"),
    [
        (date(2024, 3, 1), 30, Decimal("13.27")),
        (date(2025, 1, 1), 21, Decimal("14.06")),
        (date(2025, 6, 30), 18, Decimal("7.03")),
        (date(2025, 7, 1), 18, Decimal("7.20")),
        (date(2026, 1, 1), 67, Decimal("14.71")),
        (date(2026, 3, 1), 19, Decimal("8.83")),
        (date(2024, 9, 1), 18, Decimal("6.84")),  # the youth rows of 1 July 2024
        (date(2024, 12, 31), 15, Decimal("4.10")),
        (date(2026, 6, 30), 16, Decimal("5.07")),
        (date(2026, 2, 1), 15, Decimal("4.41")),
        (date(2026, 7, 1), 21, Decimal("14.99")),
        (date(2026, 12, 31), 18, Decimal("7.50")),
        (date(2026, 3, 1), 14, None),  # no minimum wage is published under 15
        (date(2023, 12, 31), 30, None),  # before the first row
        (date(2027, 1, 1), 30, None),  # not yet published: a gap, never a guess
    ],
)
def test_minimum_wage_by_date_and_age(db, on, age, expected):
    assert StatutoryFigure.objects.value_on(FigureKind.MINIMUM_WAGE, on, age=age) == expected


@pytest.mark.parametrize(
    "start",
    [date(year, month, 1) for year in (2024, 2025, 2026) for month in (1, 7)],
)
def test_every_half_year_has_a_minimum_wage_for_every_age_from_15_to_21(db, start):
    rows = StatutoryFigure.objects.filter(kind=FigureKind.MINIMUM_WAGE, valid_from=start)
    assert sorted(rows.values_list("age_min", flat=True)) == list(range(15, 22))
    end = date(start.year, 6, 30) if start.month == 1 else date(start.year, 12, 31)
    assert set(rows.values_list("valid_to", flat=True)) == {end}
    wages = [row.value for row in rows.order_by("age_min")]
    assert wages == sorted(wages)  # the staffel rises with age


def test_the_2026_figures_say_what_was_verified(db):
    wages = StatutoryFigure.objects.filter(kind=FigureKind.MINIMUM_WAGE)
    january = wages.filter(valid_from=date(2026, 1, 1))
    assert all(row.verified and "34131" in row.source for row in january)
    july = wages.filter(valid_from=date(2026, 7, 1))
    assert july.count() == 7
    assert not july.filter(verified=True).exists()  # no Staatscourant found for 1 July 2026
    cak = StatutoryFigure.objects.filter(
        kind=FigureKind.CAK_ABONNEMENTSTARIEF, valid_from__gte=date(2025, 1, 1)
    )
    assert {(row.value, row.verified) for row in cak} == {
        (Decimal("21.00"), True),
        (Decimal("21.80"), True),
    }
    assert all("35082" in row.source for row in cak)


def test_the_funders_own_product_row_wins_over_the_national_one(db):
    the_hague = Funder.objects.get(code="GM0518")
    help_at_home = CareProduct.objects.get(code="huishoudelijke_hulp")
    on = date(2026, 3, 1)
    own = MaxTariff.objects.applicable(
        scheme="wmo",
        funder_id=the_hague.pk,
        product_id=help_at_home.pk,
        carer_class=CarerClass.INFORMAL,
        unit=RateUnit.HOUR,
        on=on,
    )
    assert own.amount == Decimal("22.00")
    MaxTariff.objects.create(
        scheme="wmo",
        funder=the_hague,
        carer_class=CarerClass.INFORMAL,
        unit=RateUnit.HOUR,
        amount=Decimal("25.00"),
        valid_from=date(2026, 1, 1),
        source="test",
    )
    other_product = CareProduct.objects.get(code="begeleiding_groep")
    general = MaxTariff.objects.applicable(
        scheme="wmo",
        funder_id=the_hague.pk,
        product_id=other_product.pk,
        carer_class=CarerClass.INFORMAL,
        unit=RateUnit.HOUR,
        on=on,
    )
    assert general.amount == Decimal("25.00")
    assert MaxTariff.objects.applicable(
        scheme="wmo",
        funder_id=the_hague.pk,
        product_id=help_at_home.pk,
        carer_class=CarerClass.INFORMAL,
        unit=RateUnit.HOUR,
        on=on,
    ).amount == Decimal("22.00")


def test_national_wlz_maximum_by_date(db):
    def wlz(carer_class, on):
        row = MaxTariff.objects.applicable(
            scheme="wlz",
            funder_id=None,
            product_id=None,
            carer_class=carer_class,
            unit=RateUnit.HOUR,
            on=on,
        )
        return row.amount if row else None

    assert wlz(CarerClass.FORMAL, date(2025, 6, 1)) == Decimal("80.81")
    assert wlz(CarerClass.INFORMAL, date(2024, 12, 31)) == Decimal("24.44")
    assert wlz(CarerClass.INFORMAL, date(2022, 6, 1)) == Decimal("21.68")  # Stcrt. 2021, 45717
    assert wlz(CarerClass.FORMAL, date(2022, 12, 31)) == Decimal("68.30")
    assert wlz(CarerClass.FORMAL, date(2026, 6, 1)) is None  # 2026 was not found: no guess


def test_overlapping_rows_for_the_same_case_are_refused(db):
    from django.core.exceptions import ValidationError

    overlapping = StatutoryFigure(
        kind=FigureKind.MINIMUM_WAGE,
        age_min=21,
        unit="hour",
        value=Decimal("15.00"),
        valid_from=date(2026, 3, 1),
        source="test",
    )
    with pytest.raises(ValidationError) as error:
        overlapping.full_clean()
    assert error.value.error_dict["__all__"][0].code == "overlapping_figure"
