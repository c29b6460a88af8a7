"""Reports in the API: a holder's exhaustion report and year costs, and a municipality's
audit report, as JSON and as XLSX, CSV, PNG and SVG; municipality-scale reports also as a
background task whose files are downloaded when it is done."""

from typing import overload

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import renderers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from pgb_admin.api.downloads import file_renderers, file_response
from pgb_admin.api.fields import parse_whole, path_id
from pgb_admin.api.permissions import reads_only
from pgb_admin.api.schema import problem_response
from pgb_admin.audit.events import log_read
from pgb_admin.audit.models import Action
from pgb_admin.core.api.serializers import TaskRunSerializer
from pgb_admin.core.files import (
    CHART_FORMATS,
    CSV,
    FORMATS,
    PNG,
    SVG,
    XLSX,
    exhaustion_report_name,
    municipal_report_name,
)

from .. import files, limits, selectors, tasks
from ..models import ReportFile
from . import serializers

YEAR = OpenApiParameter(
    "year",
    {"type": "integer", "minimum": selectors.FIRST_YEAR, "maximum": selectors.LAST_YEAR},
    description="The calendar year (default: this year; the exhaustion report: all grants).",
)
TOO_MANY_RUNS_RESPONSE = problem_response(
    429,
    "You have as many reports in the making as allowed at once (`too_many_report_runs`); "
    "`Retry-After` says when to try again.",
)
#: the formats a report is downloaded in
REPORT_FORMATS = (XLSX, CSV, PNG, SVG)


def year_range_message() -> str:
    return _("Give a year from %(first_year)s to %(last_year)s, e.g. 2026.") % {
        "first_year": selectors.FIRST_YEAR,
        "last_year": selectors.LAST_YEAR,
    }


@overload
def read_year(request: Request, *, default: int) -> int: ...


@overload
def read_year(request: Request, *, default: None = None) -> int | None: ...


def read_year(request: Request, *, default: int | None = None) -> int | None:
    text = request.query_params.get("year")
    if text is None:
        return default
    year = parse_whole(text, low=selectors.FIRST_YEAR, high=selectors.LAST_YEAR)
    if year is None:
        raise ValidationError({"year": [year_range_message()]})
    return year


def _exhaustion_name(holder: str, extension: str) -> str:
    return exhaustion_report_name(holder, None, extension)


def _municipal_name(code: str, extension: str) -> str:
    # named by the code as asked for, without the year (unlike the page's and the task's files)
    return municipal_report_name(code, None, extension)


def _file_action(name: str, file_format, summary: str, write, file_name, url_path=None):
    """A GET action ``name`` that answers the report (``self._report``) as a file in
    ``file_format`` (a :class:`~pgb_admin.core.files.FileFormat`): ``write`` takes the report's
    dict (and, for charts, the format) and gives the bytes; ``file_name`` takes the key in the
    URL and the extension and gives the file's name."""
    extension = file_format.extension
    chart = extension in CHART_FORMATS

    def download(self, request, **kwargs):
        key = next(iter(kwargs.values()))
        with limits.report_render_slot(request.user):
            report = self._report(request, key)
            content = write(report, extension) if chart else write(report)
        return file_response(content, file_format, file_name(key, extension))

    download.__name__ = download.__qualname__ = name
    download = extend_schema(
        summary=summary,
        parameters=[YEAR],
        responses={
            (200, file_format.mime): OpenApiResponse(OpenApiTypes.BINARY),
            **TOO_MANY_RUNS_RESPONSE,
        },
    )(download)
    return action(
        detail=True,
        methods=["get"],
        url_path=url_path or extension,
        renderer_classes=file_renderers(file_format),
    )(download)


