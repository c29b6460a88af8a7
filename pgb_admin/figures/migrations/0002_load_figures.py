"""Load the dated figures table (data/figures.csv): minimum wages, maximum tariffs, the CAK
abonnementstarief, working-hours limits and deadlines, each with its source."""

from django.db import migrations


def load(apps, schema_editor):
    from pgb_admin.figures.loader import load_figures, read_rows

    load_figures(
        read_rows(),
        statutory_model=apps.get_model("figures", "StatutoryFigure"),
        tariff_model=apps.get_model("figures", "MaxTariff"),
        funder_model=apps.get_model("budgets", "Funder"),
        product_model=apps.get_model("budgets", "CareProduct"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("figures", "0001_initial"),
        ("budgets", "0002_reference_data"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
