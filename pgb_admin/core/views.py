from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from pgb_admin.budgets.selectors import holder_list

HOLDERS_PER_PAGE = 25


@login_required
def home(request: HttpRequest) -> HttpResponse:
    page = Paginator(holder_list(user=request.user), HOLDERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "core/home.html", {"page": page})


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: the app answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
