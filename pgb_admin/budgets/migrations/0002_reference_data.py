"""Load the funders and care products that ship with pgb-admin (data/*.csv). Admins add
others in the back office."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def _rows(name):
    with open(DATA / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load(apps, schema_editor):
    Funder = apps.get_model("budgets", "Funder")
    CareProduct = apps.get_model("budgets", "CareProduct")
    for row in _rows("funders.csv"):
        Funder.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "kind": row["kind"]}
        )
    for row in _rows("care_products.csv"):
        CareProduct.objects.update_or_create(
            code=row["code"], defaults={"name_nl": row["name_nl"], "name_en": row["name_en"]}
        )


class Migration(migrations.Migration):
    dependencies = [("budgets", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
