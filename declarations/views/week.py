"""A week of care in one screen: every agreement of the holder that runs in the week, Monday to
Sunday across months, a compact row per day, saved at once (htmx swaps the form; without
JavaScript a plain POST and a redirect)."""

from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from pgb_admin.core.dates import weekday_long, weekday_short
from pgb_admin.core.templatetags.pgb import quantity as format_quantity
from pgb_admin.core.web import (
    SERVICE_ERRORS,
    AuthenticatedRequest,
    done,
    holder_access,
    require_write,
    show_service_error,
)
from pgb_admin.figures.constants import RateUnit

from ..selectors.weeks import (
    WeekAgreement,
    WeekDay,
    holder_week,
    monday_of,
    week_number,
    week_title,
)
from ..services import hours as hour_services

# --- the week total in words, the same here and in week.js -------------------------------------

PLACEHOLDERS = {"total": "{total}", "agreed": "{agreed}", "over": "{over}"}


def total_templates(unit: str, agreed: Decimal | None) -> dict[str, str]:
    """The sentences of a week total with ``{total}``, ``{agreed}`` and ``{over}`` left to
    fill (by :func:`total_in_words`, and by week.js while typing)."""
    if unit == RateUnit.DAY_PART:
        one = ngettext("%(total)s day part", "%(total)s day parts", 1)
        other = ngettext("%(total)s day part", "%(total)s day parts", 2)
    elif unit == RateUnit.DAY:
        one = ngettext("%(total)s 24-hour period", "%(total)s 24-hour periods", 1)
        other = ngettext("%(total)s 24-hour period", "%(total)s 24-hour periods", 2)
    else:
        one = ngettext("%(total)s hour", "%(total)s hours", 1)
        other = ngettext("%(total)s hour", "%(total)s hours", 2)
    templates = {"plain-one": one, "plain-other": other}
    if agreed is not None:
        templates["under"] = _("%(total)s of %(agreed)s agreed hours")
        over = "%(total)s hours: %(over)s hour more than agreed"
        overs = "%(total)s hours: %(over)s hours more than agreed"
        templates["over-one"] = ngettext(over, overs, 1)
        templates["over-other"] = ngettext(over, overs, 2)
    return {key: text % PLACEHOLDERS for key, text in templates.items()}


def total_in_words(total: Decimal, unit: str, agreed: Decimal | None) -> str:
    """``12 van 16 afgesproken uur``, ``18 uur: 2 uur meer dan afgesproken``, ``3 dagdelen``."""
    templates = total_templates(unit, agreed)
    if agreed is None:
        key = "plain-one" if total == 1 else "plain-other"
    elif total > agreed:
        key = "over-one" if total - agreed == 1 else "over-other"
    else:
        key = "under"
    return (
        templates[key]
        .replace("{total}", format_quantity(total) or "0")
        .replace("{agreed}", format_quantity(agreed) if agreed is not None else "")
        .replace("{over}", format_quantity(total - agreed) if agreed is not None else "")
    )


def unit_name(unit: str) -> str:
    """The column of the quantity: ``Uren``, ``Dagdelen``, ``Etmalen``."""
    if unit == RateUnit.DAY_PART:
        return _("Day parts")
    if unit == RateUnit.DAY:
        return _("24-hour periods")
    return _("Hours")


# --- the form: a quantity (or a start and an end time) and a note per day and agreement ---------


@dataclass
class DayFields:
    """The fields of one day of one agreement (none where the day cannot change)."""

    day: WeekDay
    prefix: str
    times: bool
    shown: bool

    @property
    def names(self) -> list[str]:
        kinds = ("start", "end", "note") if self.times else ("quantity", "note")
        return [f"{self.prefix}_{kind}" for kind in kinds]


def _time_text(value: time | None) -> str:
    return value.strftime("%H:%M") if value else ""


