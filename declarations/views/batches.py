"""SVB batches of a holder: exporting a month, downloading the files exactly as exported, and
the weekly totals to type into the PGB Portaal."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from pgb_admin.api.downloads import file_response
from pgb_admin.core.errors import NotFound
from pgb_admin.core.files import FORMATS
from pgb_admin.core.web import (
    SERVICE_ERRORS,
    AuthenticatedRequest,
    done,
    holder_access,
    require_write,
    show_service_error,
)

from .. import exports
from ..constants import FROZEN_STATUSES, DeclarationStatus
from ..models import BatchFile, Declaration
from ..selectors.batches import batch_file
from ..selectors.lists import batch_list
from ..services.batches import batch_export
from .declarations import MonthForm, last_month


@require_http_methods(["GET", "POST"])
@login_required
def holder_batches(request: AuthenticatedRequest, holder_id: int) -> HttpResponse:
    access = holder_access(request, holder_id, page="batches")
    form = MonthForm(request.POST or None, initial={"month": f"{last_month():%Y-%m}"})
    if request.method == "POST":
        require_write(access)
        if form.is_valid():
            try:
                batch = batch_export(
                    actor=request.user, month=form.cleaned_data["month"], holder_id=holder_id
                )
            except SERVICE_ERRORS as error:
                show_service_error(form, error)
            else:
                done(
                    request,
                    _("Batch %(batch)s is exported with %(count)d declarations.")
                    % {"batch": batch.pk, "count": batch.declaration_count},
                )
                return redirect("declarations:batches", holder_id=holder_id)
    batches = (
        batch_list(user=request.user)
        .filter(declarations__agreement__holder=access.holder)
        .distinct()
        .order_by("-created_at")
    )
    ready = (
        Declaration.objects.visible_to(request.user)
        .filter(agreement__holder=access.holder, status=DeclarationStatus.VALIDATED)
        .select_related("agreement__provider")
        .order_by("month", "agreement_id")
    )
    return render(
        request,
        "declarations/batches.html",
        {"access": access, "form": form, "batches": batches, "ready": ready},
    )


@require_GET
@login_required
def download(request: AuthenticatedRequest, batch_id: int, file_format: str) -> HttpResponse:
    if file_format not in BatchFile.Format.values:
        raise Http404
    try:
        stored = batch_file(actor=request.user, batch_id=batch_id, file_format=file_format)
    except NotFound:
        raise Http404 from None
    return file_response(
        bytes(stored.content), FORMATS[stored.format], stored.filename, stored.sha256
    )


@require_GET
@login_required
def weekly_totals(request: AuthenticatedRequest, holder_id: int, month: date) -> HttpResponse:
    access = holder_access(request, holder_id, page="weekly_totals")
    declarations = (
        Declaration.objects.visible_to(request.user)
        .filter(agreement__holder=access.holder, month=month)
        .exclude(status__in=[DeclarationStatus.REJECTED])
        .select_related("agreement__provider")
        .prefetch_related("lines")
        .order_by("agreement_id", "pk")
    )
    rows = [
        (declaration, exports.weekly_totals(declaration.lines.all()))
        for declaration in declarations
        if not _replaced(declaration, declarations)
    ]
    return render(
        request,
        "declarations/weekly_totals.html",
        {"access": access, "month": month, "rows": rows, "frozen": FROZEN_STATUSES},
    )


def _replaced(declaration, declarations) -> bool:
    """An exported declaration with an open correction: the correction is what counts."""
    return any(other.corrects_id == declaration.pk for other in declarations)