class HolderReportViewSet(viewsets.ViewSet):
    """A budget holder's reports: when each grant runs out, and the year's costs. For whoever
    may see the holder; an auditor sees their funder's grants only."""

    lookup_value_regex = r"[0-9]+"
    serializer_class = serializers.ExhaustionReportSerializer  # for the schema

    def _report(self, request, pk):
        return selectors.holder_exhaustion_dict(
            user=request.user, holder_id=path_id(pk), year=read_year(request)
        )

    @extend_schema(
        summary="When each grant runs out: spent, committed, remaining, burn rate, projections",
        parameters=[YEAR],
        responses={200: serializers.ExhaustionReportSerializer},
    )
    @action(detail=True, methods=["get"])
    def exhaustion(self, request, pk=None):
        return Response(serializers.ExhaustionReportSerializer(self._report(request, pk)).data)

    exhaustion_xlsx = _file_action(
        "exhaustion_xlsx",
        XLSX,
        "The exhaustion report as XLSX, with Excel charts",
        files.exhaustion_xlsx,
        _exhaustion_name,
        url_path="exhaustion/xlsx",
    )
    exhaustion_csv = _file_action(
        "exhaustion_csv",
        CSV,
        "The exhaustion report's months as CSV",
        files.exhaustion_csv,
        _exhaustion_name,
        url_path="exhaustion/csv",
    )
    exhaustion_png = _file_action(
        "exhaustion_png",
        PNG,
        "The cumulative spend against each grant, as PNG",
        files.exhaustion_chart,
        _exhaustion_name,
        url_path="exhaustion/png",
    )
    exhaustion_svg = _file_action(
        "exhaustion_svg",
        SVG,
        "The cumulative spend against each grant, as SVG",
        files.exhaustion_chart,
        _exhaustion_name,
        url_path="exhaustion/svg",
    )

    @extend_schema(
        summary="The year's costs: what the grants paid and the CAK eigen bijdrage (Wmo)",
        parameters=[YEAR],
        responses={200: serializers.YearCostsSerializer},
    )
    @action(detail=True, methods=["get"], url_path="year-costs")
    def year_costs(self, request, pk=None):
        year = read_year(request, default=timezone.localdate().year)
        report = selectors.holder_year_costs(user=request.user, holder_id=path_id(pk), year=year)
        return Response(serializers.YearCostsSerializer(report).data)


class MunicipalityReportViewSet(viewsets.ViewSet):
    """A municipality's (or care office's) audit report, for its auditors and staff: spend by
    scheme, product, provider and month, formal and informal care, tariffs against the
    maximum, underspend, holders near exhaustion, and signals with their evidence. No BSN
    appears in it; every read is logged."""

    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9-]{2,20}"
    serializer_class = serializers.MunicipalityReportSerializer  # for the schema

    def _report(self, request, code):
        year = read_year(request, default=timezone.localdate().year)
        return selectors.municipality_report_dict(user=request.user, code=code, year=year)

    @extend_schema(
        summary="The audit report of a funder for a year",
        parameters=[YEAR],
        responses={200: serializers.MunicipalityReportSerializer},
    )
    def retrieve(self, request, code=None):
        return Response(serializers.MunicipalityReportSerializer(self._report(request, code)).data)

    xlsx = _file_action(
        "xlsx",
        XLSX,
        "The audit report as XLSX, with Excel charts",
        files.municipality_xlsx,
        _municipal_name,
    )
    csv = _file_action(
        "csv",
        CSV,
        "The audit report's signals and spend per provider as CSV",
        files.municipality_csv,
        _municipal_name,
    )
    png = _file_action(
        "png",
        PNG,
        "Spend by month and by provider, as PNG",
        files.municipality_chart,
        _municipal_name,
    )
    svg = _file_action(
        "svg",
        SVG,
        "Spend by month and by provider, as SVG",
        files.municipality_chart,
        _municipal_name,
    )

    @extend_schema(
        summary="Make the audit report in a background task (large municipalities)",
        description="The task's result names the files; download them at "
        "/api/v1/reports/files/{id}/ while you audit the funder, until they are removed after "
        "the retention period.",
        request=serializers.MunicipalityRunSerializer,
        responses={202: TaskRunSerializer, **TOO_MANY_RUNS_RESPONSE},
    )
    @action(detail=True, methods=["post"])
    @reads_only
    def runs(self, request, code=None):
        funder = selectors.audited_funder(user=request.user, code=code)
        data = serializers.MunicipalityRunSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = tasks.start_municipality_report(
            actor=request.user, funder=funder, year=data.validated_data["year"]
        )
        run.refresh_from_db()
        return Response(
            TaskRunSerializer(run).data,
            status=202,
            headers={"Location": reverse("api:task-detail", kwargs={"pk": run.pk})},
        )


class ReportFileViewSet(viewsets.ViewSet):
    """Files of reports made by a background task, for who had them made while they audit
    the report's funder (and staff); removed after ``REPORT_FILE_RETENTION_DAYS``."""

    lookup_value_regex = r"[0-9]+"
    renderer_classes = [
        *(file_renderers(file_format)[0] for file_format in REPORT_FORMATS),
        renderers.JSONRenderer,
    ]

    @extend_schema(
        summary="Download a report file made by a background task",
        responses={
            (200, file_format.mime): OpenApiResponse(OpenApiTypes.BINARY)
            for file_format in REPORT_FORMATS
        },
    )
    def retrieve(self, request, pk=None):
        report = ReportFile.objects.visible_to(request.user).filter(pk=path_id(pk)).first()
        if report is None:
            raise Http404
        log_read(
            user=request.user, what="report_file", holder_id=None, obj=report, action=Action.EXPORT
        )
        return file_response(
            bytes(report.content), FORMATS[report.format], report.filename, sha256=report.sha256
        )
