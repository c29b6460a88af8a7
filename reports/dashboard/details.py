"""The holder's details (address, date of death, CAK exemption, admissions) and a grant's page
(SVB payroll, indicated hours): read through the models in scope, changed through the
services of :mod:`pgb_admin.budgets.services`."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from pgb_admin.accounts.scoping import sees_everything
from pgb_admin.audit.trail import holder_breadcrumbs
from pgb_admin.budgets import services
from pgb_admin.budgets.models import Budget
from pgb_admin.core.masking import mask_postcode
from pgb_admin.core.web import (
    SERVICE_ERRORS,
    AuthenticatedRequest,
    done,
    holder_access,
    require_write,
    show_service_error,
)

from ..labels import grant_text
from .forms import AdmissionEndForm, AdmissionForm, GrantForm, HolderDetailsForm, IndicationForm

DETAILS_FIELDS = ("postcode", "house_number", "date_of_death", "cak_exemption")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def holder_details(request: AuthenticatedRequest, holder_id: int) -> HttpResponse:
    access = holder_access(request, holder_id, page="holder_details")
    holder = access.holder
    details_form = admission_form = end_form = None
    if request.method == "POST":
        require_write(access)
        which = request.POST.get("form")
        if which == "details":
            details_form = HolderDetailsForm(request.POST)
            if _saved(
                details_form,
                lambda data: services.holder_update(
                    actor=request.user, holder_id=holder.pk, **data
                ),
            ):
                done(request, _("The details are saved."))
                return redirect("budgets:holder_details", holder_id=holder.pk)
        elif which == "admission":
            admission_form = AdmissionForm(request.POST, prefix="admission")
            if _saved(
                admission_form,
                lambda data: services.admission_create(
                    actor=request.user, holder_id=holder.pk, **data
                ),
            ):
                done(request, _("The stay is registered."))
                return redirect("budgets:holder_details", holder_id=holder.pk)
        elif which == "end":
            end_form = AdmissionEndForm(request.POST, prefix="end")
            if (
                end_form.is_valid()
                and not holder.admissions.filter(pk=end_form.cleaned_data["admission"]).exists()
            ):
                raise Http404
            if _saved(
                end_form,
                lambda data: services.admission_end(
                    actor=request.user, admission_id=data["admission"], valid_to=data["valid_to"]
                ),
            ):
                done(request, _("The end of the stay is saved."))
                return redirect("budgets:holder_details", holder_id=holder.pk)
        else:
            raise Http404
    if access.can_write:
        details_form = details_form or HolderDetailsForm(
            initial={field: getattr(holder, field) for field in DETAILS_FIELDS}
        )
        admission_form = admission_form or AdmissionForm(prefix="admission")
    shows_address = access.acts_for_holder or sees_everything(request.user)
    return render(
        request,
        "reports/holder_details.html",
        {
            "access": access,
            "breadcrumbs": holder_breadcrumbs(request, access, _("Details")),
            "postcode": holder.postcode if shows_address else mask_postcode(holder.postcode),
            "house_number": holder.house_number if shows_address else None,
            "admissions": holder.admissions.order_by("-valid_from"),
            "details_form": details_form,
            "admission_form": admission_form,
            "end_form": end_form,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def grant(request: AuthenticatedRequest, holder_id: int, budget_id: int) -> HttpResponse:
    access = holder_access(request, holder_id, page="grant")
    budget = (
        Budget.objects.visible_to(request.user)
        .filter(pk=budget_id, holder_id=access.holder_id)
        .select_related("funder")
        .first()
    )
    if budget is None:
        raise Http404
    products = budget.products.all()
    grant_form = indication_form = None
    if request.method == "POST":
        require_write(access)
        which = request.POST.get("form")
        if which == "grant":
            grant_form = GrantForm(request.POST, prefix="grant")
            if _saved(
                grant_form,
                lambda data: services.budget_update(
                    actor=request.user, budget_id=budget.pk, **data
                ),
            ):
                done(request, _("The grant is saved."))
                return redirect("budgets:grant", holder_id=access.holder_id, budget_id=budget.pk)
        elif which == "indication":
            indication_form = IndicationForm(request.POST, prefix="indication", products=products)
            if _saved(
                indication_form,
                lambda data: services.indication_create(
                    actor=request.user, budget_id=budget.pk, **data
                ),
            ):
                done(request, _("The indicated hours are registered."))
                return redirect("budgets:grant", holder_id=access.holder_id, budget_id=budget.pk)
        else:
            raise Http404
    if access.can_write:
        grant_form = grant_form or GrantForm(
            prefix="grant", initial={"svb_payroll": budget.svb_payroll}
        )
        indication_form = indication_form or IndicationForm(prefix="indication", products=products)
    return render(
        request,
        "reports/grant.html",
        {
            "access": access,
            "breadcrumbs": holder_breadcrumbs(
                request, access, grant_text(budget.scheme, budget.start_date, budget.end_date)
            ),
            "budget": budget,
            "products": products,
            "indications": budget.indications.select_related("product"),
            "grant_form": grant_form,
            "indication_form": indication_form,
        },
        status=400 if request.method == "POST" else 200,
    )


def _saved(form: forms.Form, save) -> bool:
    """Whether the form is valid and the service saved it; otherwise its errors are on it."""
    if not form.is_valid():
        return False
    try:
        save(form.cleaned_data)
    except SERVICE_ERRORS as error:
        show_service_error(form, error)
        return False
    return True
