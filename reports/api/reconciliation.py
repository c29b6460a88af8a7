"""The reconciliation in the API: upload an overview of the SVB or the insurer (the same
service as the page: all rows or none, the same file twice changes nothing), the work list
of differences (filtered, paginated, reads logged) and resolving one."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from declarations.selectors.uploads import ImportRefused, max_upload_bytes
from pgb_admin.api.filters import FilterSet, IdFilter, MonthFilter
from pgb_admin.api.problems import problem
from pgb_admin.api.schema import problem_response
from pgb_admin.api.viewsets import ListRetrieveMixin, ScopedViewSet
from pgb_admin.budgets.constants import Channel

from ..reconciliation import selectors, services
from ..reconciliation.constants import DIFFERING, DifferenceKind, OverviewKind, Resolution
from ..reconciliation.models import Difference


class DifferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Difference
        fields = [
            "id", "holder", "channel", "kind", "agreement", "month", "budget", "declaration_id",
            "ours", "theirs", "difference", "overview", "updated_at", "resolution",
            "resolution_note", "resolved_at",
        ]  # fmt: skip
        read_only_fields = fields


class ResolveSerializer(serializers.Serializer):
    resolution = serializers.ChoiceField(choices=Resolution.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class OverviewUploadSerializer(serializers.Serializer):
    holder = serializers.IntegerField(min_value=1, help_text="The budget holder's id.")
    kind = serializers.ChoiceField(choices=OverviewKind.choices)
    file = serializers.FileField(
        help_text="An .xlsx or .csv with the columns of docs/reconciliation.md."
    )


class OverviewResultSerializer(serializers.Serializer):
    overview = serializers.IntegerField(source="overview.pk")
    created = serializers.BooleanField(
        help_text="False: the same overview was uploaded before; nothing changed."
    )
    changed = serializers.IntegerField(help_text="Outcomes made or updated.")


class DifferenceFilter(FilterSet):
    holder = IdFilter(field_name="holder_id")
    agreement = IdFilter(field_name="agreement_id")
    period = MonthFilter(field_name="month", label="Differences of this month (YYYY-MM)")

    class Meta:
        model = Difference
        fields = ["holder", "agreement", "period", "kind", "resolution", "channel"]


# the choices a filter takes, named for the schema
DifferenceFilter.base_filters["kind"].extra["choices"] = [
    (kind, DifferenceKind(kind).label) for kind in DIFFERING
]
DifferenceFilter.base_filters["channel"].extra["choices"] = Channel.choices


def _differences(*, user):
    return selectors.difference_list(user=user, resolution="")


@extend_schema_view(
    list=extend_schema(summary="Differences with the SVB's and the insurer's overviews"),
    retrieve=extend_schema(summary="A difference with an overview"),
)
class DifferenceViewSet(ListRetrieveMixin, ScopedViewSet):
    """What the overviews of the SVB (PGB Portaal) and the insurer show against the
    declarations and grants here, one row per agreement and month (or grant) that does not
    agree; each with its resolution."""

    selector = _differences
    serializer_class = DifferenceSerializer
    filterset_class = DifferenceFilter
    ordering_fields = ["month", "difference", "updated_at"]

    @extend_schema(
        summary="Set how a difference is dealt with",
        request=ResolveSerializer,
        responses={200: DifferenceSerializer},
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        difference = self.get_object()
        data = self.read_input(ResolveSerializer)
        services.difference_resolve(
            actor=request.user,
            difference_id=difference.pk,
            resolution=data["resolution"],
            note=data["note"],
        )
        return self.respond(difference)

    @extend_schema(
        summary="Upload an overview of the SVB or the insurer",
        description="All rows or none: a refused file answers 400 with every problem in "
        "`invalid_params`, named by its cell. The same file for the same holder and kind again "
        "changes nothing (`created` false).",
        request={"multipart/form-data": OverviewUploadSerializer},
        responses={
            200: OverviewResultSerializer,
            201: OverviewResultSerializer,
            **problem_response(400, "The file is refused (`import_refused`)."),
        },
    )
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser])
    def upload(self, request):
        data = self.read_input(OverviewUploadSerializer)
        uploaded = data["file"]
        try:
            result = services.overview_upload(
                actor=request.user,
                holder_id=data["holder"],
                kind=data["kind"],
                filename=uploaded.name,
                content=uploaded.read(max_upload_bytes() + 1),
            )
        except ImportRefused as refused:
            return problem(
                status=400,
                code="import_refused",
                detail=refused.messages[0],
                instance=request.path,
                invalid_params=[
                    {"name": p.cell, "code": p.code, "reason": p.message} for p in refused.problems
                ],
            )
        return Response(
            OverviewResultSerializer(result).data, status=201 if result.created else 200
        )
