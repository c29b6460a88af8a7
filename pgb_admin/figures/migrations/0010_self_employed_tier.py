"""Issue 16, item 7: the self-employed (zzp) tier of the maximum tariffs, and the demo
municipalities' three-tier tables (rows of data/figures.csv).

Municipalities publish three pgb tiers: professional (zorgaanbieder), self-employed (zzp) and
social network, e.g. Meerinzicht 2023: HbH 31.80 / 23.85 / 15.90, begeleiding individueel
regulier 66.00 / 49.50 / 20.00 (meerinzicht.nl, "Tarieven Wmo Zorg in Natura en Pgb"; domain.md
1). The rows of The Hague (GM0518) and Assen (GM0106) are ILLUSTRATIVE demo values (verified
false), in that pattern, not the municipalities' own figures. National tables (Wlz, Zvw) have
formal and informal rows only: a self-employed carer gets the formal row there.

Only the rows named in ROWS are upserted, with the values the table holds when the migration
runs; a row later removed from the table is skipped. On a fresh database migration 0002 has
loaded the formal and informal rows already and this one adds the self-employed rows.
"""

from django.db import migrations, models

DEMO_FUNDERS = ("GM0518", "GM0106")
# (kind, scheme, funder, product, carer_class, unit, valid_from) as written in figures.csv
ROWS = {
    *(
        ("max_tariff", "wmo", funder, product, "self_employed", "hour", "2026-01-01")
        for funder in DEMO_FUNDERS
        for product in ("huishoudelijke_hulp", "begeleiding_individueel")
    ),
    *(
        ("max_tariff", "wmo", funder, "begeleiding_groep", carer_class, "day_part", "2026-01-01")
        for funder in DEMO_FUNDERS
        for carer_class in ("formal", "self_employed")
    ),
    *(
        ("max_tariff", "jeugdwet", funder, product, carer_class, unit, "2026-01-01")
        for funder in DEMO_FUNDERS
        for product, unit in (
            ("begeleiding_individueel", "hour"),
            ("persoonlijke_verzorging", "hour"),
            ("kortdurend_verblijf", "day"),
        )
        for carer_class in ("formal", "self_employed", "informal")
    ),
}
COLUMNS = ("kind", "scheme", "funder", "product", "carer_class", "unit", "valid_from")


def _key(row: dict[str, str]) -> tuple[str, ...]:
    return tuple((row.get(column) or "").strip() for column in COLUMNS)


def load_tiers(apps, schema_editor):
    from pgb_admin.figures.loader import load_figures, read_rows

    load_figures(
        [row for row in read_rows() if _key(row) in ROWS],
        statutory_model=apps.get_model("figures", "StatutoryFigure"),
        tariff_model=apps.get_model("figures", "MaxTariff"),
        funder_model=apps.get_model("budgets", "Funder"),
        product_model=apps.get_model("budgets", "CareProduct"),
    )


def remove_self_employed_rows(apps, schema_editor):
    # the formal and informal rows stay: migration 0002 of a fresh database loads them too
    apps.get_model("figures", "MaxTariff").objects.filter(carer_class="self_employed").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("figures", "0009_sick_pay_figures"),
        ("budgets", "0002_reference_data"),
    ]

    operations = [
        migrations.AlterField(
            model_name="maxtariff",
            name="carer_class",
            field=models.CharField(
                choices=[
                    ("formal", "Formal care"),
                    ("self_employed", "Self-employed (zzp)"),
                    ("informal", "Informal care (sociaal netwerk)"),
                ],
                max_length=16,
                verbose_name="formal or informal",
            ),
        ),
        migrations.RunPython(load_tiers, remove_self_employed_rows),
    ]
