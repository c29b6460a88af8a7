"""Care providers as users (issue 19): the provider's own pages (their agreements side by
side, a month entered per week as in the PGB Portaal, submit) and the holder's review of a
submitted month (beside the findings an approval would give; approve, or send back with a
reason).

The provider's pages read through ``granted_to`` only: anything not granted is a 404, and they
never show the holder's BSN, grants or other providers. The holder's pages go through
:func:`~pgb_admin.core.web.holder_access` like every holder page.
"""

import contextlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from contracts.invitations import holder_name
from contracts.models import CareAgreement
from pgb_admin.accounts.scoping import get_visible
from pgb_admin.audit.events import log_page_read, log_reads
from pgb_admin.audit.models import Action
from pgb_admin.core.errors import NotFound
from pgb_admin.core.periods import days_of_month, month_start
from pgb_admin.core.web import (
    SERVICE_ERRORS,
    AuthenticatedRequest,
    done,
    holder_access,
    refused,
    require_write,
    show_service_error,
)

from ..constants import ExpenseKind
from ..documents.checks import EXTENSIONS
from ..documents.views import logged_download
from ..models import Document, ProviderMonth
from ..selectors.provider_months import (
    months_waiting_for_review,
    provider_holders,
    provider_month_for_provider,
    provider_month_invoice,
)
from ..services import provider_months as services

BLANK_COST_ROWS = 2


@dataclass
class DayField:
    day: date
    name: str
    value: str
    errors: list[str] = field(default_factory=list)


@dataclass
class WeekFields:
    monday: date
    days: list[DayField]
    total: Decimal


# --- the provider's pages ----------------------------------------------------------------------


@login_required
def provider_home(request: AuthenticatedRequest) -> HttpResponse:
    """The holders the provider works for, side by side, each with the provider's agreements
    and the months entered."""
    today = timezone.localdate()
    holders = provider_holders(user=request.user)
    log_reads(  # a provider's reads of holders' data are logged (role "other")
        user=request.user,
        action=Action.LIST,
        what="page:provider_home",
        holder_counts={holder.holder_id: len(holder.agreements) for holder in holders},
    )
    return render(
        request,
        "declarations/provider_home.html",
        {
            "holders": holders,
            "this_month": month_start(today),
            "last_month": month_start(month_start(today) - _ONE_DAY),
        },
    )


