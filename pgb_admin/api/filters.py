"""Filters shared by the API's FilterSets: an id (a whole number in range) and a month."""

import calendar

from django import forms
from django.utils.translation import gettext_lazy as _

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from .fields import MAX_ID, MONTH_PATTERN, parse_month


class IdFilter(filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class MonthFormField(forms.CharField):
    default_error_messages = {"invalid": _("Give a month as YYYY-MM, e.g. 2026-10.")}

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        month = parse_month(value)
        if month is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return month


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2026-10"})
class MonthFilter(filters.Filter):
    """``?period=2026-10``: rows whose date field lies in that month."""

    field_class = MonthFormField

    def filter(self, qs, value):
        if value is None:
            return qs
        last_day = calendar.monthrange(value.year, value.month)[1]
        return qs.filter(**{f"{self.field_name}__range": (value, value.replace(day=last_day))})
