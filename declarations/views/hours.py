"""The month of one agreement: the hour grid (a day list on a phone, a grid on a desktop) to
review and correct, filling weeks from a pattern (a preview first, an undo after), and the
costs beside the care. Hours are entered a week at a time on the week page (:mod:`.week`)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from contracts.models import AgreementVersion, CareAgreement
from contracts.selectors import version_on, version_shown
from pgb_admin.accounts.scoping import get_visible
from pgb_admin.core.dates import weekday_long
from pgb_admin.core.periods import (
    days_of_month,
    month_end,
    month_start,
    next_month,
    previous_month,
    validate_supported_date,
)
from pgb_admin.core.web import (
    SERVICE_ERRORS,
    AuthenticatedRequest,
    done,
    holder_access,
    refused,
    require_write,
    show_service_error,
)
from pgb_admin.figures.constants import RateUnit

from ..constants import ExpenseKind
from ..models import Expense, TimeEntry
from ..selectors.months import month_is_locked, open_declaration
from ..selectors.weeks import monday_of, week_title
from ..services import hours as hour_services
from .week import total_in_words, unit_name

WEEKDAYS = (
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
)


@dataclass
class Day:
    day: date
    field: forms.BoundField | None  # None: the agreement does not run that day
    version: AgreementVersion | None
    entries: list[TimeEntry]

    @property
    def week(self) -> int:
        return self.day.isocalendar()[1]

    @property
    def weekend(self) -> bool:
        return self.day.weekday() >= 5


def _agreement_month(request, agreement_id: int, page: str):
    agreement = get_visible(
        CareAgreement.objects.select_related("provider", "holder"),
        request.user,
        pk=agreement_id,
    )
    access = holder_access(request, agreement.holder_id, page=page)
    versions = list(agreement.versions.select_related("product").order_by("valid_from"))
    return agreement, access, versions


def _field_name(day: date) -> str:
    return f"day_{day.day:02d}"


class MonthForm(forms.Form):
    """One field per day; empty means no care that day. Only the days the agreement runs are
    shown (``shown``): a value sent for another day (from a page the agreement changed under)
    goes to the service like any other, which refuses it."""

    def __init__(self, *args, month: date, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.month = month
        self.shown = set()
        for day in days_of_month(month):
            if version_on(versions, day) is not None:
                self.shown.add(_field_name(day))
            self.fields[_field_name(day)] = forms.CharField(
                label=f"{WEEKDAYS[day.weekday()]} {day.day}",
                required=False,
                max_length=12,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
            )


class PatternForm(forms.Form):
    """Fill weeks from the care of a usual week: which weeks, how much on which weekday, and
    whether to skip public holidays and to overwrite days that have care logged."""

    weeks = forms.MultipleChoiceField(
        label=gettext_lazy("Which weeks?"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one week.")},
    )
    skip_holidays = forms.BooleanField(
        label=gettext_lazy("Skip public holidays"), required=False, initial=True
    )
    replace = forms.BooleanField(
        label=gettext_lazy("Overwrite days that already have care logged"), required=False
    )

    def __init__(self, *args, weeks: list[date], **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["weeks"]).choices = [
            (monday.isoformat(), week_title(monday, with_year=False)) for monday in weeks
        ]
        self.initial.setdefault("weeks", [monday.isoformat() for monday in weeks])
        for weekday, name in enumerate(WEEKDAYS):
            self.fields[f"weekday_{weekday}"] = forms.CharField(
                label=name,
                required=False,
                max_length=12,
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal", "autocomplete": "off", "size": 4}
                ),
            )

    def pattern(self) -> dict[int, str]:
        return {
            weekday: self.cleaned_data[f"weekday_{weekday}"]
            for weekday in range(7)
            if self.cleaned_data[f"weekday_{weekday}"]
        }

    def mondays(self) -> list[date]:
        return sorted(date.fromisoformat(monday) for monday in self.cleaned_data["weeks"])

    def signature(self) -> str:
        """What was asked, to see whether the fill is the one just previewed."""
        pattern = ";".join(f"{day}={value.strip()}" for day, value in self.pattern().items())
        weeks = ",".join(monday.isoformat() for monday in self.mondays())
        flags = f"{int(self.cleaned_data['skip_holidays'])}{int(self.cleaned_data['replace'])}"
        return f"{weeks}|{pattern}|{flags}"


def _offered_weeks(month: date) -> list[date]:
    """The weeks (their Mondays) that share a day with the month and have begun."""
    today = timezone.localdate()
    monday = monday_of(month)
    weeks = []
    while monday <= month_end(month) and monday <= today:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def _entries_by_day(agreement, month: date) -> dict[date, list[TimeEntry]]:
    by_day: dict[date, list[TimeEntry]] = {}
    for entry in TimeEntry.objects.filter(
        agreement=agreement, care_date__range=(month, month_end(month))
    ).order_by("care_date", "start_time"):
        by_day.setdefault(entry.care_date, []).append(entry)
    return by_day


def _initial(by_day) -> dict[str, str]:
    return {
        _field_name(day): str(sum((entry.quantity for entry in entries), Decimal(0)).normalize())
        for day, entries in by_day.items()
    }


def _rows_from(form: MonthForm, by_day) -> tuple[list[dict], list[str]]:
    """The month's entries as the grid says, and for each the field it came from. A day with
    time slots that the user left as it was keeps its slots."""
    rows, fields = [], []
    initial = _initial(by_day)
    for name in form.fields:
        value = form.cleaned_data.get(name, "").strip()
        day = form.month.replace(day=int(name.removeprefix("day_")))
        slots = [entry for entry in by_day.get(day, []) if entry.start_time is not None]
        if slots and value == initial.get(name):
            for entry in by_day[day]:
                rows.append(_row_of(entry))
                fields.append(name)
            continue
        if value:
            rows.append({"care_date": day, "quantity": value})
            fields.append(name)
    return rows, fields


def _row_of(entry: TimeEntry) -> dict:
    if entry.start_time is not None:
        return {
            "care_date": entry.care_date,
            "start_time": entry.start_time,
            "end_time": entry.end_time,
            "note": entry.note,
        }
    return {"care_date": entry.care_date, "quantity": entry.quantity, "note": entry.note}


def _show_row_errors(form: MonthForm, error, fields: list[str]) -> None:
    """``entries[3].quantity`` → the error next to the day field it came from."""
    if not hasattr(error, "error_dict"):
        show_service_error(form, error)
        return
    for key, field_errors in error.error_dict.items():
        if key.startswith("entries[") and "]" in key:
            index = int(key[len("entries[") : key.index("]")])
            form.add_error(fields[index] if fields[index] in form.shown else None, field_errors)
        else:
            form.add_error(None, field_errors)


@require_http_methods(["GET", "POST"])
@login_required
def month_grid(request: AuthenticatedRequest, agreement_id: int, month: date) -> HttpResponse:
    agreement, access, versions = _agreement_month(request, agreement_id, "hours")
    by_day = _entries_by_day(agreement, month)
    locked = month_is_locked(agreement.pk, month)
    form = MonthForm(request.POST or None, month=month, versions=versions, initial=_initial(by_day))
    if request.method == "POST":
        require_write(access)
        if form.is_valid():
            rows, fields = _rows_from(form, by_day)
            try:
                hour_services.time_entries_set_month(
                    actor=request.user, agreement_id=agreement.pk, month=month, entries=rows
                )
            except SERVICE_ERRORS as error:
                _show_row_errors(form, error, fields)
            else:
                done(request, _("The hours of the month are saved."))
                return redirect("declarations:hours", agreement_id=agreement.pk, month=month)
    context = _grid_context(access, agreement, versions, month, form, by_day, locked)
    context["last_fill"] = _last_fill(request, agreement.pk)
    return render(request, "declarations/hours.html", context)


def _grid_context(access, agreement, versions, month, form, by_day, locked):
    days = [
        Day(
            day=day,
            field=form[_field_name(day)] if _field_name(day) in form.shown else None,
            version=version_on(versions, day),
            entries=by_day.get(day, []),
        )
        for day in days_of_month(month)
    ]
    weeks: dict[int, dict] = {}
    for day in days:
        week = weeks.setdefault(
            day.week,
            {"week": day.week, "monday": monday_of(day.day), "days": [], "limit": None},
        )
        week["days"].append(day)
        if day.version is not None and day.version.hours_per_week is not None:
            week["limit"] = day.version.hours_per_week
        week["total"] = sum(
            (entry.quantity for d in week["days"] for entry in d.entries), Decimal(0)
        )
    today = timezone.localdate()
    in_month = month <= today <= month_end(month)
    return {
        **_month_links(month),
        "access": access,
        "agreement": agreement,
        "version": version_shown(versions, month_end(month)),
        "form": form,
        "weeks": list(weeks.values()),
        "week_link": monday_of(today if in_month else month),
        "month_total": sum((e.quantity for es in by_day.values() for e in es), Decimal(0)),
        "locked": locked,
        "editable": access.can_write and not locked,
        "declaration": open_declaration(agreement.pk, month),
    }


def _month_links(month: date) -> dict:
    return {
        "month": month,
        "previous_month": previous_month(month),
        "next_month": next_month(month),
    }


#: the session's last fill, for its undo
LAST_FILL = "declarations:last_fill"


def _last_fill(request, agreement_id: int) -> dict | None:
    record = request.session.get(LAST_FILL)
    return record if record and record.get("agreement_id") == agreement_id else None


@require_http_methods(["GET", "POST"])
@login_required
def fill(request: AuthenticatedRequest, agreement_id: int, month: date) -> HttpResponse:
    """Fill weeks from a pattern: first a preview of the days it would fill (nothing is
    written), then the fill, which can be undone in this session."""
    agreement, access, versions = _agreement_month(request, agreement_id, "hours")
    require_write(access)
    version = version_shown(versions, month_end(month))
    unit = version.unit if version else RateUnit.HOUR
    weeks = _offered_weeks(month)
    form = PatternForm(request.POST or None, weeks=weeks)
    plan, filled_nothing, signature = None, False, ""
    if request.method == "POST" and form.is_valid():
        signature = form.signature()
        asked = {
            "actor": request.user,
            "agreement_id": agreement.pk,
            "mondays": form.mondays(),
            "pattern": form.pattern(),
            "skip_holidays": form.cleaned_data["skip_holidays"],
            "replace": form.cleaned_data["replace"],
        }
        confirmed = request.POST.get("step") == "fill"
        try:
            if confirmed and request.POST.get("previewed") == signature:
                result = hour_services.time_entries_fill_weeks(**asked)
                plan, filled_nothing = result.plan, result.plan.empty
                if not filled_nothing:
                    request.session[LAST_FILL] = {
                        "agreement_id": agreement.pk,
                        "created": result.created_ids,
                        "removed": result.removed,
                        "days": len(result.plan.days),
                    }
                    done(request, _fill_done(result.plan, unit))
                    return redirect("declarations:hours", agreement_id=agreement.pk, month=month)
            else:
                plan = hour_services.time_entries_fill_plan(**asked)
                if confirmed:
                    messages.info(
                        request, _("You changed the choices: check the days again, then fill.")
                    )
        except SERVICE_ERRORS as error:
            _show_pattern_error(form, error)
            plan = None
    return render(
        request,
        "declarations/fill.html",
        {
            **_month_links(month),
            "access": access,
            "agreement": agreement,
            "version": version,
            "unit_name": unit_name(unit),
            "form": form,
            "weekday_fields": [form[f"weekday_{weekday}"] for weekday in range(7)],
            "weeks": weeks,
            "plan": plan,
            "plan_weeks": _plan_weeks(plan, unit) if plan else [],
            "plan_words": total_in_words(plan.total, unit, None) if plan else "",
            "filled_nothing": filled_nothing,
            "signature": signature,
            "last_fill": _last_fill(request, agreement.pk),
        },
    )


def _fill_done(plan, unit: str) -> str:
    return ngettext(
        "%(count)d day is filled in (%(total)s in all).",
        "%(count)d days are filled in (%(total)s in all).",
        len(plan.days),
    ) % {"count": len(plan.days), "total": total_in_words(plan.total, unit, None)}


def _plan_weeks(plan, unit: str) -> list[dict]:
    """The plan's days by week, with the week's total."""
    weeks: dict[date, dict] = {}
    for day in plan.days:
        monday = monday_of(day.day)
        week = weeks.setdefault(monday, {"title": week_title(monday), "days": [], "total": 0})
        week["days"].append(
            {
                "label": weekday_long(day.day),
                "fill": day,
                "words": total_in_words(day.quantity, unit, None),
            }
        )
        week["total"] += day.quantity
    for week in weeks.values():
        week["words"] = total_in_words(week["total"], unit, None)
    return list(weeks.values())


@require_POST
@login_required
def fill_undo(request: AuthenticatedRequest, agreement_id: int, month: date) -> HttpResponse:
    """Undo the session's last fill of the agreement: exactly the entries it made go."""
    agreement, access, _versions = _agreement_month(request, agreement_id, "hours")
    require_write(access)
    record = _last_fill(request, agreement.pk)
    if record is None:
        messages.info(request, _("There is no fill to undo."))
        return redirect("declarations:hours", agreement_id=agreement.pk, month=month)
    try:
        removed = hour_services.time_entries_undo_fill(
            actor=request.user,
            agreement_id=agreement.pk,
            created_ids=record["created"],
            removed=record["removed"],
        )
    except SERVICE_ERRORS as error:
        refused(request, error)
    else:
        del request.session[LAST_FILL]
        done(
            request,
            ngettext(
                "The fill is undone: %(count)d day removed.",
                "The fill is undone: %(count)d days removed.",
                removed,
            )
            % {"count": removed},
        )
    return redirect("declarations:hours", agreement_id=agreement.pk, month=month)