class WeekForm(forms.Form):
    """All days of all agreements in the week. Only the days that can change are shown; a
    value sent for another day goes to the service like any other, which refuses it. A day
    whose fields are as they were is not sent at all, so an untouched day (with several time
    slots, or in a declared month) stays as it is."""

    def __init__(self, *args, week: list[WeekAgreement], **kwargs):
        super().__init__(*args, **kwargs)
        self.week = week
        self.days: dict[str, tuple[WeekAgreement, DayFields]] = {}
        for shown in week:
            provider = shown.agreement.provider.name
            for day in shown.days:
                if not day.runs:
                    continue
                # times where the agreement is logged with times and the day holds at most
                # one entry, with times; otherwise the day's quantity
                one_slot = len(day.entries) == 1 and bool(day.slots)
                fields = DayFields(
                    day=day,
                    prefix=f"a{shown.agreement.pk}_{day.day:%Y%m%d}",
                    times=shown.uses_times and (not day.entries or one_slot),
                    shown=day.editable,
                )
                self.days[fields.prefix] = (shown, fields)
                self._add_fields(fields, provider)

    def _add_fields(self, fields: DayFields, provider: str) -> None:
        day = fields.day
        label = f"{weekday_long(day.day)}, {provider}"
        label = label[:1].upper() + label[1:]
        if fields.times:
            slot = day.slots[0] if day.slots else None
            for kind, name, value in (
                ("start", _("start"), slot.start_time if slot else None),
                ("end", _("end"), slot.end_time if slot else None),
            ):
                self.fields[f"{fields.prefix}_{kind}"] = forms.TimeField(
                    label=f"{label}: {name}",
                    required=False,
                    widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                )
                self.initial[f"{fields.prefix}_{kind}"] = _time_text(value)
        else:
            self.fields[f"{fields.prefix}_quantity"] = forms.CharField(
                label=label,
                required=False,
                max_length=12,
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal", "autocomplete": "off", "size": 4}
                ),
            )
            self.initial[f"{fields.prefix}_quantity"] = (
                format_quantity(day.quantity) if day.entries else ""
            )
        self.fields[f"{fields.prefix}_note"] = forms.CharField(
            label=f"{label}: {_('note')}",
            required=False,
            max_length=500,
            widget=forms.TextInput(attrs={"autocomplete": "off"}),
        )
        self.initial[f"{fields.prefix}_note"] = day.note

    def _changed(self, fields: DayFields) -> bool:
        for name in fields.names:
            if name not in self.data:
                return False  # a day the page did not show: left alone
        for name in fields.names:
            value = self.cleaned_data.get(name)
            typed = _time_text(value) if isinstance(value, time) else (value or "").strip()
            if typed != str(self.initial.get(name, "")).strip():
                return True
        return False

    def changed_rows(self) -> tuple[list[dict], list[str]]:
        """The rows of the days that changed, for the service, and the prefix of each."""
        rows, prefixes = [], []
        for prefix, (shown, fields) in self.days.items():
            if not self._changed(fields):
                continue
            data = self.cleaned_data
            row: dict = {
                "agreement_id": shown.agreement.pk,
                "care_date": fields.day.day,
                "note": data.get(f"{prefix}_note", "").strip(),
            }
            if fields.times:
                row["start_time"] = data.get(f"{prefix}_start")
                row["end_time"] = data.get(f"{prefix}_end")
                if row["start_time"] is None and row["end_time"] is None:
                    row["quantity"] = ""  # emptied: no care that day
            else:
                row["quantity"] = data.get(f"{prefix}_quantity", "").strip()
                if fields.day.slots and row["quantity"] == self.initial[f"{prefix}_quantity"]:
                    kept = self._slots_kept(fields.day, row["note"])  # only the note changed
                    rows.extend(kept)
                    prefixes.extend([prefix] * len(kept))
                    continue
            rows.append(row)
            prefixes.append(prefix)
        return rows, prefixes

    @staticmethod
    def _slots_kept(day: WeekDay, note: str) -> list[dict]:
        """The day's entries as they are, with the new note on the first."""
        return [
            {
                "agreement_id": entry.agreement_id,
                "care_date": entry.care_date,
                "start_time": entry.start_time,
                "end_time": entry.end_time,
                "quantity": None if entry.start_time is not None else entry.quantity,
                "note": note if index == 0 else "",
            }
            for index, entry in enumerate(day.entries)
        ]

    def show_errors(self, error, prefixes: list[str]) -> None:
        """``entries[3].quantity`` → the error next to the field of that day, or on top
        naming the day when the page does not show it."""
        if not hasattr(error, "error_dict"):
            show_service_error(self, error)
            return
        for key, field_errors in error.error_dict.items():
            if not (key.startswith("entries[") and "]." in key):
                self.add_error(None, field_errors)
                continue
            index = int(key[len("entries[") : key.index("]")])
            what = key[key.index("].") + 2 :]
            _shown, fields = self.days[prefixes[index]]
            target = self._target(fields, what)
            if fields.shown and target is not None:
                self.add_error(target, field_errors)
            else:
                label = self.fields[fields.names[0]].label
                for message in forms.ValidationError(field_errors).messages:
                    self.add_error(None, f"{label}: {message}")

    @staticmethod
    def _target(fields: DayFields, what: str) -> str | None:
        if what == NON_FIELD_ERRORS or what == "agreement":
            return None
        if what == "note":
            return f"{fields.prefix}_note"
        if fields.times:
            return f"{fields.prefix}_end" if what == "end_time" else f"{fields.prefix}_start"
        return f"{fields.prefix}_quantity"


