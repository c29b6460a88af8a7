"""The bureau console: every holder a bureau works for with the month's state (searched,
filtered, sorted and paged, all in GET parameters), the deadlines across them grouped by day,
and validating or exporting many holders at once as a Celery task whose progress the console
shows above the list and the browser polls (htmx; without JavaScript a reload shows the
current state)."""

import uuid
from collections.abc import Collection
from dataclasses import replace
from datetime import date
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from pgb_admin.audit.events import log_reads
from pgb_admin.audit.models import Action
from pgb_admin.budgets.models import BudgetHolder
from pgb_admin.core.models import TaskRun
from pgb_admin.core.periods import (
    month_from_text,
    next_month,
    parse_month,
    previous_month,
    validate_supported_month,
)
from pgb_admin.core.web import SERVICE_ERRORS, AuthenticatedRequest, show_service_error

from .. import tasks
from ..selectors import bureau, bureau_deadlines, bureau_list
from ..selectors.bureau_list import ListQuery, Sort

#: the task groups of the last runs started in this session (an export of several holders
#: is a task per holder, shown on one progress page)
SESSION_GROUPS = "bureau_task_groups"
GROUPS_KEPT = 20

ACTIONS = {
    "validate": ("validate", False),
    "export": ("export", False),
    "validate_all": ("validate", True),
    "export_all": ("export", True),
}


def progress_url(run: TaskRun) -> str:
    return reverse("declarations:task_progress", kwargs={"task_id": run.pk})


def console_url(month: date, query: ListQuery, **extra: str) -> str:
    """The console's address for ``month`` with the list's search, filters, order and page."""
    params = {"month": f"{month:%Y-%m}", **query.params(), **extra}
    return reverse("declarations:bureau") + "?" + urlencode(params)


class BureauRunForm(forms.Form):
    month = forms.CharField(label=gettext_lazy("Month"))
    holders = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Holders"), coerce=int, required=False
    )
    action = forms.ChoiceField(label=gettext_lazy("Action"), choices=[(a, a) for a in ACTIONS])

    def __init__(self, *args, holders: list[BudgetHolder], **kwargs):
        super().__init__(*args, **kwargs)
        holder_field = cast(forms.TypedMultipleChoiceField, self.fields["holders"])
        holder_field.choices = [(h.pk, h.display_name) for h in holders]

    def clean_month(self) -> date:
        month = month_from_text(self.cleaned_data["month"])
        if month is None:
            raise ValidationError(_("Give the month as YYYY-MM."), code="bad_month")
        validate_supported_month(month)
        return month

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        action = data.get("action")
        if action and not ACTIONS[action][1] and not data.get("holders"):
            raise ValidationError(
                _(
                    "Choose at least one holder (tick the holders in the list), or use a "
                    "button for all holders shown. Nothing was started."
                ),
                code="no_holders",
            )
        return data


def _month_from(request: AuthenticatedRequest, today: date) -> date:
    return parse_month(request.GET.get("month", "")) or bureau.default_month(today)


def _list_query(params) -> ListQuery:
    return ListQuery.from_params(params, bureau.MonthState.values)


#: the columns the list sorts by (the ``sort`` parameter without its minus)
SORTABLE = ("name", "state", "ends", "declared")


def _sort_headers(month: date, query: ListQuery) -> dict[str, dict[str, str]]:
    """Per sortable column: the link that sorts by it (again: the other way round) and its
    ``aria-sort``."""
    field, descending = query.sort.lstrip("-"), query.sort.startswith("-")
    headers = {}
    for column in SORTABLE:
        current = column == field
        sort = f"-{column}" if current and not descending else column
        headers[column] = {
            "url": console_url(month, replace(query, sort=sort, page="1")),
            "aria": ("descending" if descending else "ascending") if current else "",
        }
    return headers


