"""Issue 16, item 3: the figures that were missing or weakly sourced, as rows of data/figures.csv.

- minimum wage per hour, ages 15-20, from 1 July 2024 (Rijksoverheid table);
- minimum wage from 1 January 2026, every age 15-21, sourced to the SZW regeling of 1 October 2025
  (nr. 2025-0000213859, Stcrt. 2025, 34131) and marked verified;
- minimum wage from 1 July 2026, every age 15-21 (unverified: no Staatscourant number found);
- Wlz maximum tariffs 2022 (Regeling langdurige zorg art. 5.22, Stcrt. 2021, 45717);
- the CAK abonnementstarief 2025 and 2026, verified against Stcrt. 2025, 35082.

Only the rows named in ROWS are upserted, with the values the table holds when the migration runs;
on a fresh database migration 0002 has already loaded them and this one changes nothing. A row
later removed from the table is skipped, not an error (the table, not this list, is the truth).
"""

from django.db import migrations

# (kind, scheme, carer_class, unit, age_min, valid_from) as written in figures.csv
ROWS = {
    *(("minimum_wage", "", "", "hour", str(age), "2024-07-01") for age in range(15, 22)),
    *(("minimum_wage", "", "", "hour", str(age), "2026-01-01") for age in range(15, 22)),
    *(("minimum_wage", "", "", "hour", str(age), "2026-07-01") for age in range(15, 22)),
    ("max_tariff", "wlz", "formal", "hour", "", "2022-01-01"),
    ("max_tariff", "wlz", "formal", "day_part", "", "2022-01-01"),
    ("max_tariff", "wlz", "informal", "hour", "", "2022-01-01"),
    ("cak_abonnementstarief", "wmo", "", "month", "", "2025-01-01"),
    ("cak_abonnementstarief", "wmo", "", "month", "", "2026-01-01"),
}


def _key(row: dict[str, str]) -> tuple[str, ...]:
    columns = ("kind", "scheme", "carer_class", "unit", "age_min", "valid_from")
    return tuple((row.get(column) or "").strip() for column in columns)


def load_2026_figures(apps, schema_editor):
    from pgb_admin.figures.loader import load_figures, read_rows

    rows = [row for row in read_rows() if _key(row) in ROWS]
    load_figures(
        rows,
        statutory_model=apps.get_model("figures", "StatutoryFigure"),
        tariff_model=apps.get_model("figures", "MaxTariff"),
        funder_model=apps.get_model("budgets", "Funder"),
        product_model=apps.get_model("budgets", "CareProduct"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("figures", "0006_funder_thresholds"),
    ]

    operations = [migrations.RunPython(load_2026_figures, migrations.RunPython.noop)]
