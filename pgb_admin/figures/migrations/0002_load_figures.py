"""Load the dated figures table (data/figures.csv): minimum wages, maximum tariffs, the CAK
abonnementstarief, working-hours limits and deadlines, each with its source."""

from django.db import migrations

from pgb_admin.figures.migrations._load import load_shipped_figures


class Migration(migrations.Migration):
    dependencies = [
        ("figures", "0001_initial"),
        ("budgets", "0002_reference_data"),
    ]

    operations = [migrations.RunPython(load_shipped_figures, migrations.RunPython.noop)]
