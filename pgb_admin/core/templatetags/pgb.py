"""Template filters for amounts, dates and months, in the page's language (€ 1.234,50 and
9-11-2026 in Dutch)."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import formats

from pgb_admin.core import dates

register = template.Library()


@register.filter
def euro(value) -> str:
    """``"1234.5"`` or ``Decimal("1234.5")`` as ``€ 1.234,50`` (nl) or ``€ 1,234.50`` (en)."""
    if value is None or value == "":
        return "–"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return "€\u00a0" + formats.number_format(amount, 2, use_l10n=True, force_grouping=True)


@register.filter
def number(value) -> str:
    """A whole number with the page's thousands separator: 10.500 (nl), 10,500 (en)."""
    if value is None or value == "":
        return ""
    return formats.number_format(value, 0, use_l10n=True, force_grouping=True)


@register.filter
def quantity(value) -> str:
    """Hours as the page's language writes them, without trailing zeros (7,5)."""
    if value is None or value == "":
        return ""
    amount = Decimal(str(value)).normalize()
    exponent = amount.as_tuple().exponent  # a letter for NaN and infinity
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    return formats.number_format(amount, places, use_l10n=True)


@register.filter
def format_date(value, style: dates.Style = "short") -> str:
    """``{{ day|format_date }}`` 9-11-2026 / 9 Nov 2026; ``{{ day|format_date:"prose" }}``
    9 november 2026 / 9 November 2026 (:func:`pgb_admin.core.dates.format_date`)."""
    return dates.format_date(value, style)


@register.filter
def format_moment(value) -> str:
    """``{{ moment|format_moment }}`` 9 november 2026 14:05 (nl), 9 November 2026 14:05 (en)."""
    return dates.format_moment(value)


@register.filter
def week_label(value) -> str:
    """``{{ day|week_label }}`` or ``{{ "2026-W49"|week_label }}``: week 49 (30 nov - 6 dec)
    (:func:`pgb_admin.core.dates.week_label`)."""
    return dates.week_label(value)


@register.filter
def month_slug(value: date) -> str:
    return f"{value.year:04d}-{value.month:02d}"


@register.filter
def get_item(mapping: dict, key):
    """``mapping|get_item:key``: a dict's value by a key from the template."""
    return mapping.get(key) if mapping else None
