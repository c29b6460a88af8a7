"""The banner that tells staff what the figures miss (the minimum wage, the national maximum
tariffs), on every page."""

from typing import Any

from django import template
from django.utils import timezone

from ..gaps import minimum_wage_gaps, national_tariff_gaps

register = template.Library()


@register.inclusion_tag("figures/gaps_banner.html", takes_context=True)
def figure_gaps_banner(context: template.Context) -> dict[str, Any]:
    user = context.get("user")
    if user is None or not getattr(user, "is_staff", False):
        return {"gaps": [], "tariff_gaps": []}
    today = timezone.localdate()
    return {"gaps": minimum_wage_gaps(today), "tariff_gaps": national_tariff_gaps(today)}
