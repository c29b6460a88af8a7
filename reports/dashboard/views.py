"""The holder's pages: the switcher for those who act for several holders, and the dashboard
with each grant's spend, projection and alerts, and what is due."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from declarations.selectors.due import holder_due
from pgb_admin.budgets.models import Budget
from pgb_admin.budgets.services import free_amount_claim_create
from pgb_admin.core.web import (
    AuthenticatedRequest,
    HolderAccess,
    holder_access,
    require_write,
    show_service_error,
)

from ..selectors import holder_exhaustion
from .forms import FreeAmountClaimForm


@require_GET
@login_required
def switch_holder(request: HttpRequest) -> HttpResponse:
    holder_id = request.GET.get("holder", "")
    if not holder_id.isdigit():
        raise Http404
    return redirect("budgets:dashboard", holder_id=int(holder_id))


@require_GET
@login_required
def dashboard(request: HttpRequest, holder_id: int) -> HttpResponse:
    access = holder_access(request, holder_id, page="dashboard")
    return _dashboard(request, access)


def _dashboard(
    request: HttpRequest, access: HolderAccess, bound: tuple[int, FreeAmountClaimForm] | None = None
) -> HttpResponse:
    report = holder_exhaustion(user=request.user, holder_id=access.holder.pk, what="dashboard")
    today = timezone.localdate()
    grants = []
    for grant in report.as_dict()["grants"]:
        form = None
        if access.can_write and grant.get("free_amount"):
            form = bound[1] if bound and bound[0] == grant["budget"] else FreeAmountClaimForm()
        grants.append({**grant, "bar": spend_bar(grant), "claim_form": form})
    return render(
        request,
        "reports/dashboard.html",
        {
            "access": access,
            "grants": grants,
            "due": holder_due(user=request.user, holder=access.holder, today=today),
            "today": today,
            "soon": today + timedelta(days=90),
        },
        status=400 if bound else 200,
    )


@require_POST
@login_required
def free_amount_claim(
    request: AuthenticatedRequest, holder_id: int, budget_id: int
) -> HttpResponse:
    """Record a claim on a grant's verantwoordingsvrij bedrag (write access only)."""
    access = holder_access(request, holder_id, page="dashboard")
    require_write(access)
    if not Budget.objects.filter(pk=budget_id, holder_id=access.holder.pk).exists():
        raise Http404
    form = FreeAmountClaimForm(request.POST)
    if form.is_valid():
        try:
            free_amount_claim_create(actor=request.user, budget_id=budget_id, **form.cleaned_data)
        except ValidationError as error:
            show_service_error(form, error)
        else:
            return redirect("budgets:dashboard", holder_id=access.holder.pk)
    return _dashboard(request, access, (budget_id, form))


def spend_bar(grant: dict) -> dict:
    """The widths (percent of the grant) of the used and committed parts of a grant's bar."""
    granted = Decimal(grant["granted"] or 0)
    if granted <= 0:
        return {"used": 100, "committed": 0}
    used = min(Decimal(grant["used"] or 0) / granted * 100, Decimal(100))
    committed = min(Decimal(grant["committed"] or 0) / granted * 100, 100 - used)
    return {"used": round(used, 1), "committed": round(max(committed, Decimal(0)), 1)}
