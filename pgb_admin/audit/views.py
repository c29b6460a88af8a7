from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from pgb_admin.core.web import holder_access

from . import selectors
from .forms import SearchForm

PAGE_SIZE = 50


@require_GET
@login_required
def holder_log(request: HttpRequest, holder_id: int) -> HttpResponse:
    """Who looked at or changed the holder's data (besides the user who asks)."""
    access = holder_access(request, holder_id, page="access_log")
    events = selectors.holder_log(user=request.user, holder_id=holder_id)
    return render(
        request,
        "audit/holder_log.html",
        {"access": access, "page": _page(request, events)},
    )


@require_GET
@login_required
def search(request: HttpRequest) -> HttpResponse:
    """The log manager's search of the whole access log."""
    if not selectors.can_search(request.user):
        raise PermissionDenied
    form = SearchForm(request.GET or None)
    page = None
    if form.is_bound and form.is_valid():
        events = selectors.search(user=request.user, **form.cleaned_data)
        page = _page(request, events)
    return render(
        request,
        "audit/search.html",
        {"form": form, "page": page, "query": _query(request)},
    )


def _page(request, events):
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page:
        event.description = selectors.describe(event)
    return page


def _query(request) -> str:
    """The search's parameters without the page, for the pager's links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
