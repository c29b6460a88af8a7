"""Issue 16, item 6: national default thresholds of the audit signals that enforcement uses, as
rows of data/figures.csv (source "pgb-admin default; a municipality sets its own", unverified).

None of these is a statutory figure: they are pgb-admin's defaults, and a municipality (or care
office, insurer) sets its own with a row for its funder, which wins
(``StatutoryFigure.objects.value_on(kind, on, funder_id=...)``). The signals follow the fraud
patterns named in "Aanpak fraude met pgb" (rijksoverheid.nl), the Den Haag pgb pilot (2016) and
EenVandaag (2025); the numbers themselves are not from those sources.

Only the rows named in ROWS are upserted, with the values the table holds when the migration
runs; on a fresh database migration 0002 has already loaded them and this one changes nothing.
"""

from django.db import migrations

KINDS = {
    "signal_indication_above_pct",
    "signal_holders_per_representative",
    "signal_identical_months",
    "signal_same_address_week_hours",
    "signal_provider_day_hours",
}


def load_signal_thresholds(apps, schema_editor):
    from pgb_admin.figures.loader import load_figures, read_rows

    rows = [
        row
        for row in read_rows()
        if row["kind"] in KINDS and not (row.get("funder") or "").strip()
    ]
    load_figures(
        rows,
        statutory_model=apps.get_model("figures", "StatutoryFigure"),
        tariff_model=apps.get_model("figures", "MaxTariff"),
        funder_model=apps.get_model("budgets", "Funder"),
        product_model=apps.get_model("budgets", "CareProduct"),
    )


def remove_signal_thresholds(apps, schema_editor):
    StatutoryFigure = apps.get_model("figures", "StatutoryFigure")
    StatutoryFigure.objects.filter(
        kind__in=KINDS, funder__isnull=True, source="pgb-admin default; a municipality sets its own"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("figures", "0007_figures_2026"),
    ]

    operations = [migrations.RunPython(load_signal_thresholds, remove_signal_thresholds)]
