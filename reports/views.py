"""The auditor workspace: the funders an auditor audits, a funder's municipal report for a year
(tables, charts with a table alternative, signals with their evidence and links to the holder,
agreement and declaration they concern, the report as XLSX and CSV), and the evidence pack of
one declaration.

Everything here reads: the pages are GET only (anything else is a 405) and have no write
buttons. The report is read through :mod:`reports.selectors` and written as files by
:mod:`reports.files`, the same functions the API uses, so each read is scoped (a funder the
user does not audit is a 404) and logged. No BSN appears on these pages.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from pgb_admin.accounts.scoping import audited_funder_ids, sees_everything
from pgb_admin.api.downloads import file_response
from pgb_admin.budgets.models import Funder
from pgb_admin.core.files import CHART_FORMATS, CSV, XLSX, ZIP, municipal_report_name
from pgb_admin.core.web import AuthenticatedRequest

from . import evidence, files, report_page, selectors
from .limits import limit_report_renders

DOWNLOADS = {
    XLSX.extension: (files.municipality_xlsx, XLSX),
    CSV.extension: (files.municipality_csv, CSV),
}


class YearForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year"), min_value=selectors.FIRST_YEAR, max_value=selectors.LAST_YEAR
    )


def _year(request: HttpRequest) -> tuple[YearForm, int]:
    """The year asked for (this year when none is given, or when it is not a year)."""
    this_year = timezone.localdate().year
    if "year" not in request.GET:
        return YearForm(initial={"year": this_year}), this_year
    form = YearForm(request.GET)
    return form, form.cleaned_data["year"] if form.is_valid() else this_year


def _file_year(request: HttpRequest) -> int:
    """The year of a chart or download: a malformed one names no file (404)."""
    form, year = _year(request)
    if form.is_bound and not form.is_valid():
        raise Http404(_("Not found."))
    return year


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
@login_required
def audit_home(request: AuthenticatedRequest) -> HttpResponse:
    """The funders the user audits today (staff: all of them)."""
    user = request.user
    funders = Funder.objects.order_by("name", "code")
    if not sees_everything(user):
        funders = funders.filter(pk__in=audited_funder_ids(user))
    shown = list(funders)
    if not shown and not sees_everything(user):
        raise Http404(_("Not found."))
    return render(
        request,
        "reports/audit.html",
        {
            "funders": [(funder, report_page.report_title(funder)) for funder in shown],
            "year": timezone.localdate().year,
        },
    )


@require_GET
@login_required
def municipality(request: HttpRequest, code: str) -> HttpResponse:
    form, year = _year(request)
    report = selectors.municipality_report(
        user=request.user, code=code, year=year, what="municipality_page"
    )
    content = report.as_dict()
    return _private(
        render(
            request,
            "reports/municipality.html",
            report_page.report_context(report, content, form),
        )
    )


@require_GET
@login_required
@limit_report_renders
def chart(request: HttpRequest, code: str, file_format: str) -> HttpResponse:
    """Spend by month and by provider as PNG or SVG, for the page's ``<img>``."""
    if file_format not in CHART_FORMATS:
        raise Http404(_("Not found."))
    year = _file_year(request)
    report = selectors.municipality_report(
        user=request.user, code=code, year=year, what=f"municipality_chart:{file_format}"
    )
    content = files.municipality_chart(report.as_dict(), file_format)
    filename = municipal_report_name(report.funder.code, year, file_format)
    return _private(file_response(content, CHART_FORMATS[file_format], filename, inline=True))


@require_GET
@login_required
@limit_report_renders
def download(request: HttpRequest, code: str, file_format: str) -> HttpResponse:
    """The report as XLSX (with Excel charts) or CSV (the signals and spend per provider)."""
    if file_format not in DOWNLOADS:
        raise Http404(_("Not found."))
    write, download_format = DOWNLOADS[file_format]
    year = _file_year(request)
    report = selectors.municipality_report(
        user=request.user, code=code, year=year, what=f"municipality_file:{file_format}"
    )
    filename = municipal_report_name(report.funder.code, year, file_format)
    return _private(file_response(write(report.as_dict()), download_format, filename))


@require_GET
@login_required
def evidence_pack(request: HttpRequest, declaration_id: int) -> HttpResponse:
    """One declaration's evidence as a ZIP, for whoever may see the declaration."""
    pack = evidence.evidence_pack(user=request.user, declaration_id=declaration_id)
    return _private(file_response(pack.content, ZIP, pack.filename, pack.sha256))
