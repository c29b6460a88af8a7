"""The reconciliation pages: upload an overview or type one in, the work list of differences
(a bureau's across its holders, filtered, a page at a time) and resolving one."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from declarations.selectors.uploads import ImportRefused, max_upload_bytes
from pgb_admin.accounts.scoping import ReadOnlyAccess, refuse_auditors
from pgb_admin.audit.events import log_page_read, log_reads
from pgb_admin.audit.models import Action
from pgb_admin.budgets.models import BudgetHolder
from pgb_admin.core.web import (
    SERVICE_ERRORS,
    AuthenticatedRequest,
    done,
    show_service_error,
)

from . import selectors, services
from .columns import BUDGET_COLUMNS, PAYMENT_COLUMNS
from .constants import OverviewKind
from .forms import ROWS_OF_KIND, EnterHeaderForm, FilterForm, ResolveForm, UploadForm
from .services import OverviewResult

PAGE_SIZE = 25


@require_GET
@login_required
def difference_list(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    data = request.GET.copy()
    if "resolution" not in data:
        data["resolution"] = "open"  # the work list: what is still to do
    form = FilterForm(data, holders=selectors.holder_choices(user=user, editable=False))
    filters = form.cleaned_data if form.is_valid() else {"resolution": "open"}
    holder = filters.get("holder")
    differences = selectors.difference_list(
        user=user,
        holder=holder.pk if holder else None,
        kind=filters.get("kind", ""),
        resolution=filters.get("resolution", ""),
        channel=filters.get("channel", ""),
    )
    page = Paginator(differences, PAGE_SIZE).get_page(request.GET.get("page"))
    counts: dict[int | None, int] = {}
    for difference in page:
        counts[difference.holder_id] = counts.get(difference.holder_id, 0) + 1
    log_reads(user=user, action=Action.LIST, what="page:differences", holder_counts=counts)
    return render(
        request,
        "reports/reconciliation/differences.html",
        {"form": form, "page": page, "can_upload": _can_upload(user)},
    )


@require_http_methods(["GET", "POST"])
@login_required
def difference_detail(request: AuthenticatedRequest, difference_id: int) -> HttpResponse:
    user = request.user
    difference = selectors.difference_get(user=user, difference_id=difference_id)
    log_page_read(user=user, what="page:difference", holder_id=difference.holder_id)
    form = ResolveForm(
        request.POST or None,
        initial={"resolution": difference.resolution, "note": difference.resolution_note},
    )
    if request.method == "POST":
        refuse_auditors(user)
        if form.is_valid():
            try:
                services.difference_resolve(
                    actor=user,
                    difference_id=difference.pk,
                    resolution=form.cleaned_data["resolution"],
                    note=form.cleaned_data["note"],
                )
            except SERVICE_ERRORS as error:
                show_service_error(form, error)
            else:
                done(request, _("The resolution is saved."))
                return redirect(f"{reverse('reports:differences')}?holder={difference.holder_id}")
    can_write = selectors.holder_choices(user=user, editable=True).filter(pk=difference.holder_id)
    return render(
        request,
        "reports/reconciliation/difference.html",
        {"difference": difference, "form": form, "can_write": can_write.exists()},
    )


@require_http_methods(["GET", "POST"])
@login_required
def overview_upload(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = UploadForm(request.POST or None, request.FILES or None, holders=_acting_for(user))
    context = {"form": form, "payment_columns": PAYMENT_COLUMNS, "budget_columns": BUDGET_COLUMNS}
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            result = services.overview_upload(
                actor=user,
                holder_id=form.cleaned_data["holder"].pk,
                kind=form.cleaned_data["kind"],
                filename=uploaded.name,
                content=uploaded.read(max_upload_bytes() + 1),
            )
        except ImportRefused as refused:
            context["problems"] = refused.problems
        else:
            return _after(request, result)
    return render(request, "reports/reconciliation/upload.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def overview_enter(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    user = request.user
    holders = _acting_for(user)
    if kind not in OverviewKind.values:
        raise Http404
    header = EnterHeaderForm(request.POST or None, holders=holders)
    rows = ROWS_OF_KIND[OverviewKind(kind)](request.POST or None, prefix="rows")
    context = {"header": header, "rows": rows, "kind": OverviewKind(kind)}
    if request.method == "POST" and header.is_valid() and rows.is_valid():
        filled = [row for row in rows.cleaned_data if row]
        if not filled:
            header.add_error(None, _("Fill in at least one row."))
        else:
            try:
                result = services.overview_enter(
                    actor=user, holder_id=header.cleaned_data["holder"].pk, kind=kind, rows=filled
                )
            except ImportRefused as refused:
                context["problems"] = refused.problems
            else:
                return _after(request, result)
    return render(request, "reports/reconciliation/enter.html", context)


def _after(request: AuthenticatedRequest, result: OverviewResult) -> HttpResponse:
    if result.created:
        done(
            request,
            _("The overview is stored: %(count)s outcomes found or updated.")
            % {"count": result.changed},
        )
    else:
        done(request, _("This overview was uploaded before; nothing changed."))
    url = reverse("reports:differences")
    return redirect(f"{url}?holder={result.overview.holder_id}")


def _acting_for(user) -> QuerySet[BudgetHolder]:
    """The holders the user may upload an overview for; 403 when none (an auditor, family
    who may only look, someone without a mandate)."""
    refuse_auditors(user)
    holders = selectors.holder_choices(user=user, editable=True)
    if not holders.exists():
        raise ReadOnlyAccess
    return holders


def _can_upload(user) -> bool:
    return selectors.holder_choices(user=user, editable=True).exists()
