"""Serialising a page of rows without DRF's generic work per field and row.

DRF finds each value by walking ``source_attrs`` with checks for mappings, callables and
built-ins, field by field, row by row. For a model instance most fields are a plain column,
a property, or the id of a foreign key: :class:`LeanModelSerializer` works out once per
serializer how to read each field (an ``attrgetter``) and writes the same output as
``ModelSerializer`` does. Anything else (methods, nested serializers, many-to-many, a value
that is not there) goes DRF's own way, so the JSON is identical. A date-time in ISO 8601 (every
``created_at``) is written as DRF writes it, without DRF's format and time zone checks per
value."""

from collections.abc import Callable
from datetime import datetime
from operator import attrgetter
from typing import Any

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.utils import timezone

from rest_framework import ISO_8601, relations, serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

# (name, getter or None for DRF's way, representation, field)
_Step = tuple[str, Callable[[Any], Any] | None, Callable[[Any], Any], Any]


def _identity(value: Any) -> Any:
    return value


class LeanModelSerializer(serializers.ModelSerializer):
    # A ModelSerializer whose output for instances of Meta.model is built from a plan made
    # once per serializer object (a list's child serves every row). No docstring: the
    # OpenAPI schema would give it to every serializer without one of its own.

    def to_representation(self, instance):
        if not isinstance(instance, self.Meta.model):
            return super().to_representation(instance)
        plan = self.__dict__.get("_lean_plan")
        if plan is None:
            plan = self.__dict__["_lean_plan"] = [
                _step(field, self.Meta.model) for field in self._readable_fields
            ]
        ret: dict[str, Any] = {}
        for name, getter, represent, field in plan:
            if getter is not None:
                try:
                    value = getter(instance)
                except (AttributeError, KeyError, ObjectDoesNotExist):
                    pass  # DRF's way decides: a default, null or leaving the field out
                else:
                    ret[name] = None if value is None else represent(value)
                    continue
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            ret[name] = None if check is None else field.to_representation(attribute)
        return ret


def _iso_datetime(field) -> Callable[[Any], Any]:
    """``DateTimeField.to_representation`` for an aware date-time in ISO 8601 (the field's
    time zone being the current one); anything else goes DRF's way."""

    def represent(value: Any) -> Any:
        if not isinstance(value, datetime) or value.tzinfo is None:
            return field.to_representation(value)
        try:
            text = value.astimezone(timezone.get_current_timezone()).isoformat()
        except OverflowError:
            return field.to_representation(value)
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return represent


def _writes_iso_datetime(field) -> bool:
    """A date-time field that DRF writes in ISO 8601 in the current time zone."""
    if type(field) is not serializers.DateTimeField or hasattr(field, "timezone"):
        return False
    output = getattr(field, "format", api_settings.DATETIME_FORMAT)
    return isinstance(output, str) and output.lower() == ISO_8601 and bool(settings.USE_TZ)


def _step(field, model: type[models.Model]) -> _Step:
    name = field.field_name
    drf_way: _Step = (name, None, field.to_representation, field)
    attrs = list(field.source_attrs)
    if not attrs or isinstance(
        field,
        serializers.BaseSerializer
        | serializers.SerializerMethodField
        | serializers.HiddenField
        | relations.ManyRelatedField,
    ):
        return drf_way
    if isinstance(field, relations.PrimaryKeyRelatedField):
        attname = _foreign_key_attname(model, attrs) if field.pk_field is None else None
        return drf_way if attname is None else (name, attrgetter(attname), _identity, field)
    if isinstance(field, relations.RelatedField) or not _plain_path(model, attrs):
        return drf_way
    represent = _iso_datetime(field) if _writes_iso_datetime(field) else field.to_representation
    return (name, attrgetter(".".join(attrs)), represent, field)


def _foreign_key_attname(model: type[models.Model], attrs: list[str]) -> str | None:
    """``agreement_id`` for a foreign key ``agreement`` of the model itself."""
    if len(attrs) != 1:
        return None
    try:
        model_field = model._meta.get_field(attrs[0])
    except FieldDoesNotExist:
        return None
    if model_field.many_to_one or (model_field.one_to_one and model_field.concrete):
        return getattr(model_field, "attname", None)
    return None


def _plain_path(model: type[models.Model] | None, attrs: list[str]) -> bool:
    """Whether every step of the path is a column, a forward foreign key or a property, so
    reading it calls nothing that DRF would have called."""
    for position, attr in enumerate(attrs):
        if model is None:
            return False
        descriptor = getattr(model, attr, None)
        last = position == len(attrs) - 1
        if isinstance(descriptor, property):
            if not last:
                return False
            continue
        if not isinstance(descriptor, DeferredAttribute) and not last:
            try:
                related = model._meta.get_field(attr)
            except FieldDoesNotExist:
                return False
            if not (related.many_to_one or (related.one_to_one and related.concrete)):
                return False
            target = related.related_model
            model = target if isinstance(target, type) else None
            continue
        if not isinstance(descriptor, DeferredAttribute):
            return False
    return True