def _list_links(month: date, query: ListQuery, listing, console_data) -> dict[str, Any]:
    """The console's addresses: every link keeps the list's search, filters and order (a new
    month, state or deadline group starts at the first page)."""
    no_page = query.without("page")
    page = listing.page

    def page_url(number: int) -> str:
        return console_url(month, replace(query, page=str(number)))

    return {
        "page_links": bureau_list.page_links(page, page_url),
        "previous_page_url": page_url(page.previous_page_number()) if page.has_previous() else "",
        "next_page_url": page_url(page.next_page_number()) if page.has_next() else "",
        "previous_month_url": console_url(previous_month(month), no_page),
        "next_month_url": console_url(next_month(month), no_page),
        "list_url": console_url(month, query),
        "state_urls": {
            value: console_url(month, replace(no_page, state=value))
            for value, _label, _count in listing.state_counts
        },
        "all_states_url": console_url(month, no_page.without("state")),
        "deadline_urls": {
            group.key: console_url(
                month, replace(query.without("page", "state"), deadline=group.key)
            )
            for group in console_data.deadlines
        },
        "no_deadline_url": console_url(month, no_page.without("deadline")),
        "clear_url": console_url(month, ListQuery(sort=query.sort)),
        "sort_headers": _sort_headers(month, query),
    }


def _render_console(
    request: AuthenticatedRequest,
    *,
    holders: list[BudgetHolder],
    month: date,
    query: ListQuery,
    form: BureauRunForm | None = None,
    checked: Collection[int] = frozenset(),
    task: TaskRun | None = None,
) -> HttpResponse:
    today = timezone.localdate()
    console_data = bureau.bureau_console(
        user=request.user, month=month, today=today, holders=holders
    )
    listing = bureau.console_list(console_data, query)
    # the holders whose data the page shows: those of this page of the list and those the
    # deadlines name (a bounded number, however many holders the bureau has)
    shown = {row.holder.pk for row in listing.rows} | console_data.deadline_holder_ids
    log_reads(
        user=request.user,
        action=Action.LIST,
        what="page:bureau_console",
        holder_counts=dict.fromkeys(sorted(shown), 1),
    )
    return render(
        request,
        "declarations/bureau.html",
        {
            "page": "console",
            "console": console_data,
            "listing": listing,
            "rows": listing.rows,
            "query": query,
            "month": month,
            "previous_month": previous_month(month),
            "next_month": next_month(month),
            **_list_links(month, query, listing, console_data),
            "state": query.state,
            "state_label": bureau.MonthState(query.state).label if query.state else "",
            "states": bureau.MonthState.choices,
            "sorts": Sort.choices,
            "form": form,
            "checked": checked,
            "today": today,
            "horizon_days": bureau_deadlines.GRANT_HORIZON_DAYS,
            "progress": _progress(request, task, console=(month, query)) if task else None,
        },
    )


def _require_bureau(request: AuthenticatedRequest) -> list[BudgetHolder]:
    holders = bureau.bureau_holders(request.user)
    if not holders:  # not a bureau (auditors, family, staff without a bureau mandate): 404
        raise Http404
    return holders


def _task_from(request: AuthenticatedRequest) -> TaskRun | None:
    """The task the console shows the progress of (``?task=``): one the user started."""
    try:
        task_id = uuid.UUID(request.GET.get("task", ""))
    except ValueError:
        return None
    return bureau.task_run(user=request.user, task_id=task_id)


@require_GET
@login_required
def console(request: AuthenticatedRequest) -> HttpResponse:
    holders = _require_bureau(request)
    month = _month_from(request, timezone.localdate())
    query = _list_query(request.GET)
    if query.refused_search and request.GET.get("q"):
        # a BSN was typed: not searched, and no page is shown at an address that holds it
        # (the header's language switch repeats the address)
        return redirect(console_url(month, query, refused="bsn"))
    return _render_console(
        request, holders=holders, month=month, query=query, task=_task_from(request)
    )