# --- what the template shows --------------------------------------------------------------------


@dataclass
class DayRow:
    day: WeekDay
    short: str
    long: str
    fields: DayFields | None
    form: WeekForm

    def _bound(self, kind: str) -> forms.BoundField | None:
        if self.fields is None or not self.fields.shown:
            return None
        name = f"{self.fields.prefix}_{kind}"
        return self.form[name] if name in self.form.fields else None

    @property
    def quantity(self):
        return self._bound("quantity")

    @property
    def start(self):
        return self._bound("start")

    @property
    def end(self):
        return self._bound("end")

    @property
    def note(self):
        return self._bound("note")

    @property
    def editable(self) -> bool:
        return self.fields is not None and self.fields.shown

    @property
    def bound_fields(self) -> list[forms.BoundField]:
        fields = (self.quantity, self.start, self.end, self.note)
        return [field for field in fields if field is not None]

    @staticmethod
    def _time_value(field: forms.BoundField | None) -> str:
        value = field.value() if field is not None else None
        return _time_text(value) if isinstance(value, time) else (value or "")

    @property
    def start_text(self) -> str:
        return self._time_value(self.start)

    @property
    def end_text(self) -> str:
        return self._time_value(self.end)

    @property
    def shown_value(self) -> str:
        """What a day that cannot change here holds, as text."""
        if not self.day.entries:
            return "–"
        slots = ", ".join(
            f"{_time_text(entry.start_time)}–{_time_text(entry.end_time)}"
            for entry in self.day.slots
        )
        quantity = format_quantity(self.day.quantity)
        return f"{quantity} ({slots})" if slots else quantity

    @property
    def times(self) -> bool:
        return self.fields is not None and self.fields.times

    @property
    def why_not(self) -> str:
        return self.day.why_not