def _show_pattern_error(form: PatternForm, error) -> None:
    """``pattern[2]`` is Wednesday's quantity; ``weeks`` the weeks; the rest on top."""
    if not hasattr(error, "error_dict"):
        show_service_error(form, error)
        return
    for key, field_errors in error.error_dict.items():
        if key.startswith("pattern[") and key.endswith("]"):
            form.add_error(f"weekday_{key[len('pattern[') : -1]}", field_errors)
        elif key == "weeks":
            form.add_error("weeks", field_errors)
        else:
            form.add_error(None, field_errors)


class ExpenseForm(forms.Form):
    expense_date = forms.DateField(
        label=gettext_lazy("Date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_supported_date],
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind of cost"), choices=ExpenseKind.choices)
    kilometres = forms.CharField(
        label=gettext_lazy("Kilometres"),
        required=False,
        max_length=12,
        help_text=gettext_lazy("For travel: the amount follows from the agreed allowance."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    amount = forms.CharField(
        label=gettext_lazy("Amount (EUR)"),
        required=False,
        max_length=14,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    description = forms.CharField(label=gettext_lazy("Description"), required=False, max_length=200)


@require_http_methods(["GET", "POST"])
@login_required
def costs(request: AuthenticatedRequest, agreement_id: int, month: date) -> HttpResponse:
    agreement, access, versions = _agreement_month(request, agreement_id, "costs")
    form = ExpenseForm(request.POST or None, initial={"expense_date": month})
    if request.method == "POST":
        require_write(access)
        if form.is_valid():
            try:
                hour_services.expense_add(
                    actor=request.user, agreement_id=agreement.pk, **form.cleaned_data
                )
            except SERVICE_ERRORS as error:
                show_service_error(form, error)
            else:
                done(request, _("The cost is saved."))
                return redirect("declarations:costs", agreement_id=agreement.pk, month=month)
    expenses = Expense.objects.filter(
        agreement=agreement, expense_date__range=(month, month_end(month))
    ).order_by("expense_date", "pk")
    locked = month_is_locked(agreement.pk, month)
    return render(
        request,
        "declarations/costs.html",
        {
            **_month_links(month),
            "access": access,
            "agreement": agreement,
            "version": version_on(versions, month_end(month)),
            "form": form,
            "expenses": expenses,
            "locked": locked,
            "editable": access.can_write and not locked,
        },
    )


@require_POST
@login_required
def cost_delete(request: AuthenticatedRequest, expense_id: int) -> HttpResponse:
    expense = get_visible(Expense.objects.select_related("agreement"), request.user, pk=expense_id)
    access = holder_access(request, expense.agreement.holder_id, page="costs")
    require_write(access)
    month = month_start(expense.expense_date)
    try:
        hour_services.expense_delete(actor=request.user, expense_id=expense.pk)
    except SERVICE_ERRORS as error:
        refused(request, error)
    else:
        done(request, _("The cost is removed."))
    return redirect("declarations:costs", agreement_id=expense.agreement_id, month=month)
