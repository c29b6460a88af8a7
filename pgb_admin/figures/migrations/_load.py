def load_shipped_figures(apps, schema_editor):
    """Upsert the shipped figures table with the historical models of the migration."""
    from pgb_admin.figures.loader import load_figures, read_rows

    load_figures(
        read_rows(),
        statutory_model=apps.get_model("figures", "StatutoryFigure"),
        tariff_model=apps.get_model("figures", "MaxTariff"),
        funder_model=apps.get_model("budgets", "Funder"),
        product_model=apps.get_model("budgets", "CareProduct"),
    )
