"""The auditor workspace: the funders an auditor audits, a funder's municipal report for a year
(tables, charts with a table alternative, signals with their evidence and links to the holder,
agreement and declaration they concern, the report as XLSX and CSV), and the evidence pack of
one declaration.

Everything here reads: the pages are GET only (anything else is a 405) and have no write
buttons. The report is read through :mod:`reports.selectors` and written as files by
:mod:`reports.files`, the same functions the API uses, so each read is scoped (a funder the
user does not audit is a 404) and logged. No BSN appears on these pages.
"""

from datetime import date

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from contracts.constants import ProviderKind
from pgb_admin.accounts.constants import MandateRole
from pgb_admin.accounts.scoping import audited_funder_ids, sees_everything
from pgb_admin.api.downloads import file_response
from pgb_admin.budgets.constants import AdmissionKind, Scheme
from pgb_admin.budgets.models import Funder
from pgb_admin.core.files import CHART_FORMATS, CSV, XLSX, ZIP, municipal_report_name
from pgb_admin.core.periods import parse_month
from pgb_admin.core.web import AuthenticatedRequest
from pgb_admin.figures.constants import CarerClass, RateUnit

from . import evidence, files, selectors
from .limits import limit_report_renders
from .signals import ALARM

#: rows of a long table shown on the page; the XLSX holds all of them
PAGE_ROWS = 50
DOWNLOADS = {
    XLSX.extension: (files.municipality_xlsx, XLSX),
    CSV.extension: (files.municipality_csv, CSV),
}

