from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views import defaults
from django.views.decorators.http import require_GET

from pgb_admin.accounts.constants import MandateRole
from pgb_admin.accounts.scoping import (
    audited_funder_ids,
    is_provider,
    represented_holder_ids,
    sees_everything,
)
from pgb_admin.api.problems import problem
from pgb_admin.audit.events import log_reads
from pgb_admin.audit.models import Action
from pgb_admin.budgets.models import Funder
from pgb_admin.budgets.selectors import holder_list

HOLDERS_PER_PAGE = 25


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The holders the user may see. Someone who sees one holder only and works for no one
    else (not an auditor, a pgb bureau or the back office, who start from their workspace)
    goes straight to that holder's dashboard."""
    page = Paginator(holder_list(user=request.user), HOLDERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context: dict[str, Any] = {"page": page}
    if page.paginator.count == 0 and is_provider(request.user):
        return redirect("providers:home")  # a care provider's login (issue 19)
    if page.paginator.count == 1 and not sees_everything(request.user):
        workspaces = _workspaces(request.user)
        if not any(workspaces.values()):
            return redirect("budgets:dashboard", holder_id=page.object_list[0].pk)
        context.update(workspaces)  # read once: the header asks the same
    log_reads(
        user=request.user,
        action=Action.LIST,
        what="page:home",
        holder_counts={holder.pk: 1 for holder in page},
    )
    return render(request, "core/home.html", context)


def _workspaces(user) -> dict[str, Any]:
    """Whether the user works at a pgb bureau and which funders they audit, as the header's
    context (:mod:`pgb_admin.core.context_processors`) names them."""
    return {
        "nav_is_bureau": represented_holder_ids(user, roles=[MandateRole.BUREAU]).exists(),
        "nav_audited_funders": list(
            Funder.objects.filter(pk__in=audited_funder_ids(user)).order_by("name")
        ),
    }


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: the app answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return problem(status=404, code="not_found", instance=request.path)
    return defaults.page_not_found(request, exception)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    if _is_api(request):
        return problem(status=403, code="permission_denied", instance=request.path)
    return defaults.permission_denied(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return problem(status=500, code="server_error", instance=request.path)
    return defaults.server_error(request)
