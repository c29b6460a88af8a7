"""The access log's pages: a holder's "who looked" (filtered by period and kind of reader) and
the log manager's search (also by a holder's name). Both paged, 50 entries a page; an auditor
is shown by the funders they audit, not by user name; the number of queries does not grow with
the entries shown."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from pgb_admin.core.web import holder_access

from . import selectors
from .forms import HolderLogForm, SearchPageForm

PAGE_SIZE = 50


@require_GET
@login_required
def holder_log(request: HttpRequest, holder_id: int) -> HttpResponse:
    """Who looked at or changed the holder's data (besides the user who asks)."""
    access = holder_access(request, holder_id, page="access_log")
    form = HolderLogForm(request.GET if _filters(request) else None)
    page = None
    if not form.is_bound or form.is_valid():
        filters = form.cleaned_data if form.is_bound else {}
        events = selectors.holder_log(user=request.user, holder_id=holder_id, **filters)
        page = _page(request, events, holder_names=False)
    return render(
        request,
        "audit/holder_log.html",
        {"access": access, "form": form, "page": page, "filtered": form.is_bound},
    )


@require_GET
@login_required
def search(request: HttpRequest) -> HttpResponse:
    """The log manager's search of the whole access log."""
    if not selectors.can_search(request.user):
        raise PermissionDenied
    form = SearchPageForm(request.GET if _filters(request) else None)
    page = None
    if form.is_bound and form.is_valid():
        events = selectors.search(user=request.user, **form.cleaned_data)
        page = _page(request, events, holder_names=True)
    return render(request, "audit/search.html", {"form": form, "page": page})


def _filters(request: HttpRequest) -> bool:
    """Whether the request asks for anything but a page."""
    return any(key != "page" for key in request.GET)


def _page(request: HttpRequest, events, *, holder_names: bool):
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_words(list(page.object_list), holder_names=holder_names)
    return page
