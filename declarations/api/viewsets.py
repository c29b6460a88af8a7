from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from pgb_admin.api.downloads import file_renderers, file_response
from pgb_admin.api.fields import MAX_ID
from pgb_admin.api.filters import DateFilter, FilterSet, IdFilter, MonthFilter
from pgb_admin.api.problems import problem
from pgb_admin.api.schema import problem_response
from pgb_admin.api.viewsets import ListRetrieveMixin, ScopedViewSet, collection_action
from pgb_admin.budgets.constants import Channel, Scheme
from pgb_admin.core.api.serializers import TaskRunSerializer
from pgb_admin.core.errors import Conflict
from pgb_admin.core.files import CSV, FORMATS, XLSX
from pgb_admin.core.periods import month_end

from .. import tasks
from ..constants import DeclarationStatus, ExpenseKind
from ..grants import budget_refusal
from ..imports.hours import hours_import
from ..imports.problems import ImportRefused
from ..imports.uploads import max_upload_bytes
from ..models import Batch, BatchFile, Declaration, Expense, TimeEntry
from ..selectors import lists as selectors
from ..selectors.batches import batch_file
from ..selectors.months import declarations_open_in_period, open_declaration
from ..services import declarations as declaration_services
from ..services import hours as hour_services
from ..services.batches import batch_export, month_export
from . import serializers


class AgreementDataFilter(FilterSet):
    agreement = IdFilter(field_name="agreement_id")
    holder = IdFilter(field_name="agreement__holder_id")
    provider = IdFilter(field_name="agreement__provider_id")


class TimeEntryFilter(AgreementDataFilter):
    period = MonthFilter(field_name="care_date", label="Care in this month (YYYY-MM)")
    date_from = DateFilter(field_name="care_date", lookup_expr="gte")
    date_to = DateFilter(field_name="care_date", lookup_expr="lte")

    class Meta:
        model = TimeEntry
        fields = ["agreement", "holder", "provider", "period"]


def _delete_response(service, **kwargs) -> Response:
    service(**kwargs)
    return Response(status=204)


class AgreementDataViewSet(ListRetrieveMixin, ScopedViewSet):
    """What is logged under a care agreement per day (care, costs). Its subclasses say which
    serializers read a new row and a change, and which services of
    :mod:`declarations.services.hours` add, change and remove one (``id_argument`` names the
    row for them)."""

    create_serializer: type[BaseSerializer[Any]]
    update_serializer: type[BaseSerializer[Any]]
    add: Callable[..., Model]
    change: Callable[..., Model]
    remove: Callable[..., None]
    id_argument = ""

    def create(self, request):
        data = self.read_input(self.create_serializer)
        row = self.add(actor=request.user, agreement_id=data.pop("agreement").pk, **data)
        return self.respond(row, status=201)

    def partial_update(self, request, pk=None):
        row = self.get_object()
        data = self.read_input(self.update_serializer)
        row = self.change(actor=request.user, **{self.id_argument: row.pk}, **data)
        return self.respond(row)

    def destroy(self, request, pk=None):
        row = self.get_object()
        return _delete_response(self.remove, actor=request.user, **{self.id_argument: row.pk})


