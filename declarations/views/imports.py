"""The Excel round trip on the pages: download a template, fill it, upload it (or see first
what it would change), and read every problem with its sheet, row, column and value."""

from datetime import date

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from contracts.models import CareAgreement
from pgb_admin.accounts.scoping import get_editable, refuse_auditors
from pgb_admin.api.downloads import file_response
from pgb_admin.audit.events import log_read
from pgb_admin.audit.models import Action
from pgb_admin.core.files import CSV, XLSX, hours_template_name
from pgb_admin.core.models import TaskRun
from pgb_admin.core.periods import parse_month
from pgb_admin.core.web import AuthenticatedRequest

from ..imports import template
from ..imports.hours import hours_import
from ..imports.problems import ImportRefused
from ..imports.uploads import max_upload_bytes
from ..tasks import start_import
from .declarations import last_month


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Hours file (XLSX or CSV)"),
        help_text=gettext_lazy(
            "The template of pgb-admin, filled in; or a CSV with the same columns."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": f".{XLSX.extension},.{CSV.extension}"}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Only show what would change; save nothing"), required=False
    )


@require_http_methods(["GET", "POST"])
@login_required
def upload(request: AuthenticatedRequest) -> HttpResponse:
    refuse_auditors(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    context = {"form": form, "month": last_month()}
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        content = uploaded.read(max_upload_bytes() + 1)
        dry_run = form.cleaned_data["dry_run"]
        if len(content) > settings.IMPORT_INLINE_BYTES:
            run = start_import(
                actor=request.user,
                filename=uploaded.name,
                content=content,
                dry_run=dry_run,
                language=translation.get_language() or settings.LANGUAGE_CODE,
            )
            return redirect("declarations:import_result", task_id=run.pk)
        try:
            result = hours_import(
                actor=request.user, filename=uploaded.name, content=content, dry_run=dry_run
            )
        except ImportRefused as refused:
            context["problems"] = refused.problems
        else:
            context["result"] = _in_words(request.user, result.as_dict())
    return render(request, "declarations/import.html", context)


def _in_words(user, result: dict | None) -> dict | None:
    """The result with each changed agreement by its provider and type and each month as a
    date (the stored result keeps ids and ``2026-11``, as the API gives them)."""
    if not result or not result.get("months"):
        return result
    ids = {change["agreement"] for change in result["months"]}
    agreements = CareAgreement.objects.visible_to(user).select_related("provider").in_bulk(ids)
    months = []
    for change in result["months"]:
        agreement = agreements.get(change["agreement"])
        name = (
            f"{agreement.provider.name} ({agreement.get_agreement_type_display()})"
            if agreement
            else ""
        )
        months.append({**change, "agreement_name": name, "month": parse_month(change["month"])})
    return {**result, "months": months}


@require_GET
@login_required
def result(request: AuthenticatedRequest, task_id) -> HttpResponse:
    run = TaskRun.objects.visible_to(request.user).filter(pk=task_id, kind="import").first()
    if run is None:
        raise Http404
    context = {
        "run": run,
        "result": _in_words(request.user, run.result) if "problems" not in run.result else None,
        "problems": run.result.get("problems"),
    }
    if request.headers.get("HX-Request"):
        return render(request, "declarations/_import_run.html", context)
    return render(request, "declarations/import_result.html", context)


@require_GET
@login_required
def agreement_template(
    request: AuthenticatedRequest, agreement_id: int, month: date
) -> HttpResponse:
    agreement = get_editable(
        CareAgreement.objects.select_related("provider", "holder"), request.user, pk=agreement_id
    )
    content = template.agreement_month_template(agreement, month)
    log_read(
        user=request.user,
        what="export:hours_template",
        holder_id=agreement.holder_id,
        obj=agreement,
        action=Action.EXPORT,
    )
    return file_response(content, XLSX, hours_template_name(month, agreement.pk))


@require_GET
@login_required
def holders_template(request: AuthenticatedRequest, month: date) -> HttpResponse:
    refuse_auditors(request.user)
    holder = request.GET.get("holder", "")
    holder_ids = [int(holder)] if holder.isdigit() else None
    content = template.holders_month_template(
        actor=request.user, month=month, holder_ids=holder_ids
    )
    return file_response(content, XLSX, hours_template_name(month))