#: what each key of a signal's evidence means, and how to show its value
EVIDENCE = {
    "version": (_("Agreement version"), "text"),
    "rate_cents": (_("Agreed rate"), "cents"),
    "maximum_cents": (_("Maximum rate"), "cents"),
    "source": (_("Source of the maximum"), "text"),
    "holders": (_("Holders"), "text"),
    "kind": (_("Kind of provider"), "provider_kind"),
    "week": (_("Week"), "text"),
    "hours": (_("Hours"), "quantity"),
    "agreement": (_("Care agreement"), "text"),
    "declaration": (_("Declaration"), "text"),
    "ended": (_("Agreement ended on"), "date"),
    "first_day_after": (_("First day of care after the end"), "date"),
    "days": (_("Days of care after the end"), "text"),
    "month": (_("Month"), "month"),
    "declared_hours": (_("Declared hours"), "quantity"),
    "agreed_hours": (_("Agreed hours"), "quantity"),
    "spend_cents": (_("Spend in the month"), "cents"),
    "usual_cents": (_("Average month before"), "cents"),
    "iban": (_("IBAN (masked)"), "text"),
    "providers": (_("Providers paid into it"), "text"),
    "grant": (_("Grant"), "text"),
    "indicated_hours": (_("Indicated hours"), "quantity"),
    "admission": (_("Admitted to"), "admission_kind"),
    "admitted_from": (_("Admitted from"), "date"),
    "admitted_to": (_("Admitted until"), "date"),
    "first_day": (_("First day of care during the admission"), "date"),
    "died": (_("Date of death"), "date"),
    "role": (_("Acting as"), "mandate_role"),
    "representative": (_("Representative or bureau"), "text"),
    "provider_name": (_("Provider's name"), "text"),
    "matched_on": (_("Matched on"), "matched_on"),
    "postcode": (_("Postcode (masked)"), "text"),
    "hours_per_week": (_("Agreed hours a week"), "quantity"),
    "account_holder": (_("Account in the name of"), "text"),
    "first_month": (_("First month"), "month"),
    "last_month": (_("Last month"), "month"),
    "amount_cents": (_("Amount each month"), "cents"),
    "unit": (_("Unit"), "rate_unit"),
    "day": (_("Day"), "date"),
}
#: evidence keys that are not shown as such but give the links of the signal
LINK_KEYS = {"holder_ids", "provider_ids"}
MATCHED_ON = {
    "name": _("the provider's name"),
    "account_holder": _("the name on the provider's bank account"),
    "surname": _("the holder's surname in the provider's name"),
    "address": _("the holder's address"),
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
        {"funders": shown, "year": timezone.localdate().year},
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
        render(request, "reports/municipality.html", _report_context(report, content, form))
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


# --- what the report page shows --------------------------------------------------------------


def _month(text: str | None) -> date | None:
    return parse_month(text) if text else None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _label(choices, value) -> str:
    try:
        return choices(value).label
    except ValueError:
        return value


def _report_context(report, content: dict, form: YearForm) -> dict:
    """The report's dict for the template, with the links of its rows (holder, agreement,
    declaration) and labels in the page's language."""
    budgets = report.data.budgets
    holder_of_budget = dict(
        zip(budgets["budget_id"].tolist(), budgets["holder_id"].tolist(), strict=True)
    )
    providers = {p["provider"]: p["name"] for p in content["spend_by_provider"]}
    providers.update(
        zip(
            report.data.providers["provider_id"].tolist(),
            report.data.providers["name"].tolist(),
            strict=True,
        )
    )
    underspend = [
        {**row, "holder_id": holder_of_budget.get(row["budget"])}
        for row in content["underspend"]["grants"]
    ]
    above = [
        {
            **row,
            "provider_name": providers.get(row["provider"], ""),
            "carer_class_label": _label(CarerClass, row["carer_class"]),
            "unit_label": _label(RateUnit, row["unit"]),
        }
        for row in content["tariffs"]["above_maximum"]
    ]
    signals = [_signal(signal) for signal in content["signals"]]
    code, year = report.funder.code, report.year
    return {
        "report": content,
        "form": form,
        "code": code,
        "year": year,
        "query": f"?year={year}",
        "reference_month": _month(content["reference_month"]),
        "signals": signals,
        "alarms": sum(signal["level"] == ALARM for signal in signals),
        "by_month": [
            {"month": _month(row["month"]), "used": row["used"]}
            for row in content["spend_by_month"]
        ],
        "by_scheme": [
            {"scheme": _label(Scheme, row["scheme"]), "used": row["used"]}
            for row in content["spend_by_scheme"]
        ],
        "carer_classes": [
            {**row, "label": _label(CarerClass, row["carer_class"])}
            for row in content["carer_classes"]
        ],
        "above_maximum": above[:PAGE_ROWS],
        "above_maximum_more": max(len(above) - PAGE_ROWS, 0),
        "underspend": underspend[:PAGE_ROWS],
        "underspend_more": max(len(underspend) - PAGE_ROWS, 0),
        "near_exhaustion": [
            {**row, "run_out_date": _day(row["run_out"])} for row in content["near_exhaustion"]
        ],
        "downloads": [
            {"label": label, "url": f"{reverse(name, args=[code, file_format])}?year={year}"}
            for label, name, file_format in (
                (_("The report as an Excel workbook (XLSX)"), "reports:download", "xlsx"),
                (_("The signals and the spend per provider (CSV)"), "reports:download", "csv"),
                (_("The charts as SVG"), "reports:chart", "svg"),
                (_("The charts as PNG"), "reports:chart", "png"),
            )
        ],
    }


def _evidence_item(key: str, value) -> dict:
    label, kind = EVIDENCE.get(key, (key, "text"))
    if kind == "cents":
        value, kind = f"{value / 100:.2f}", "money"
    elif kind == "date":
        value = _day(value)
    elif kind == "month":
        value = _month(value)
    elif kind == "provider_kind":
        value, kind = _label(ProviderKind, value), "text"
    elif kind == "admission_kind":
        value, kind = _label(AdmissionKind, value), "text"
    elif kind == "mandate_role":
        value, kind = _label(MandateRole, value), "text"
    elif kind == "rate_unit":
        value, kind = _label(RateUnit, value), "text"
    elif kind == "matched_on":
        value, kind = MATCHED_ON.get(value, value), "text"
    return {"label": label, "value": value, "kind": kind}


def _signal(signal: dict) -> dict:
    """A signal with its evidence as label and value (its links come with it)."""
    found = signal["evidence"]
    items = [_evidence_item(key, value) for key, value in found.items() if key not in LINK_KEYS]
    return {**signal, "items": items}
