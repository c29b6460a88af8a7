def load_shipped_figures(apps, schema_editor):
    """Upsert the shipped figures table with the historical models of the migration."""
    from pgb_admin.figures.loader import load_figures, read_rows

    tariff_model = apps.get_model("figures", "MaxTariff")
    # a tariff row of a carer class the historical model does not know yet (self_employed
    # before 0010) is loaded by the migration that adds the class
    classes = {value for value, _label in tariff_model._meta.get_field("carer_class").choices}
    rows = [
        row
        for row in read_rows()
        if row.get("kind") != "max_tariff" or (row.get("carer_class") or "").strip() in classes
    ]
    load_figures(
        rows,
        statutory_model=apps.get_model("figures", "StatutoryFigure"),
        tariff_model=tariff_model,
        funder_model=apps.get_model("budgets", "Funder"),
        product_model=apps.get_model("budgets", "CareProduct"),
    )
