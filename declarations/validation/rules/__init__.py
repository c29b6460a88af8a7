"""The rule catalogue, by subject. Each rule is a vectorised check over the prepared frames of
:mod:`declarations.validation.engine`; its figures come from the dated tables
(:meth:`Context.figure`, the tariffs), never from the rule. Messages are written in English and
translated; ``%(name)s`` placeholders are filled with the figures of each finding.

:data:`ORDER` is the order in which the rules run and are listed; every registered rule is in it
once (:func:`declarations.validation.registry.catalogue` checks that).
"""

from . import (
    agreement,
    budget,
    calendar,
    costs,
    entries,
    hours,
    identifiers,
    indication,
    rate,
    sick,
    wage,
)

ORDER = (
    agreement.outside_agreement,
    budget.outside_budget,
    agreement.not_approved,
    budget.product_not_granted,
    agreement.fixed_monthly_pay,
    calendar.month_not_over,
    calendar.care_in_future,
    calendar.late,
    calendar.prior_year_late,
    calendar.public_holiday,
    hours.not_quarter,
    costs.not_positive,
    hours.day_over_24,
    hours.provider_day_over_24,
    hours.atw_day,
    hours.atw_week,
    hours.week_above_agreement,
    hours.four_days,
    sick.hours_while_sick,
    indication.above_indication,
    entries.duplicate,
    entries.times_overlap,
    rate.rate_differs,
    rate.rate_above_maximum,
    rate.maximum_unknown,
    wage.below_minimum_wage,
    wage.monthly_below_minimum,
    wage.monthly_hours_unknown,
    wage.minimum_wage_unknown,
    costs.arithmetic,
    costs.travel_not_agreed,
    budget.budget_exceeded,
    agreement.second_for_month,
    identifiers.iban_invalid,
    identifiers.formal_without_registration,
    identifiers.zvw_formal_requirements,
)