@extend_schema_view(
    list=extend_schema(summary="Care logged per day (time entries)"),
    retrieve=extend_schema(summary="A time entry"),
    create=extend_schema(
        summary="Log care on a day",
        request=serializers.TimeEntryCreateSerializer,
        responses={201: serializers.TimeEntrySerializer},
    ),
    partial_update=extend_schema(
        summary="Change a time entry (while its month is not declared)",
        request=serializers.TimeEntryUpdateSerializer,
        responses={200: serializers.TimeEntrySerializer},
    ),
    destroy=extend_schema(summary="Remove a time entry (while its month is not declared)"),
)
class TimeEntryViewSet(AgreementDataViewSet):
    """Care given per day under a care agreement: hours in quarter hours, or day parts or
    24-hour periods where the agreement is paid so. A month's entries change until its
    declaration is exported (then 409), and again once a correction is opened."""

    selector = selectors.time_entry_list
    serializer_class = serializers.TimeEntrySerializer
    filterset_class = TimeEntryFilter
    ordering_fields = ["care_date", "created_at"]
    create_serializer = serializers.TimeEntryCreateSerializer
    update_serializer = serializers.TimeEntryUpdateSerializer
    add = staticmethod(hour_services.time_entry_add)
    change = staticmethod(hour_services.time_entry_update)
    remove = staticmethod(hour_services.time_entry_delete)
    id_argument = "entry_id"

    @extend_schema(
        summary="Write a whole month of one agreement, all or nothing",
        description="The entries replace the month's entries. Every row is checked and every "
        "error is named by its row (`entries[3].quantity`); on any error nothing is stored. "
        "Sending the same month twice leaves the same entries.",
        request=serializers.TimeEntryMonthSerializer,
        responses={200: serializers.TimeEntryMonthResultSerializer},
    )
    @collection_action()
    def bulk(self, request):
        data = self.read_input(serializers.TimeEntryMonthSerializer)
        agreement = data["agreement"]
        hour_services.time_entries_set_month(
            actor=request.user,
            agreement_id=agreement.pk,
            month=data["month"],
            entries=data["entries"],
        )
        return self._month_response(agreement, data["month"])

    @extend_schema(
        summary="Fill a month from a weekly pattern",
        description="On the days the agreement runs; days that hold entries are kept unless "
        "`replace` is true. All days or none.",
        request=serializers.TimeEntryFillSerializer,
        responses={200: serializers.TimeEntryMonthResultSerializer},
    )
    @collection_action()
    def fill(self, request):
        data = self.read_input(serializers.TimeEntryFillSerializer)
        agreement = data["agreement"]
        hour_services.time_entries_fill_month(
            actor=request.user,
            agreement_id=agreement.pk,
            month=data["month"],
            pattern=data["pattern"],
            replace=data["replace"],
        )
        return self._month_response(agreement, data["month"])

    def _month_response(self, agreement, month) -> Response:
        month_entries = self.get_queryset().filter(
            agreement=agreement, care_date__range=(month, month_end(month))
        )
        body = {
            "agreement": agreement.pk,
            "month": month,
            "entries": month_entries.order_by("care_date", "start_time", "pk"),
        }
        return Response(
            serializers.TimeEntryMonthResultSerializer(
                body, context=self.get_serializer_context()
            ).data
        )


class ExpenseFilter(AgreementDataFilter):
    period = MonthFilter(field_name="expense_date", label="Costs in this month (YYYY-MM)")
    kind = filters.ChoiceFilter(choices=ExpenseKind.choices)

    class Meta:
        model = Expense
        fields = ["agreement", "holder", "provider", "period", "kind"]


