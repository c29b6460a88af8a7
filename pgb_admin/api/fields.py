"""Serializer fields with strict JSON types: a string is a string, a number is not a boolean,
an id is a whole number. What DRF would coerce quietly ("yes" for true, 1.5 for id 1), the API
refuses with a field error, so a client never saves something other than it meant."""

import re
from datetime import date
from typing import NoReturn

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pgb_admin.core.periods import (
    date_out_of_range,
    is_supported,
    month_from_text,
    month_out_of_range,
)

MAX_ID = 2**63 - 1
# months and dates within the supported range, years 1900 to 2099 (pgb_admin.core.periods)
MONTH_PATTERN = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$"
DATE_PATTERN = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
DATE_SCHEMA = {"type": "string", "format": "date", "pattern": DATE_PATTERN}


class StrictCharField(serializers.CharField):
    default_error_messages = {"invalid": _("Give text (a JSON string).")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    default_error_messages = {"invalid": _("Give true or false.")}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class StrictDecimalField(serializers.DecimalField):
    """A decimal as a string ("7.25"), as the API writes them."""

    default_error_messages = {"invalid": _('Give a number as a string, e.g. "7.25".')}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    default_error_messages = {"invalid": _("Give a whole number.")}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


def parse_iso_date(text) -> date | None:
    """A date written as YYYY-MM-DD, and nothing else (no 20261005, no 2026-W40-1)."""
    if not (isinstance(text, str) and ISO_DATE.match(text)):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def refuse_out_of_range(error: DjangoValidationError) -> NoReturn:
    """A date or month outside the supported range (:mod:`pgb_admin.core.periods`) as the
    API's field error: code ``out_of_range``, the range in the reason."""
    raise serializers.ValidationError(error.messages, code=error.code)


@extend_schema_field(DATE_SCHEMA)
class StrictDateField(serializers.DateField):
    """YYYY-MM-DD only, from 1900-01-01 to 2099-12-31 (the supported range)."""

    def to_internal_value(self, value):
        parsed = parse_iso_date(value)
        if parsed is None:
            self.fail("invalid", format="YYYY-MM-DD")
        if not is_supported(parsed):
            refuse_out_of_range(date_out_of_range())
        return parsed


@extend_schema_field({"type": "string", "pattern": TIME_PATTERN, "example": "09:30"})
class LocalTimeField(serializers.TimeField):
    """A time of day on the Dutch clock: hh:mm or hh:mm:ss, without a time zone."""

    def to_internal_value(self, value):
        if not (isinstance(value, str) and re.match(TIME_PATTERN, value)):
            self.fail("invalid", format="hh:mm")
        return super().to_internal_value(value)


StrictTimeField = LocalTimeField


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2026-10"})
class MonthField(serializers.Field):
    """A calendar month as ``YYYY-MM`` (ISO 8601), from 1900-01 to 2099-12; inside, the
    month's first day."""

    default_error_messages = {"invalid": _("Give a month as YYYY-MM, e.g. 2026-10.")}

    def to_internal_value(self, data) -> date:
        month = month_from_text(data) if isinstance(data, str) else None
        if month is None:
            self.fail("invalid")
        if not is_supported(month):
            refuse_out_of_range(month_out_of_range())
        return month

    def to_representation(self, value: date) -> str:
        return f"{value.year:04d}-{value.month:02d}"  # %Y does not pad years before 1000


def parse_whole(text, *, low: int, high: int) -> int | None:
    """A whole number from ``low`` to ``high`` written in ASCII digits, or None: for a sign,
    spaces, other scripts' digits, and a number too long to be in range (Python refuses to
    read more than 4,300 digits, so they are not read at all)."""
    if not (isinstance(text, str) and text.isascii() and text.isdigit()):
        return None
    if len(text.lstrip("0")) > len(str(high)):
        return None
    value = int(text)
    return value if low <= value <= high else None


def path_id(text: str) -> int:
    """An id from a URL: a whole number in range, or 404 (as for an id that does not exist)."""
    value = parse_whole(text, low=1, high=MAX_ID)
    if value is None:
        raise Http404
    return value


class CodeRelatedField(serializers.SlugRelatedField):
    """An object by its code (a funder, a care product). Text with a NUL character names
    nothing: PostgreSQL cannot even compare it, so it is not looked up."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)


class ScopedRelatedField(serializers.PrimaryKeyRelatedField):
    """An id of an object the user may see. An id of another's object gets the same answer
    as one that does not exist, so nobody learns what exists outside their scope."""

    default_error_messages = {
        "does_not_exist": _("There is no {name} {pk_value} that you may see."),
        "incorrect_type": _("Give the id as a whole number."),
    }

    def __init__(self, model, **kwargs):
        self.model, self.name = model, model._meta.verbose_name
        kwargs.setdefault("queryset", model.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.model.objects.visible_to(request.user if request else None)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 0 < data <= MAX_ID:
            self.fail("does_not_exist", name=self.name, pk_value=data)
        try:
            return self.get_queryset().get(pk=data)
        except self.model.DoesNotExist:
            self.fail("does_not_exist", name=self.name, pk_value=data)

    def fail(self, key, **kwargs):
        kwargs.setdefault("name", self.name)
        super().fail(key, **kwargs)


class StrictFieldsMixin(serializers.Serializer):
    """Refuse fields the serializer does not know, instead of silently dropping them."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {
                        name: [
                            serializers.ErrorDetail(str(_("Unknown field.")), code="unknown_field")
                        ]
                        for name in unknown
                    }
                )
        return super().to_internal_value(data)


class InputSerializer(StrictFieldsMixin, serializers.Serializer):
    """Base of the serializers that read what a client sends to a service: strict types
    (the ``serializer_field_mapping`` below for model serializers; plain ones declare the
    strict fields themselves) and no unknown fields."""


def char_for(model, name: str, **kwargs) -> StrictCharField:
    """A strict text field with the model field's length, blankness and help text."""
    field = model._meta.get_field(name)
    kwargs.setdefault("max_length", field.max_length)
    kwargs.setdefault("allow_blank", field.blank)
    kwargs.setdefault("required", not field.blank)
    kwargs.setdefault("help_text", field.help_text or None)
    return StrictCharField(**kwargs)


def decimal_for(model, name: str, **kwargs) -> StrictDecimalField:
    """A strict decimal field with the model field's digits and nullability."""
    field = model._meta.get_field(name)
    kwargs.setdefault("max_digits", field.max_digits)
    kwargs.setdefault("decimal_places", field.decimal_places)
    kwargs.setdefault("allow_null", field.null)
    kwargs.setdefault("required", not (field.null or field.has_default()))
    kwargs.setdefault("help_text", field.help_text or None)
    return StrictDecimalField(**kwargs)


def choice_for(model, name: str, **kwargs) -> serializers.ChoiceField:
    field = model._meta.get_field(name)
    kwargs.setdefault("required", not (field.blank or field.has_default()))
    if field.blank:
        kwargs.setdefault("allow_blank", True)
    return StrictChoiceField(choices=field.choices, **kwargs)


class StrictChoiceField(serializers.ChoiceField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)
