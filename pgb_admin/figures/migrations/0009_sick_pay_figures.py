"""Issue 16, item 4: continued pay in sickness (ziek- en herstelmelding), rows of data/figures.csv.

- ``sick_pay_pct`` 70: the employer continues to pay 70 % of the wage (BW 7:629 lid 1);
- ``sick_pay_weeks_household`` 6: for an employee working for a private person on fewer than
  ``home_service_days_a_week`` days a week (Regeling dienstverlening aan huis; BW 7:629 lid 2
  onder a);
- ``sick_pay_weeks`` 104 and ``sick_pay_minimum_wage_weeks`` 52: otherwise, 104 weeks and at least
  the minimum wage in the first 52 (BW 7:629 lid 1).

Source: https://wetten.overheid.nl/BWBR0005290/ (Boek 7 art. 629). The Rdah amendment (Kamerstuk
36744: pgb carers insured as employees, the SVB takes over the wage costs in sickness; amendement
nr. 18 of 10 Dec 2025 names 1 Jan 2026) has no Staatsblad publication: it is pending, not law, and
nothing of it is encoded here.

Also the new kinds in the choices of ``StatutoryFigure.kind``. Only the rows of KINDS without a
funder are upserted, with the values the table holds when the migration runs; on a fresh database
migration 0002 has already loaded them and this one changes nothing.
"""

from django.db import migrations, models

KINDS = {
    "sick_pay_pct",
    "sick_pay_weeks_household",
    "sick_pay_weeks",
    "sick_pay_minimum_wage_weeks",
}


def load_sick_pay_figures(apps, schema_editor):
    from pgb_admin.figures.loader import load_figures, read_rows

    rows = [
        row for row in read_rows() if row["kind"] in KINDS and not (row.get("funder") or "").strip()
    ]
    load_figures(
        rows,
        statutory_model=apps.get_model("figures", "StatutoryFigure"),
        tariff_model=apps.get_model("figures", "MaxTariff"),
        funder_model=apps.get_model("budgets", "Funder"),
        product_model=apps.get_model("budgets", "CareProduct"),
    )


def remove_sick_pay_figures(apps, schema_editor):
    StatutoryFigure = apps.get_model("figures", "StatutoryFigure")
    StatutoryFigure.objects.filter(kind__in=KINDS, funder__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("figures", "0008_signal_thresholds"),
    ]

    operations = [
        migrations.AlterField(
            model_name="statutoryfigure",
            name="kind",
            field=models.CharField(
                choices=[
                    ("minimum_wage", "Statutory minimum wage per hour"),
                    ("holiday_allowance_pct", "Holiday allowance (percent)"),
                    ("cak_abonnementstarief", "CAK abonnementstarief (Wmo, per month)"),
                    ("verantwoordingsvrij_pct", "Verantwoordingsvrij bedrag (percent)"),
                    ("verantwoordingsvrij_min", "Verantwoordingsvrij bedrag minimum"),
                    ("verantwoordingsvrij_max", "Verantwoordingsvrij bedrag maximum"),
                    ("atw_max_shift_hours", "Working Hours Act: maximum hours per shift"),
                    ("atw_max_week_hours", "Working Hours Act: maximum hours per week"),
                    (
                        "declaration_deadline_provider_weeks",
                        "Weeks for the provider to hand in a declaration",
                    ),
                    (
                        "declaration_deadline_holder_weeks",
                        "Weeks for the holder to submit a declaration to the SVB",
                    ),
                    ("objection_weeks", "Weeks to object against a grant decision"),
                    ("hours_increment", "Hours are declared in steps of"),
                    ("max_hours_per_day", "Maximum hours in one day"),
                    (
                        "budget_nearly_exhausted_pct",
                        "Warn when this share of a grant is used (percent)",
                    ),
                    (
                        "prior_year_deadline_months",
                        "Months after the grant year to declare its care",
                    ),
                    ("budget_attention_pct", "Report when this share of a grant is used (percent)"),
                    (
                        "signal_holders_per_person",
                        "Signal: a private person caring for more holders than",
                    ),
                    (
                        "signal_holders_per_organisation",
                        "Signal: an organisation caring for more holders than",
                    ),
                    (
                        "signal_hours_above_agreed_pct",
                        "Signal: declared hours of a month above this share of the agreed hours (percent)",
                    ),
                    (
                        "signal_spend_spike_pct",
                        "Signal: a month's spend above this share of the holder's usual month (percent)",
                    ),
                    ("age_of_majority", "Age of majority"),
                    (
                        "home_service_days_a_week",
                        "Household-service scheme no longer applies from this many working days a week",
                    ),
                    (
                        "employer_costs_pct",
                        "Employer costs the SVB pays from the budget (percent of the gross wage)",
                    ),
                    (
                        "signal_indication_above_pct",
                        "Signal: declared hours above this share of the indicated hours (percent)",
                    ),
                    (
                        "signal_holders_per_representative",
                        "Signal: a representative or bureau acting for more holders than",
                    ),
                    (
                        "signal_identical_months",
                        "Signal: identical declarations in this many months in a row",
                    ),
                    (
                        "signal_same_address_week_hours",
                        "Signal: holder and carer at one address with more hours a week than",
                    ),
                    (
                        "signal_provider_day_hours",
                        "Signal: a carer declared by several holders for more hours on a day than",
                    ),
                    ("sick_pay_pct", "Continued pay in sickness (percent of the wage)"),
                    (
                        "sick_pay_weeks_household",
                        "Weeks of continued pay in sickness under the household-service scheme",
                    ),
                    ("sick_pay_weeks", "Weeks of continued pay in sickness"),
                    (
                        "sick_pay_minimum_wage_weeks",
                        "Weeks in which continued pay in sickness is at least the minimum wage",
                    ),
                ],
                max_length=50,
                verbose_name="kind",
            ),
        ),
        migrations.RunPython(load_sick_pay_figures, remove_sick_pay_figures),
    ]
