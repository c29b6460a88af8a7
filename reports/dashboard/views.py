"""The holder's pages: the switcher for those who act for several holders, and the dashboard
with each grant's spend, projection and alerts, and what is due."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from declarations.selectors.due import holder_due
from declarations.selectors.provider_months import months_waiting_for_review
from declarations.selectors.weeks import weeks_without_hours
from pgb_admin.audit.trail import holder_breadcrumbs
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
from .cards import grant_card
from .forms import FreeAmountClaimForm
from .todo import holder_tasks, review_tasks


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
    report_grants = report.as_dict()["grants"]
    funder_names = dict(
        Budget.objects.filter(pk__in=[grant["budget"] for grant in report_grants]).values_list(
            "pk", "funder__name"
        )
    )
    grants = []
    for grant in report_grants:
        form = None
        if access.can_write and grant.get("free_amount"):
            form = bound[1] if bound and bound[0] == grant["budget"] else FreeAmountClaimForm()
        card = grant_card(
            grant,
            holder_id=access.holder_id,
            funder_name=funder_names.get(grant["budget"], ""),
            today=today,
        )
        grants.append({**card, "claim_form": form})
    tasks, weeks = [], None
    if access.can_write:
        due = holder_due(user=request.user, holder=access.holder, today=today)
        weeks = weeks_without_hours(user=request.user, holder_id=access.holder_id, today=today)
        tasks = holder_tasks(holder_id=access.holder_id, due=due, weeks=weeks, today=today)
        waiting = months_waiting_for_review(user=request.user).filter(
            agreement__holder_id=access.holder_id
        )
        tasks = review_tasks(waiting, today) + tasks
    return render(
        request,
        "reports/dashboard.html",
        {
            "access": access,
            "breadcrumbs": holder_breadcrumbs(request, access),
            "grants": grants,
            "tasks": tasks,
            "enters_hours": weeks is not None and weeks.runs_this_week,
            "today": today,
            "statement_years": (today.year, today.year - 1),
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
