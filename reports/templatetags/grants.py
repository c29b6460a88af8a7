"""``{% load grants %}``: ``{{ budget|grant_title }}`` writes a grant in words
(:func:`reports.dashboard.words.grant_title`)."""

from django import template

from pgb_admin.core.dates import format_period
from reports.dashboard.words import budget_title

register = template.Library()


@register.filter
def grant_title(budget) -> str:
    return budget_title(budget)


@register.filter
def funder_names(funders) -> str:
    """The funders' names in one line: "'s-Gravenhage (Den Haag), Assen"."""
    return ", ".join(funder.name for funder in funders or ())


@register.filter
def grant_period(budget) -> str:
    """The grant's period in words: "1 januari - 31 december 2026" (an en dash)."""
    return format_period(budget.start_date, budget.end_date)
