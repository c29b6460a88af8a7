"""The bureau console: every holder a bureau works for with the month's state, the deadlines
across them, and validating or exporting many holders at once as a Celery task whose progress
page the browser polls (htmx; without JavaScript a reload shows the current state)."""

from collections.abc import Collection
from datetime import date
from typing import Any, cast

from django import forms
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
from ..selectors import bureau

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


class BureauRunForm(forms.Form):
    month = forms.CharField(label=gettext_lazy("Month"))
    holders = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Holders"), coerce=int, required=False
    )
    action = forms.ChoiceField(label=gettext_lazy("Action"), choices=[(a, a) for a in ACTIONS])
    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        required=False,
        choices=[("", ""), *bureau.MonthState.choices],
    )

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
                    "Choose at least one holder (tick the holders in the table), or use a "
                    "button for all holders. Nothing was started."
                ),
                code="no_holders",
            )
        return data


def _month_from(request: AuthenticatedRequest, today: date) -> date:
    return parse_month(request.GET.get("month", "")) or bureau.default_month(today)


def _state_from(value: str) -> str:
    return value if value in bureau.MonthState.values else ""


def _render_console(
    request: AuthenticatedRequest,
    *,
    holders: list[BudgetHolder],
    month: date,
    state: str,
    form: BureauRunForm | None = None,
    checked: Collection[int] = frozenset(),
) -> HttpResponse:
    today = timezone.localdate()
    console_data = bureau.bureau_console(
        user=request.user, month=month, today=today, holders=holders
    )
    rows = [row for row in console_data.rows if not state or row.state == state]
    return render(
        request,
        "declarations/bureau.html",
        {
            "page": "console",
            "console": console_data,
            "rows": rows,
            "month": month,
            "previous_month": previous_month(month),
            "next_month": next_month(month),
            "state": state,
            "state_label": bureau.MonthState(state).label if state else "",
            "states": bureau.MonthState.choices,
            "form": form,
            "checked": checked,
            "today": today,
            "horizon_days": bureau.GRANT_HORIZON_DAYS,
        },
    )


def _require_bureau(request: AuthenticatedRequest) -> list[BudgetHolder]:
    holders = bureau.bureau_holders(request.user)
    if not holders:  # not a bureau (auditors, family, staff without a bureau mandate): 404
        raise Http404
    return holders


@require_GET
@login_required
def console(request: AuthenticatedRequest) -> HttpResponse:
    holders = _require_bureau(request)
    month = _month_from(request, timezone.localdate())
    log_reads(
        user=request.user,
        action=Action.LIST,
        what="page:bureau_console",
        holder_counts={holder.pk: 1 for holder in holders},
    )
    return _render_console(
        request, holders=holders, month=month, state=_state_from(request.GET.get("state", ""))
    )


@require_POST
@login_required
def run(request: AuthenticatedRequest) -> HttpResponse:
    """Validate or export the month of the chosen holders, then show the task's progress
    (post/redirect/get)."""
    holders = _require_bureau(request)
    form = BureauRunForm(request.POST, holders=holders)
    today = timezone.localdate()
    checked = {int(pk) for pk in request.POST.getlist("holders") if pk.isdigit()}
    state = _state_from(request.POST.get("state", ""))
    if not form.is_valid():
        month = parse_month(request.POST.get("month", "")) or bureau.default_month(today)
        return _render_console(
            request, holders=holders, month=month, state=state, form=form, checked=checked
        )
    month = form.cleaned_data["month"]
    what, everyone = ACTIONS[form.cleaned_data["action"]]
    if everyone:
        rows = bureau.holder_months(user=request.user, month=month, holders=holders)
        holder_ids = [row.holder.pk for row in rows if not state or row.state == state]
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
            request, holders=holders, month=month, state=state, form=form, checked=checked
        )
    _remember_group(request, runs, month)
    return redirect(progress_url(runs[0][0]))


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


def _progress(request: AuthenticatedRequest, run: TaskRun) -> dict:
    """What the progress page shows: the task (and, for an export of several holders, the
    other tasks started with it, remembered in the session), how far it is and, when
    finished, its results."""
    group = request.session.get(SESSION_GROUPS, {}).get(str(run.pk), {})
    holder_of = dict(group.get("runs", []))
    return {
        **bureau.task_progress(user=request.user, run=run, holder_of=holder_of),
        "title": KIND_TITLES.get(run.kind, _("Background task")),
        "url": progress_url(run),
        "month": parse_month(group.get("month", "")),
    }


@require_GET
@login_required
def progress(request: AuthenticatedRequest, task_id) -> HttpResponse:
    """A task's progress: only for who started it (and staff), others get a 404. An htmx
    request (``HX-Request``) gets the fragment it swaps in; a browser the whole page."""
    run = bureau.task_run(user=request.user, task_id=task_id)
    if run is None:
        raise Http404
    context = {"progress": _progress(request, run)}
    if request.headers.get("HX-Request") == "true":
        response = render(request, "declarations/task_progress.html", context)
    else:
        response = render(request, "declarations/bureau.html", {"page": "progress", **context})
    patch_vary_headers(response, ["HX-Request"])
    return response