@dataclass
class Section:
    shown: WeekAgreement
    rows: list[DayRow]

    @property
    def agreement(self):
        return self.shown.agreement

    @property
    def title(self) -> str:
        return _("Care by %(provider)s · %(care)s") % {
            "provider": self.agreement.provider.name,
            "care": self.shown.version.product.name,
        }

    @property
    def terms(self) -> str:
        """The grant's law and what is counted: ``Wmo 2015 · In uren; 8 uur per week
        afgesproken.``"""
        return f"{self.shown.version.budget.get_scheme_display()} · {self._unit_terms()}"

    def _unit_terms(self) -> str:
        agreed = self.shown.agreed
        if agreed is not None:
            return _("In hours; %(hours)s hours a week agreed.") % {
                "hours": format_quantity(agreed)
            }
        if self.shown.unit == RateUnit.DAY_PART:
            return _("In day parts (dagdelen).")
        if self.shown.unit == RateUnit.DAY:
            return _("In 24-hour periods (etmalen).")
        return _("In hours; no hours a week agreed.")

    @property
    def times(self) -> bool:
        return self.shown.uses_times

    @property
    def unit_name(self) -> str:
        return unit_name(self.shown.unit)

    @property
    def words(self) -> str:
        return total_in_words(self.shown.total, self.shown.unit, self.shown.agreed)

    @property
    def over(self) -> bool:
        agreed = self.shown.agreed
        return agreed is not None and self.shown.total > agreed

    @property
    def templates(self) -> dict[str, str]:
        return total_templates(self.shown.unit, self.shown.agreed)

    @property
    def agreed(self) -> str:
        agreed = self.shown.agreed
        return "" if agreed is None else f"{agreed.normalize():f}"

    @property
    def months(self) -> list[date]:
        return self.shown.months


def _sections(form: WeekForm) -> list[Section]:
    by_day = {(shown.agreement.pk, fields.day.day): fields for shown, fields in form.days.values()}
    return [
        Section(
            shown,
            [
                DayRow(
                    day=day,
                    short=weekday_short(day.day),
                    long=weekday_long(day.day),
                    fields=by_day.get((shown.agreement.pk, day.day)),
                    form=form,
                )
                for day in shown.days
            ],
        )
        for shown in form.week
    ]


# --- the pages ---------------------------------------------------------------------------------


@require_GET
@login_required
def week_now(request: AuthenticatedRequest, holder_id: int) -> HttpResponse:
    """The week of today."""
    access = holder_access(request, holder_id, page="week")
    return redirect(
        "declarations:week", holder_id=access.holder_id, monday=monday_of(timezone.localdate())
    )


@require_http_methods(["GET", "POST"])
@login_required
def week(request: AuthenticatedRequest, holder_id: int, monday: date) -> HttpResponse:
    access = holder_access(request, holder_id, page="week")
    if monday.weekday() and request.method == "GET":
        return redirect("declarations:week", holder_id=access.holder_id, monday=monday_of(monday))
    monday = monday_of(monday)
    htmx = request.headers.get("HX-Request") == "true"
    week_data = holder_week(user=request.user, holder_id=access.holder_id, monday=monday)
    form = WeekForm(request.POST or None, week=week_data)
    status = None
    if request.method == "POST":
        require_write(access)
        status = _("Not saved: correct what is marked.")
        if form.is_valid():
            rows, prefixes = form.changed_rows()
            try:
                hour_services.time_entries_save_week(
                    actor=request.user, holder_id=access.holder_id, monday=monday, entries=rows
                )
            except SERVICE_ERRORS as error:
                form.show_errors(error, prefixes)
            else:
                status = _("Saved: the hours of week %(number)s.") % {"number": week_number(monday)}
                if not htmx:
                    done(request, status)
                    return redirect("declarations:week", holder_id=access.holder_id, monday=monday)
                week_data = holder_week(
                    user=request.user, holder_id=access.holder_id, monday=monday
                )
                form = WeekForm(week=week_data)
    today = timezone.localdate()
    context = {
        "access": access,
        "monday": monday,
        "sunday": monday + timedelta(days=6),
        "title": week_title(monday),
        "week_number": week_number(monday),
        "previous_week": monday - timedelta(days=7),
        "next_week": monday + timedelta(days=7),
        "this_week": monday_of(today),
        "form": form,
        "sections": _sections(form),
        "editable": access.can_write and any(s.editable for s in week_data),
        "status": status,
        "oob": htmx and request.method == "POST",
    }
    template = "declarations/_week_form.html" if context["oob"] else "declarations/week.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
