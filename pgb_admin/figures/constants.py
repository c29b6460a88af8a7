from django.db import models
from django.utils.translation import gettext_lazy as _


class FigureKind(models.TextChoices):
    MINIMUM_WAGE = "minimum_wage", _("Statutory minimum wage per hour")
    HOLIDAY_ALLOWANCE_PCT = "holiday_allowance_pct", _("Holiday allowance (percent)")
    CAK_ABONNEMENTSTARIEF = "cak_abonnementstarief", _("CAK abonnementstarief (Wmo, per month)")
    VERANTWOORDINGSVRIJ_PCT = "verantwoordingsvrij_pct", _("Verantwoordingsvrij bedrag (percent)")
    VERANTWOORDINGSVRIJ_MIN = "verantwoordingsvrij_min", _("Verantwoordingsvrij bedrag minimum")
    VERANTWOORDINGSVRIJ_MAX = "verantwoordingsvrij_max", _("Verantwoordingsvrij bedrag maximum")
    ATW_MAX_SHIFT_HOURS = "atw_max_shift_hours", _("Working Hours Act: maximum hours per shift")
    ATW_MAX_WEEK_HOURS = "atw_max_week_hours", _("Working Hours Act: maximum hours per week")
    DECLARATION_DEADLINE_PROVIDER_WEEKS = (
        "declaration_deadline_provider_weeks",
        _("Weeks for the provider to hand in a declaration"),
    )
    DECLARATION_DEADLINE_HOLDER_WEEKS = (
        "declaration_deadline_holder_weeks",
        _("Weeks for the holder to submit a declaration to the SVB"),
    )
    OBJECTION_WEEKS = "objection_weeks", _("Weeks to object against a grant decision")
    HOURS_INCREMENT = "hours_increment", _("Hours are declared in steps of")
    MAX_HOURS_PER_DAY = "max_hours_per_day", _("Maximum hours in one day")
    BUDGET_NEARLY_EXHAUSTED_PCT = (
        "budget_nearly_exhausted_pct",
        _("Warn when this share of a grant is used (percent)"),
    )
    PRIOR_YEAR_DEADLINE_MONTHS = (
        "prior_year_deadline_months",
        _("Months after the grant year to declare its care"),
    )
    BUDGET_ATTENTION_PCT = (
        "budget_attention_pct",
        _("Report when this share of a grant is used (percent)"),
    )
    SIGNAL_HOLDERS_PER_PERSON = (
        "signal_holders_per_person",
        _("Signal: a private person caring for more holders than"),
    )
    SIGNAL_HOLDERS_PER_ORGANISATION = (
        "signal_holders_per_organisation",
        _("Signal: an organisation caring for more holders than"),
    )
    SIGNAL_HOURS_ABOVE_AGREED_PCT = (
        "signal_hours_above_agreed_pct",
        _("Signal: declared hours of a month above this share of the agreed hours (percent)"),
    )
    SIGNAL_SPEND_SPIKE_PCT = (
        "signal_spend_spike_pct",
        _("Signal: a month's spend above this share of the holder's usual month (percent)"),
    )
    AGE_OF_MAJORITY = "age_of_majority", _("Age of majority")
    HOME_SERVICE_DAYS_A_WEEK = (
        "home_service_days_a_week",
        _("Household-service scheme no longer applies from this many working days a week"),
    )
    EMPLOYER_COSTS_PCT = (
        "employer_costs_pct",
        _("Employer costs the SVB pays from the budget (percent of the gross wage)"),
    )
    SIGNAL_INDICATION_ABOVE_PCT = (
        "signal_indication_above_pct",
        _("Signal: declared hours above this share of the indicated hours (percent)"),
    )
    SIGNAL_HOLDERS_PER_REPRESENTATIVE = (
        "signal_holders_per_representative",
        _("Signal: a representative or bureau acting for more holders than"),
    )
    SIGNAL_IDENTICAL_MONTHS = (
        "signal_identical_months",
        _("Signal: identical declarations in this many months in a row"),
    )
    SIGNAL_SAME_ADDRESS_WEEK_HOURS = (
        "signal_same_address_week_hours",
        _("Signal: holder and carer at one address with more hours a week than"),
    )
    SIGNAL_PROVIDER_DAY_HOURS = (
        "signal_provider_day_hours",
        _("Signal: a carer declared by several holders for more hours on a day than"),
    )
    SICK_PAY_PCT = (
        "sick_pay_pct",
        _("Continued pay in sickness (percent of the wage)"),
    )
    SICK_PAY_WEEKS_HOUSEHOLD = (
        "sick_pay_weeks_household",
        _("Weeks of continued pay in sickness under the household-service scheme"),
    )
    SICK_PAY_WEEKS = (
        "sick_pay_weeks",
        _("Weeks of continued pay in sickness"),
    )
    SICK_PAY_MINIMUM_WAGE_WEEKS = (
        "sick_pay_minimum_wage_weeks",
        _("Weeks in which continued pay in sickness is at least the minimum wage"),
    )
    RENEWAL_NOTICE_WEEKS = (
        "renewal_notice_weeks",
        _("Weeks before a grant ends to ask for a new decision"),
    )


class FigureUnit(models.TextChoices):
    HOUR = "hour", _("per hour")
    MONTH = "month", _("per month")
    YEAR = "year", _("per year")
    PERCENT = "percent", _("percent")
    HOURS = "hours", _("hours")
    WEEKS = "weeks", _("weeks")
    MONTHS = "months", _("months")
    COUNT = "count", _("count")
    YEARS = "years", _("years")
    DAYS = "days", _("days")


class CarerClass(models.TextChoices):
    FORMAL = "formal", _("Formal care")
    SELF_EMPLOYED = "self_employed", _("Self-employed (zzp)")
    INFORMAL = "informal", _("Informal care (sociaal netwerk)")


class RateUnit(models.TextChoices):
    HOUR = "hour", _("Hour")
    DAY_PART = "day_part", _("Day part (dagdeel)")
    DAY = "day", _("24 hours (etmaal)")
    MONTH = "month", _("Month")
