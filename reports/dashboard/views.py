"""The holder's pages: the switcher for those who act for several holders, and the dashboard
with each grant's spend, projection and alerts, and what is due."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from declarations.selectors.due import holder_due
from pgb_admin.core.web import holder_access

from ..selectors import holder_exhaustion


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
    report = holder_exhaustion(user=request.user, holder_id=holder_id, what="dashboard")
    today = timezone.localdate()
    return render(
        request,
        "reports/dashboard.html",
        {
            "access": access,
            "grants": [{**grant, "bar": spend_bar(grant)} for grant in report.as_dict()["grants"]],
            "due": holder_due(user=request.user, holder=access.holder, today=today),
            "today": today,
            "soon": today + timedelta(days=90),
        },
    )


def spend_bar(grant: dict) -> dict:
    """The widths (percent of the grant) of the used and committed parts of a grant's bar."""
    granted = Decimal(grant["granted"] or 0)
    if granted <= 0:
        return {"used": 100, "committed": 0}
    used = min(Decimal(grant["used"] or 0) / granted * 100, Decimal(100))
    committed = min(Decimal(grant["committed"] or 0) / granted * 100, 100 - used)
    return {"used": round(used, 1), "committed": round(max(committed, Decimal(0)), 1)}
