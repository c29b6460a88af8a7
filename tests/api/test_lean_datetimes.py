"""The lean serializer writes a date-time as DRF does, in whatever time zone is current
(``+00:00`` as ``Z``), and leaves fields with a format or zone of their own to DRF."""

import json
from datetime import UTC, datetime

from django.utils import timezone

import pytest
from rest_framework import serializers

from pgb_admin.api import lean
from pgb_admin.audit.models import AccessEvent


class _Lean(lean.LeanModelSerializer):
    formatted = serializers.DateTimeField(source="at", format="%d-%m-%Y %H:%M", read_only=True)
    in_utc = serializers.DateTimeField(source="at", default_timezone=UTC, read_only=True)

    class Meta:
        model = AccessEvent
        fields = ["id", "at", "formatted", "in_utc"]


class _Drf(_Lean):
    to_representation = serializers.ModelSerializer.to_representation


@pytest.mark.parametrize("zone", ["Europe/Amsterdam", "UTC", "America/St_Johns"])
@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=UTC),  # before the clocks go forward
        datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # the hour that comes twice
        datetime(2026, 7, 1, 12, 0, tzinfo=UTC),
    ],
)
def test_date_times_are_written_as_drf_writes_them(zone, moment):
    event = AccessEvent(pk=7, at=moment)
    with timezone.override(zone):
        lean_output = json.dumps(_Lean(event).data)
        drf_output = json.dumps(_Drf(event).data)
    assert lean_output == drf_output
    if zone == "UTC":
        assert json.loads(lean_output)["at"].endswith("Z")


def test_a_date_time_field_with_a_format_or_zone_of_its_own_goes_drfs_way():
    drfs_way = {name: represent == field.to_representation for name, _, represent, field in _plan()}
    assert drfs_way == {"id": True, "at": False, "formatted": True, "in_utc": True}


def _plan():
    serializer = _Lean()
    return [lean._step(field, AccessEvent) for field in serializer._readable_fields]