@require_POST
@login_required
def run(request: AuthenticatedRequest) -> HttpResponse:
    """Validate or export the month of the chosen holders, or of all the holders the list
    shows (its search and filters, every page), then show the console again with the task's
    progress above the list (post/redirect/get)."""
    holders = _require_bureau(request)
    form = BureauRunForm(request.POST, holders=holders)
    today = timezone.localdate()
    checked = {int(pk) for pk in request.POST.getlist("holders") if pk.isdigit()}
    query = _list_query(request.POST)
    if not form.is_valid():
        month = parse_month(request.POST.get("month", "")) or bureau.default_month(today)
        return _render_console(
            request, holders=holders, month=month, query=query, form=form, checked=checked
        )
    month = form.cleaned_data["month"]
    what, everyone = ACTIONS[form.cleaned_data["action"]]
    if everyone:
        console_data = bureau.bureau_console(
            user=request.user, month=month, today=today, holders=holders
        )
        holder_ids = [row.holder.pk for row in bureau.console_list(console_data, query).matching]
    else:
        holder_ids = form.cleaned_data["holders"]
    runs: list[tuple[TaskRun, int | None]]
    try:
        if what == "validate":
            task = tasks.start_bureau_validation(
                actor=request.user, month=month, holder_ids=holder_ids
            )
            runs = [(task, None)]
        else:
            started = tasks.start_bureau_export(
                actor=request.user, month=month, holder_ids=holder_ids
            )
            runs = started.runs
            if started.left_out:
                messages.info(
                    request,
                    ngettext(
                        "%(count)d chosen holder has nothing ready for export; it was left out.",
                        "%(count)d chosen holders have nothing ready for export; they were left "
                        "out.",
                        started.left_out,
                    )
                    % {"count": started.left_out},
                )
    except SERVICE_ERRORS as error:
        show_service_error(form, error)
        return _render_console(
            request, holders=holders, month=month, query=query, form=form, checked=checked
        )
    _remember_group(request, runs, month)
    return redirect(console_url(month, query, task=str(runs[0][0].pk)) + "#task-progress")


def _remember_group(request: AuthenticatedRequest, runs, month: date) -> None:
    groups = request.session.get(SESSION_GROUPS, {})
    groups[str(runs[0][0].pk)] = {
        "month": f"{month:%Y-%m}",
        "runs": [[str(task.pk), holder_id] for task, holder_id in runs],
    }
    request.session[SESSION_GROUPS] = dict(list(groups.items())[-GROUPS_KEPT:])


# --- progress --------------------------------------------------------------------------------

KIND_TITLES = {
    "validate": gettext_lazy("Validating declarations"),
    "export": gettext_lazy("Making the entry aids and declarations"),
}


def _progress(
    request: AuthenticatedRequest, run: TaskRun, *, console: tuple[date, ListQuery] | None = None
) -> dict:
    """What the progress page shows: the task (and, for an export of several holders, the
    other tasks started with it, remembered in the session), how far it is and, when
    finished, its results. ``console``: shown in the console (its month and list), above the
    list; its polls carry them, so the fragment's links lead back to the same list."""
    group = request.session.get(SESSION_GROUPS, {}).get(str(run.pk), {})
    holder_of = dict(group.get("runs", []))
    url = refresh_url = progress_url(run)
    if console is not None:
        month, query = console
        url += "?" + urlencode({"embedded": "1", "month": f"{month:%Y-%m}", **query.params()})
        refresh_url = console_url(month, query, task=str(run.pk)) + "#task-progress"
    return {
        **bureau.task_progress(user=request.user, run=run, holder_of=holder_of),
        "title": KIND_TITLES.get(run.kind, _("Background task")),
        "url": url,
        "refresh_url": refresh_url,
        "embedded": console is not None,
        "month": parse_month(group.get("month", "")),
        # without a broker the task ran in the request that started it (CELERY_TASK_ALWAYS_EAGER)
        "ran_at_once": bool(settings.CELERY_TASK_ALWAYS_EAGER),
    }


@require_GET
@login_required
def progress(request: AuthenticatedRequest, task_id) -> HttpResponse:
    """A task's progress: only for who started it (and staff), others get a 404. An htmx
    request (``HX-Request``) gets the fragment it swaps in; a browser the whole page."""
    run = bureau.task_run(user=request.user, task_id=task_id)
    if run is None:
        raise Http404
    console = None
    if request.GET.get("embedded") == "1":
        month = _month_from(request, timezone.localdate())
        console = (month, _list_query(request.GET))
    context = {"progress": _progress(request, run, console=console)}
    if request.headers.get("HX-Request") == "true":
        response = render(request, "declarations/task_progress.html", context)
    else:
        response = render(request, "declarations/bureau.html", {"page": "progress", **context})
    patch_vary_headers(response, ["HX-Request"])
    return response
