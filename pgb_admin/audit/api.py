"""The access log through the API: a holder's log for those who act for them, and the log
manager's search."""

from typing import Any

from django.core.exceptions import PermissionDenied

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, serializers

from pgb_admin.api.fields import DATE_SCHEMA
from pgb_admin.core.errors import NotFound

from . import selectors
from .events import log_refused
from .forms import SearchForm
from .models import AccessEvent

HOLDER_FIELDS = [
    "at",
    "username",
    "role",
    "purpose",
    "action",
    "what",
    "object_pk",
    "count",
    "outcome",
]


class HolderAccessEventSerializer(serializers.ModelSerializer):
    # declared, not derived: the model field's range differs between SQLite and PostgreSQL
    count = serializers.IntegerField(read_only=True, help_text="How many rows it was.")

    class Meta:
        model = AccessEvent
        fields = HOLDER_FIELDS


class AccessEventSerializer(HolderAccessEventSerializer):
    class Meta:
        model = AccessEvent
        fields = ["id", "holder_pk", "user_pk", *HOLDER_FIELDS, "remote_addr", "request_id"]


class HolderAccessLogView(generics.ListAPIView):
    """Who read, exported or changed this holder's data: a bureau, read-only family, an
    auditor, staff, or anyone who changed something (your own actions are left out)."""

    serializer_class = HolderAccessEventSerializer
    queryset = AccessEvent.objects.none()  # for the schema; the rows come from get_queryset

    def get_queryset(self):
        holder_id = self.kwargs["holder_id"]
        try:
            return selectors.holder_log(user=self.request.user, holder_id=holder_id)
        except NotFound:
            log_refused(user=self.request.user, what=AccessEvent._meta.label, holder_id=holder_id)
            raise

    @extend_schema(summary="Who looked at or changed a budget holder's data")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


_TYPES: dict[str, OpenApiTypes | dict[str, Any]] = {
    "holder": OpenApiTypes.INT,
    "since": DATE_SCHEMA,
    "until": DATE_SCHEMA,
}


class AccessLogSearchView(generics.ListAPIView):
    """The whole access log, for log managers (permission ``audit.view_accessevent``).
    Every search is itself written to the log."""

    serializer_class = AccessEventSerializer
    queryset = AccessEvent.objects.none()  # for the schema; the rows come from get_queryset

    def get_queryset(self):
        if not selectors.can_search(self.request.user):
            raise PermissionDenied
        form = SearchForm(self.request.query_params)
        if not form.is_valid():
            raise exceptions.ValidationError(
                {
                    name: [exceptions.ErrorDetail(e["message"], code=e["code"]) for e in errors]
                    for name, errors in form.errors.get_json_data().items()
                }
            )
        return selectors.search(user=self.request.user, **form.cleaned_data)

    @extend_schema(
        summary="Search the access log (log managers)",
        parameters=[
            OpenApiParameter(name, _TYPES.get(name, OpenApiTypes.STR), description=str(field.label))
            for name, field in SearchForm.base_fields.items()
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
