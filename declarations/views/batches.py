"""A holder's entry aids and declarations: exporting a month (an export per channel: the PGB
Portaal entry aid for what the SVB pays, the insurer declaration for a Zvw pgb the insurer
pays), the printable page of an export, downloading its files exactly as exported, the weekly
totals to type into the PGB Portaal, and recording on a declaration, or on the declarations of
an export at once, what the user did with it and what came back. pgb-admin sends nothing to the
SVB or an insurer: neither takes a file."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pgb_admin.api.downloads import file_response
from pgb_admin.budgets.constants import Channel
from pgb_admin.core.dates import format_month
from pgb_admin.core.errors import NotFound
from pgb_admin.core.files import FORMATS
from pgb_admin.core.web import (
    SERVICE_ERRORS,
    AuthenticatedRequest,
    HolderAccess,
    done,
    holder_access,
    require_write,
    show_service_error,
)

from .. import exports
from ..constants import FROZEN_STATUSES, DeclarationStatus
from ..models import BatchFile, Declaration
from ..selectors.batches import (
    batch_content,
    batch_file,
    batch_for_page,
    channel_q,
    channel_title,
    with_channel,
)
from ..selectors.lists import batch_list
from ..services import declarations as declaration_services
from ..services.batches import month_export
from ..services.records import declarations_record
from .batch_records import STATUS_TONES, ExportRecordForm, exports_on_page
from .declarations import MonthForm, _declaration, _detail_context, last_month
from .record_forms import record_form


@require_http_methods(["GET", "POST"])
@login_required
def holder_batches(request: AuthenticatedRequest, holder_id: int) -> HttpResponse:
    access = holder_access(request, holder_id, page="batches")
    form = MonthForm(request.POST or None, initial={"month": f"{last_month():%Y-%m}"})
    if request.method == "POST":
        require_write(access)
        if form.is_valid():
            try:
                made = month_export(
                    actor=request.user, month=form.cleaned_data["month"], holder_id=holder_id
                )
            except SERVICE_ERRORS as error:
                show_service_error(form, error)
            else:
                for batch in made:
                    done(
                        request,
                        _("%(what)s of %(month)s is made with %(count)d declarations.")
                        % {
                            "what": channel_title(batch.channel),
                            "month": format_month(batch.period),
                            "count": batch.declaration_count,
                        },
                    )
                return redirect("declarations:batches", holder_id=holder_id)
    return _batches_page(request, access, form)


def _batches_page(
    request: AuthenticatedRequest,
    access: HolderAccess,
    form: MonthForm,
    failed: ExportRecordForm | None = None,
) -> HttpResponse:
    """The page; ``failed``: an export's record form that was refused (a 400 with its
    errors, the export's record open)."""
    batches = list(
        batch_list(user=request.user)
        .filter(declarations__agreement__holder=access.holder)
        .distinct()
        .order_by("-created_at")
    )
    ready = (
        with_channel(Declaration.objects.visible_to(request.user))
        .filter(agreement__holder=access.holder, status=DeclarationStatus.VALIDATED)
        .select_related("agreement__provider")
        .order_by("month", "agreement_id")
    )
    exports = exports_on_page(
        user=request.user,
        holder=access.holder,
        batches=batches,
        can_write=access.can_write,
        failed=failed,
    )
    context = {
        "access": access,
        "form": form,
        "exports": exports,
        "ready": ready,
        "status_tones": STATUS_TONES,
    }
    status = 400 if failed is not None else 200
    return render(request, "declarations/batches.html", context, status=status)


@require_POST
@login_required
def record_export(request: AuthenticatedRequest, holder_id: int, batch_id: int) -> HttpResponse:
    """Record for the ticked declarations of one export what the user did or what came back,
    through the same services as the declaration page and the API. A read-only user gets a
    403; an export not of this holder, or with nothing left to record, a 404."""
    access = holder_access(request, holder_id, page="batches")
    require_write(access)
    batch = (
        batch_list(user=request.user)
        .filter(pk=batch_id, declarations__agreement__holder=access.holder)
        .first()
    )
    if batch is None:
        raise Http404
    (export,) = exports_on_page(
        user=request.user, holder=access.holder, batches=[batch], can_write=True
    )
    if not export.to_record:
        raise Http404
    form = ExportRecordForm(request.POST, batch=batch, declarations=export.to_record)
    if form.is_valid():
        data = form.cleaned_data
        try:
            recorded = declarations_record(
                actor=request.user,
                declaration_ids=data["declarations"],
                outcome=data["outcome"],
                on=data["on"],
                evidence=data["evidence"],
                rejection_reason=data["rejection_reason"],
            )
        except SERVICE_ERRORS as error:
            show_service_error(form, error)
        else:
            done(
                request,
                ngettext(
                    "Recorded for %(count)d declaration.",
                    "Recorded for %(count)d declarations.",
                    len(recorded),
                )
                % {"count": len(recorded)},
            )
            url = reverse("declarations:batches", args=[access.holder_id])
            return redirect(f"{url}#export-{batch.pk}")
    month_form = MonthForm(initial={"month": f"{last_month():%Y-%m}"})
    return _batches_page(request, access, month_form, failed=form)


@require_GET
@login_required
def export_page(request: AuthenticatedRequest, batch_id: int) -> HttpResponse:
    """The printable page of an export: the PGB Portaal entry aid (a page per agreement, in
    the Portaal's order) or the insurer declaration. 404 for who may not see the export."""
    try:
        batch = batch_for_page(actor=request.user, batch_id=batch_id)
    except NotFound:
        raise Http404 from None
    content = batch_content(batch)
    template = (
        "declarations/insurer_declaration.html"
        if batch.channel == Channel.INSURER
        else "declarations/entry_aid.html"
    )
    return render(
        request,
        template,
        {
            "batch": batch,
            "content": content,
            "title": channel_title(batch.channel),
            "pages": exports.entry_aid_pages(content),
        },
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
    """The care per week of the month's declarations through the SVB (those the insurer pays
    are declared to the insurer, not in the PGB Portaal)."""
    access = holder_access(request, holder_id, page="weekly_totals")
    declarations = (
        Declaration.objects.visible_to(request.user)
        .filter(channel_q(Channel.SVB), agreement__holder=access.holder, month=month)
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


@require_POST
@login_required
def record(request: AuthenticatedRequest, declaration_id: int) -> HttpResponse:
    """Record on an exported declaration what the user did (declared it) and what came back
    (paid, rejected), with the date and the evidence: through the same services as the API's
    ``submit`` and ``settle``, so the provenance is the same."""
    declaration, access = _declaration(request, declaration_id, "declaration")
    require_write(access)
    form = record_form(declaration, request.POST)
    if form is None:
        raise Http404
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["outcome"] == DeclarationStatus.SUBMITTED:
                declaration_services.declaration_submit(
                    actor=request.user, declaration_id=declaration.pk, on=data["on"]
                )
            else:
                declaration_services.declaration_settle(
                    actor=request.user,
                    declaration_id=declaration.pk,
                    paid=data["outcome"] == DeclarationStatus.PAID,
                    evidence=data["evidence"],
                    rejection_reason=data["rejection_reason"],
                    on=data["on"],
                )
        except SERVICE_ERRORS as error:
            show_service_error(form, error)
        else:
            done(request, _("Recorded."))
            return redirect("declarations:detail", declaration_id=declaration.pk)
    context = _detail_context(declaration, access, record=form)
    return render(request, "declarations/detail.html", context, status=400)