@extend_schema_view(
    list=extend_schema(summary="Travel and other costs"),
    retrieve=extend_schema(summary="A cost"),
    create=extend_schema(
        summary="Declare a cost",
        request=serializers.ExpenseCreateSerializer,
        responses={201: serializers.ExpenseSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a cost (while its month is not declared)",
        request=serializers.ExpenseFieldsSerializer,
        responses={200: serializers.ExpenseSerializer},
    ),
    destroy=extend_schema(summary="Remove a cost (while its month is not declared)"),
)
class ExpenseViewSet(AgreementDataViewSet):
    """Travel costs (kilometres at the agreed allowance) and other costs beside the care."""

    selector = selectors.expense_list
    serializer_class = serializers.ExpenseSerializer
    filterset_class = ExpenseFilter
    ordering_fields = ["expense_date", "amount"]
    create_serializer = serializers.ExpenseCreateSerializer
    update_serializer = serializers.ExpenseFieldsSerializer
    add = staticmethod(hour_services.expense_add)
    change = staticmethod(hour_services.expense_update)
    remove = staticmethod(hour_services.expense_delete)
    id_argument = "expense_id"


class DeclarationFilter(AgreementDataFilter):
    period = MonthFilter(field_name="month", label="Declarations of this month (YYYY-MM)")
    status = filters.ChoiceFilter(choices=DeclarationStatus.choices)
    scheme = filters.ChoiceFilter(choices=Scheme.choices, field_name="budget__scheme")
    batch = IdFilter(field_name="batch_id")

    class Meta:
        model = Declaration
        fields = ["agreement", "holder", "provider", "period", "status", "scheme", "batch"]


@extend_schema_view(
    list=extend_schema(summary="Declarations with their findings"),
    retrieve=extend_schema(summary="A declaration with its lines per day and findings"),
)
class DeclarationViewSet(ListRetrieveMixin, ScopedViewSet):
    """One declaration per agreement per month: draft, validated, exported (frozen: 409 on
    any change), submitted, paid or rejected. A correction is a new declaration."""

    serializer_class = serializers.DeclarationSerializer
    filterset_class = DeclarationFilter
    ordering_fields = ["month", "total_amount", "created_at"]

    def get_queryset(self):
        return selectors.declaration_list(user=self.request.user, with_lines=self.detail)

    def get_serializer_class(self):
        return (
            serializers.DeclarationDetailSerializer
            if self.detail
            else super().get_serializer_class()
        )

    def _respond(self, declaration, status: int = 200) -> Response:
        declaration = selectors.declaration_list(user=self.request.user, with_lines=True).get(
            pk=declaration.pk
        )
        return Response(
            serializers.DeclarationDetailSerializer(
                declaration, context=self.get_serializer_context()
            ).data,
            status=status,
        )

    @extend_schema(
        summary="Draft the month's declaration of an agreement",
        description="From the month's entries and costs, a line per day at the rate of the "
        "agreement version valid that day. An open draft of the month is drafted again (200). "
        "A month already exported (or further) gets no second declaration: 409 (`conflict`, reason "
        "code `month_already_declared`); open a correction of it instead.",
        request=serializers.DeclarationDraftSerializer,
        responses={
            200: serializers.DeclarationDetailSerializer,
            201: serializers.DeclarationDetailSerializer,
            **problem_response(
                409,
                "The month is already exported (`conflict`, reason code `month_already_declared`): "
                "open a correction instead.",
            ),
        },
    )
    def create(self, request):
        data = self.read_input(serializers.DeclarationDraftSerializer)
        agreement = data["agreement"]
        existed = open_declaration(agreement.pk, data["month"]) is not None
        declaration = declaration_services.declaration_draft(
            actor=request.user,
            agreement_id=agreement.pk,
            month=data["month"],
            declared_rate=data.get("declared_rate"),
        )
        return self._respond(declaration, 200 if existed else 201)

    @extend_schema(summary="Throw away a draft (its hours stay)")
    def destroy(self, request, pk=None):
        declaration = self.get_object()
        return _delete_response(
            declaration_services.declaration_delete,
            actor=request.user,
            declaration_id=declaration.pk,
        )

    @extend_schema(
        summary="Validate the declaration",
        description="Drafts it again and runs the rule catalogue. Without errors it becomes "
        "validated; otherwise it stays a draft (200). The findings say what to fix. When the "
        "grant would be exceeded it stays a draft with the `budget.exceeded` finding stored, and "
        "the answer is 409 with the problem code `budget_exceeded`: also when many validate "
        "against one grant at the same time, no more is validated than the grant holds.",
        request=None,
        responses={
            200: serializers.DeclarationDetailSerializer,
            **problem_response(
                409,
                "Refused: exported and frozen (`conflict`), or the grant would be exceeded "
                "(`budget_exceeded`; the declaration stays a draft, its findings say why).",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def validate(self, request, pk=None):
        declaration = self.get_object()
        checked = declaration_services.declaration_validate(
            actor=request.user, declaration_ids=[declaration.pk]
        )
        refusal = budget_refusal(checked)  # the draft and its findings are committed
        if refusal is not None:
            raise refusal
        return self._respond(declaration)

    @extend_schema(
        summary="Accept a warning with a reason",
        request=serializers.AcknowledgeSerializer,
        responses={200: serializers.DeclarationDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        declaration = self.get_object()
        data = self.read_input(serializers.AcknowledgeSerializer)
        finding = declaration.findings.filter(pk=min(data["finding"], MAX_ID)).first()
        if finding is None:
            raise Http404
        declaration_services.finding_acknowledge(
            actor=request.user, finding_id=finding.pk, reason=data["reason"]
        )
        return self._respond(declaration)

    @extend_schema(
        summary="Record that you declared the exported declaration (your own record)",
        request=None,
        responses={200: serializers.DeclarationDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        declaration = self.get_object()
        declaration_services.declaration_submit(actor=request.user, declaration_id=declaration.pk)
        return self._respond(declaration)

    @extend_schema(
        summary="Open a correction of an exported declaration",
        description="A new draft that references the exported one and reopens the month's "
        "hours; the exported declaration never changes.",
        request=None,
        responses={201: serializers.DeclarationDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        declaration = self.get_object()
        correction = declaration_services.declaration_correct(
            actor=request.user, declaration_id=declaration.pk
        )
        return self._respond(correction, 201)

    @extend_schema(
        summary="Record the answer: paid or rejected (your own record)",
        request=serializers.SettleSerializer,
        responses={200: serializers.DeclarationDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def settle(self, request, pk=None):
        declaration = self.get_object()
        data = self.read_input(serializers.SettleSerializer)
        declaration_services.declaration_settle(
            actor=request.user, declaration_id=declaration.pk, **data
        )
        return self._respond(declaration)

    @extend_schema(
        summary="Draft the month's declarations of every agreement with hours or costs",
        request=serializers.PeriodSerializer,
        responses={200: serializers.DeclarationSerializer(many=True)},
    )
    @collection_action(url_path="draft-period")
    def draft_period(self, request):
        data = self.read_input(serializers.PeriodSerializer)
        declarations = declaration_services.declarations_draft_period(
            actor=request.user, **_period(data)
        )
        drafted = self.get_queryset().filter(pk__in=[d.pk for d in declarations]).order_by("pk")
        return Response(self.get_serializer(drafted, many=True).data)

    @extend_schema(
        summary="Validate the month's open declarations in a background task",
        request=serializers.PeriodSerializer,
        responses={202: TaskRunSerializer},
    )
    @collection_action(url_path="validate-period")
    def validate_period(self, request):
        data = self.read_input(serializers.PeriodSerializer)
        ids = declarations_open_in_period(actor=request.user, **_period(data))
        run = tasks.start_validation(actor=request.user, declaration_ids=ids)
        return _accepted(run)


def _period(data: dict) -> dict:
    holder = data.get("holder")
    return {
        "month": data["month"],
        "holder_id": holder.pk if holder else None,
        "funder": data.get("funder"),
    }


def _accepted(run) -> Response:
    run.refresh_from_db()
    return Response(
        TaskRunSerializer(run).data,
        status=202,
        headers={"Location": reverse("api:task-detail", kwargs={"pk": run.pk})},
    )


class BatchFilter(FilterSet):
    period = MonthFilter(field_name="period", label="Batches of this month (YYYY-MM)")
    holder = IdFilter(field_name="holder_id")
    funder = filters.CharFilter(field_name="funder__code")
    channel = filters.ChoiceFilter(field_name="channel", choices=Channel.choices)

    class Meta:
        model = Batch
        fields = ["period", "holder", "funder", "channel"]


IMMUTABLE_RESPONSE = problem_response(409, "An export never changes: correct the declaration.")


def _immutable() -> Conflict:
    return Conflict(
        {
            "batch": ValidationError(
                _(
                    "An export never changes. To change what was declared, open a correction "
                    "of the declaration and export it again."
                ),
                code="batch_immutable",
            )
        }
    )


@extend_schema_view(
    list=extend_schema(
        summary="Exports (PGB Portaal entry aids, insurer declarations) you made or that hold "
        "your holders"
    ),
    retrieve=extend_schema(summary="An export: a PGB Portaal entry aid or an insurer declaration"),
)
class BatchViewSet(ListRetrieveMixin, ScopedViewSet):
    """Exports of a month's validated declarations, one per channel: the PGB Portaal entry aid
    (the holder types it in; neither the SVB nor the Portaal takes a file) or the declaration
    for the health insurer (Zvw pgb). Stored as written with their sha256: every download gives
    the same bytes."""

    selector = selectors.batch_list
    serializer_class = serializers.BatchSerializer
    filterset_class = BatchFilter
    ordering_fields = ["period", "created_at"]

    def check_editable(self, obj) -> None:
        """A batch is never edited: a change answers 409 to everyone who may see it."""

    @extend_schema(
        summary="Export a month's validated declarations: an entry aid or insurer declaration",
        description="Only declarations without open errors or unacknowledged warnings go in; "
        "the others are listed in `skipped` with the reason. An export holds one channel: "
        "without `channel` each channel with something ready gets its own, the answer is the "
        "first (the PGB Portaal entry aid when there is one) and a `Link` header "
        '(rel="related") names the others. Nothing is sent to the SVB or the insurer. With '
        "`background`, the export runs as a task (202 and its progress at "
        "/api/v1/tasks/{id}/).",
        request=serializers.BatchCreateSerializer,
        responses={201: serializers.BatchSerializer, 202: TaskRunSerializer},
    )
    def create(self, request):
        data = self.read_input(serializers.BatchCreateSerializer)
        channel = data.get("channel") or None
        if data["background"]:
            return _accepted(
                tasks.start_export(actor=request.user, channel=channel, **_period(data))
            )
        if channel:
            batches = [batch_export(actor=request.user, channel=Channel(channel), **_period(data))]
        else:
            batches = month_export(actor=request.user, **_period(data))
        response = self.respond(batches[0], status=201)
        if len(batches) > 1:
            response["Link"] = ", ".join(
                f'<{reverse("api:batch-detail", kwargs={"pk": b.pk})}>; rel="related"'
                for b in batches[1:]
            )
        return response

    @extend_schema(
        summary="Exports are immutable (409)", request=None, responses=IMMUTABLE_RESPONSE
    )
    def destroy(self, request, pk=None):
        self.get_object()
        raise _immutable()

    @extend_schema(
        summary="Exports are immutable (409)", request=None, responses=IMMUTABLE_RESPONSE
    )
    def partial_update(self, request, pk=None):
        self.get_object()
        raise _immutable()

    @extend_schema(
        summary="Download the export as XLSX, for your records or the insurer (the same bytes "
        "every time)",
        responses={(200, XLSX.mime): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=True, methods=["get"], renderer_classes=file_renderers(XLSX))
    def xlsx(self, request, pk=None):
        return self._download(BatchFile.Format.XLSX)

    @extend_schema(
        summary="Download the export as CSV, for your records (UTF-8, ';', the same bytes every "
        "time)",
        responses={(200, CSV.mime): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    @action(detail=True, methods=["get"], renderer_classes=file_renderers(CSV))
    def csv(self, request, pk=None):
        return self._download(BatchFile.Format.CSV)

    def _download(self, file_format: str) -> HttpResponse:
        batch = self.get_object()
        file = batch_file(actor=self.request.user, batch_id=batch.pk, file_format=file_format)
        return file_response(
            bytes(file.content), FORMATS[file.format], file.filename, sha256=file.sha256
        )


@extend_schema_view(
    list=extend_schema(summary="The validation rules"),
    retrieve=extend_schema(summary="A validation rule"),
)
class RuleViewSet(viewsets.ViewSet):
    """The rule catalogue, in the requested language."""

    lookup_field = "code"
    lookup_value_regex = r"[a-z0-9_.]+"
    serializer_class = serializers.RuleSerializer

    @extend_schema(responses={200: serializers.RuleSerializer(many=True)})
    def list(self, request):
        return Response([_rule(rule) for rule in selectors.rule_list()])

    @extend_schema(responses={200: serializers.RuleSerializer})
    def retrieve(self, request, code=None):
        rule = next((rule for rule in selectors.rule_list() if rule.code == code), None)
        if rule is None:
            raise Http404
        return Response(_rule(rule))


def _rule(rule) -> dict:
    return serializers.RuleSerializer(
        {
            "code": rule.code,
            "severity": rule.severity,
            "blocks_export": rule.blocks_export,
            "title": str(rule.title),
            "message": str(rule.message),
            "fix": str(rule.fix),
            "source": rule.source,
            "valid_from": rule.valid_from,
            "valid_to": rule.valid_to,
            "params": rule.params,
        }
    ).data


class HoursImportView(APIView):
    """Import hours and costs from an XLSX or CSV file, all rows or none. A refused file
    answers 400 with every problem in ``invalid_params``, named by its cell (``Uren!C7``);
    nothing is stored then. Importing the same file twice changes nothing the second time."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Import hours and costs from a spreadsheet",
        request={"multipart/form-data": serializers.HoursImportRequestSerializer},
        responses={200: serializers.HoursImportResultSerializer},
    )
    def post(self, request):
        data = serializers.HoursImportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        try:
            result = hours_import(
                actor=request.user,
                filename=upload.name,
                content=upload.read(max_upload_bytes() + 1),
                dry_run=data.validated_data["dry_run"],
            )
        except ImportRefused as refused:
            return problem(
                status=400,
                code="import_refused",
                detail=refused.messages[0],
                instance=request.path,
                invalid_params=[_import_param(p) for p in refused.problems],
            )
        return Response(serializers.HoursImportResultSerializer(result.as_dict()).data)


def _import_param(problem_) -> dict:
    return {"name": problem_.cell, "code": problem_.code, "reason": problem_.message}