class InvoiceForm(forms.Form):
    invoice_number = forms.CharField(label=gettext_lazy("Invoice number"), required=False)
    invoice_date = forms.DateField(
        label=gettext_lazy("Invoice date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    invoice_amount = forms.DecimalField(
        label=gettext_lazy("Invoice amount (EUR)"), required=False, decimal_places=2
    )
    invoice_vat = forms.DecimalField(
        label=gettext_lazy("VAT (EUR)"), required=False, decimal_places=2
    )


class InvoiceFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Invoice (PDF, PNG or JPEG)"),
        help_text=gettext_lazy("At most 10 MB. PDFs with scripts or attachments are refused."),
        widget=forms.FileInput(
            attrs={"accept": ",".join(f".{extension}" for extension in EXTENSIONS)}
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def provider_month(request: AuthenticatedRequest, agreement_id: int, month: date) -> HttpResponse:
    """A month of care under one agreement, entered per week as in the PGB Portaal (domain.md
    section 8: "enter care per week"), with costs and an invoice; then submitted."""
    user = request.user
    agreement = (
        CareAgreement.objects.granted_to(user).select_related("holder").filter(pk=agreement_id)
    ).first()
    if agreement is None or month > month_start(timezone.localdate()):
        raise NotFound(_("Not found."))
    log_page_read(user=user, what="page:provider_month", holder_id=agreement.holder_id)
    found = provider_month_for_provider(user=user, agreement_id=agreement_id, month=month)
    if found is None:  # not begun: shown empty, made when first saved (a GET writes nothing)
        found = ProviderMonth(agreement=agreement, month=month, entered_by=user)
    else:
        found.agreement = agreement
    if request.method != "POST":
        return _month_page(request, found)
    values, costs = _entered(found)
    invoice_form = _invoice_form(found, request.POST)
    try:
        if request.POST.get("action") == "submit":
            if found.pk is None:
                raise ValidationError(_("Enter care, costs or an invoice first."))
            services.provider_month_submit(actor=user, month_id=found.pk)
            done(request, _("The month is submitted for review."))
            return redirect("providers:month", agreement_id=agreement_id, month=month)
        values, costs, hours, cost_rows = _posted(request.POST, found.month)
        if not invoice_form.is_valid():
            raise ValidationError(invoice_form.errors.as_data())
        if found.pk is None:
            found = services.provider_month_get_or_create(
                actor=user, agreement_id=agreement_id, month=month
            )
        services.provider_month_save(
            actor=user,
            month_id=found.pk,
            hours=hours,
            costs=cost_rows,
            invoice=invoice_form.cleaned_data,
        )
    except SERVICE_ERRORS as error:
        return _month_page(
            request,
            found,
            values=values,
            costs=costs,
            invoice_form=invoice_form,
            errors=_named_errors(error),
        )
    done(request, _("The month is saved. Submit it when it is complete."))
    return redirect("providers:month", agreement_id=agreement_id, month=month)


def _entered(found: ProviderMonth) -> tuple[dict[date, str], list[dict[str, str]]]:
    """The month's days (as typed) and cost rows as stored."""
    if found.pk is None:
        return {}, []
    values = {row.care_date: _number(row.quantity) for row in found.hours.all()}
    costs = [
        {
            "expense_date": cost.expense_date.isoformat(),
            "kind": cost.kind,
            "amount": str(cost.amount),
            "kilometres": "" if cost.kilometres is None else str(cost.kilometres),
            "description": cost.description,
        }
        for cost in found.costs.all()
    ]
    return values, costs


def _invoice_form(found: ProviderMonth, data=None) -> InvoiceForm:
    return InvoiceForm(
        data,
        initial={
            "invoice_number": found.invoice_number,
            "invoice_date": found.invoice_date,
            "invoice_amount": found.invoice_amount,
            "invoice_vat": found.invoice_vat,
        },
    )


def _invoice_file(found: ProviderMonth) -> Document | None:
    """The month's invoice file (read with the month: ``select_related``), if it has one."""
    if found.pk is None:
        return None
    try:
        return found.invoice_document
    except Document.DoesNotExist:
        return None


def _month_page(
    request: AuthenticatedRequest,
    found: ProviderMonth,
    *,
    values: dict[date, str] | None = None,
    costs: list[dict[str, str]] | None = None,
    invoice_form: InvoiceForm | None = None,
    errors: dict[str, list[str]] | None = None,
    file_form: InvoiceFileForm | None = None,
) -> HttpResponse:
    """The provider's month page: what is stored, or what was posted with its errors."""
    if values is None or costs is None:
        values, costs = _entered(found)
    errors = errors or {}
    return render(
        request,
        "declarations/provider_month.html",
        {
            "found": found,
            "holder_name": holder_name(found.agreement),
            "weeks": _weeks(found.month, values, errors),
            "costs": costs + [{} for _ in range(BLANK_COST_ROWS)],
            "cost_kinds": ExpenseKind.choices,
            "invoice_form": invoice_form or _invoice_form(found),
            "invoice_file": _invoice_file(found),
            "file_form": file_form or InvoiceFileForm(),
            "errors": errors,
            "editable": found.provider_may_edit,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def invoice(request: AuthenticatedRequest, month_id: int) -> HttpResponse:
    """The invoice file of a provider month. GET: the file as an attachment, for the provider
    and for the holder's people reviewing the month (an auditor only once it is approved and
    in the archive); each download in the access log as the archive's are. POST: the provider
    adds or replaces it; what is refused shows on the month's page, nothing stored."""
    if request.method == "POST":
        return _invoice_upload(request, month_id)
    document = provider_month_invoice(user=request.user, month_id=month_id)
    if document is None:
        raise NotFound(_("Not found."))
    return logged_download(request, document)


def _invoice_upload(request: AuthenticatedRequest, month_id: int) -> HttpResponse:
    found = (
        ProviderMonth.objects.granted_to(request.user)
        .select_related("agreement__holder", "invoice_document")
        .prefetch_related("hours", "costs")
        .filter(pk=month_id)
        .first()
    )
    if found is None:
        raise NotFound(_("Not found."))
    log_page_read(
        user=request.user, what="page:provider_month", holder_id=found.agreement.holder_id
    )
    form = InvoiceFileForm(request.POST, request.FILES)
    if form.is_valid():
        uploaded = form.cleaned_data["file"]
        try:
            services.provider_month_invoice_attach(
                actor=request.user, month_id=found.pk, file=uploaded, filename=uploaded.name or ""
            )
        except ValidationError as error:  # a refusal of the file, or the month's state
            form.add_error("file", list(error.messages))
        except SERVICE_ERRORS as error:
            show_service_error(form, error)
        else:
            done(request, _("The invoice file is added. Submit the month when it is complete."))
            return redirect("providers:month", agreement_id=found.agreement_id, month=found.month)
    return _month_page(request, found, file_form=form)


_ONE_DAY = timedelta(days=1)


def _number(value: Decimal) -> str:
    """7.50 as 7,5 would be typed; 4.00 as 4."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _posted(data, month: date):
    values: dict[date, str] = {}
    hours: list[dict] = []
    for day in days_of_month(month):
        text = data.get(f"day-{day.isoformat()}", "").strip()
        if text:
            values[day] = text
            hours.append({"care_date": day, "quantity": text})
    costs, cost_rows = [], []
    for index in range(int(data.get("cost-count") or 0)):
        row = {
            name: data.get(f"cost-{index}-{name}", "").strip()
            for name in ("expense_date", "kind", "amount", "kilometres", "description")
        }
        if not (row["amount"] or row["kilometres"]):
            continue
        costs.append(row)
        spent_on: date | None
        try:
            spent_on = date.fromisoformat(row["expense_date"])
        except ValueError:
            spent_on = None
        cost_rows.append({**row, "expense_date": spent_on})
    return values, costs, hours, cost_rows


def _named_errors(error: Exception) -> dict[str, list[str]]:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return {
            name: [str(message) for message in ValidationError(errors).messages]
            for name, errors in error.error_dict.items()
        }
    return {"__all__": [str(message) for message in getattr(error, "messages", [error])]}


def _weeks(month: date, values: dict[date, str], errors: dict[str, list[str]]) -> list[WeekFields]:
    today = timezone.localdate()
    entered = sorted(values)
    by_week: dict[date, list[DayField]] = defaultdict(list)
    totals: dict[date, Decimal] = defaultdict(Decimal)
    for day in days_of_month(month):
        if day > today:
            break
        monday = date.fromordinal(day.toordinal() - day.weekday())
        messages: list[str] = []
        if day in values:
            index = entered.index(day)
            for name in ("care_date", "quantity", "note", "__all__"):
                messages += errors.get(f"hours[{index}].{name}", [])
            with contextlib.suppress(ArithmeticError):
                totals[monday] += Decimal(values[day].replace(",", "."))
        by_week[monday].append(
            DayField(day, f"day-{day.isoformat()}", values.get(day, ""), messages)
        )
    return [WeekFields(monday, days, totals[monday]) for monday, days in by_week.items()]


# --- the holder's review -----------------------------------------------------------------------


@login_required
def review_list(request: AuthenticatedRequest, holder_id: int) -> HttpResponse:
    """The provider months of the holder waiting for review."""
    access = holder_access(request, holder_id, page="provider_months")
    months = months_waiting_for_review(user=request.user).filter(agreement__holder=access.holder)
    return render(
        request, "declarations/provider_review_list.html", {"access": access, "months": months}
    )


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why do you send it back?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


@login_required
@require_http_methods(["GET", "POST"])
def review(request: AuthenticatedRequest, month_id: int) -> HttpResponse:
    """A submitted provider month beside the findings an approval would give."""
    found = get_visible(
        ProviderMonth.objects.select_related(
            "agreement__provider", "agreement__holder", "invoice_document"
        ),
        request.user,
        pk=month_id,
    )
    access = holder_access(request, found.agreement.holder_id, page="provider_month")
    form = SendBackForm(request.POST if request.POST.get("action") == "send_back" else None)
    if request.method == "POST":
        require_write(access)
        action = request.POST.get("action")
        try:
            if action == "approve":
                services.provider_month_approve(actor=request.user, month_id=found.pk)
                done(request, _("The month is approved: it now counts as your entry."))
                return redirect(
                    "declarations:hours", agreement_id=found.agreement_id, month=found.month
                )
            if action == "send_back" and form.is_valid():
                services.provider_month_send_back(
                    actor=request.user, month_id=found.pk, reason=form.cleaned_data["reason"]
                )
                done(request, _("The month is sent back to the provider."))
                return redirect("providers:review_list", holder_id=found.agreement.holder_id)
        except SERVICE_ERRORS as error:
            refused(request, error)
            return redirect("providers:review", month_id=found.pk)
    preview = None
    if access.can_write and found.status == "submitted":
        try:
            preview = services.provider_month_preview(actor=request.user, month_id=found.pk)
        except NotFound:  # pragma: no cover - the month was found above
            preview = None
    return render(
        request,
        "declarations/provider_review.html",
        {
            "access": access,
            "found": found,
            "hours": list(found.hours.all()),
            "costs": list(found.costs.all()),
            "invoice_file": _invoice_file(found),
            "weeks": _review_weeks(found),
            "preview": preview,
            "form": form,
        },
    )


def _review_weeks(found: ProviderMonth) -> list[tuple[date, Decimal]]:
    totals: dict[date, Decimal] = defaultdict(Decimal)
    for row in found.hours.all():
        totals[date.fromordinal(row.care_date.toordinal() - row.care_date.weekday())] += (
            row.quantity
        )
    return sorted(totals.items())
