"""Filters shared by the API's FilterSets: an id (a whole number in range) and a month."""

from django import forms
from django.utils.translation import gettext_lazy as _

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from pgb_admin.core.periods import (
    month_end,
    month_from_text,
    validate_supported_date,
    validate_supported_month,
)

from .fields import DATE_SCHEMA, MAX_ID, MONTH_PATTERN, parse_iso_date


class IdFilter(filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class ParsedFormField(forms.CharField):
    """Text that ``parse`` turns into a value (None: not valid), taken as given (no strip)."""

    @staticmethod
    def parse(text: str) -> object:
        """The value ``text`` stands for; None when it is not valid."""
        raise NotImplementedError

    default_error_messages = {"invalid": ""}

    def __init__(self, *args, **kwargs):
        kwargs["strip"] = False
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        parsed = type(self).parse(value)
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed


class MonthFormField(ParsedFormField):
    parse = staticmethod(month_from_text)
    default_error_messages = {"invalid": _("Give a month as YYYY-MM, e.g. 2026-10.")}
    default_validators = [validate_supported_month]


class IsoDateFormField(ParsedFormField):
    parse = staticmethod(parse_iso_date)
    default_error_messages = {"invalid": _("Give a date as YYYY-MM-DD.")}
    default_validators = [validate_supported_date]


class FilterSet(filters.FilterSet):
    """A FilterSet that refuses a parameter given without a value (``?holder=``) instead of
    ignoring it: leave a filter out to not filter."""

    def is_valid(self):
        valid = super().is_valid()
        empty = [name for name in self.filters if name in self.data and self.data[name] == ""]
        for name in empty:
            self.form.add_error(name, _("Give a value, or leave the parameter out."))
        return valid and not empty


@extend_schema_field(DATE_SCHEMA)
class DateFilter(filters.DateFilter):
    """YYYY-MM-DD only (Django's date fields would also take 05-10-2026), within the supported
    range."""

    field_class = IsoDateFormField


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2026-10"})
class MonthFilter(filters.Filter):
    """``?period=2026-10``: rows whose date field lies in that month."""

    field_class = MonthFormField

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(**{f"{self.field_name}__range": (value, month_end(value))})
