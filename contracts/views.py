"""The pages of a holder's care providers and care agreements.

They read through the selectors and change through the services, as the API does; who may do
what comes from :func:`pgb_admin.core.web.holder_access` (out of scope is a 404, looking
without the right to change shows no forms, and a write anyway is a 403). After a change the
page redirects (post/redirect/get); a form that creates something carries a one-time key, so
sending it twice does not create it twice.
"""

import secrets
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from pgb_admin.accounts.constants import ACTING_ROLES
from pgb_admin.accounts.scoping import get_visible, represented_holder_ids
from pgb_admin.budgets.selectors import budget_list
from pgb_admin.core.dates import format_date
from pgb_admin.core.periods import month_start
from pgb_admin.core.web import (
    SERVICE_ERRORS,
    AuthenticatedRequest,
    HolderAccess,
    done,
    holder_access,
    require_write,
    show_service_error,
)
from pgb_admin.figures.constants import CarerClass

from . import selectors, services
from .constants import EMPLOYMENT_TYPES, AgreementType
from .forms import (
    AGREEMENT_TYPE_EXPLANATIONS,
    AgreementChangeForm,
    AgreementEndForm,
    AgreementForm,
    AgreementTypeForm,
    ApprovalForm,
    ProviderForm,
    ProviderLinkForm,
    RecoveryForm,
    SickForm,
)
from .models import AgreementVersion, CareAgreement, HolderProvider, Provider
from .selectors import version_on, version_shown

# --- sending a form twice -----------------------------------------------------------------------

SUBMISSIONS = "contracts_submissions"  # in the session: one-time key → the page it led to
SUBMISSIONS_KEPT = 50


def submission_key(request: HttpRequest) -> str:
    """A new one-time key for a form that creates something."""
    key = secrets.token_urlsafe(16)
    keys = dict(request.session.get(SUBMISSIONS, {}))
    keys[key] = ""
    request.session[SUBMISSIONS] = dict(list(keys.items())[-SUBMISSIONS_KEPT:])
    return key


def earlier_result(request: HttpRequest, key: str | None) -> str | None:
    """The page a form with this key already led to, if it was sent before."""
    return request.session.get(SUBMISSIONS, {}).get(key or "") or None


def remember_result(request: HttpRequest, key: str | None, url: str) -> None:
    keys = dict(request.session.get(SUBMISSIONS, {}))
    if key in keys:
        keys[key] = url
        request.session[SUBMISSIONS] = keys


def sent_twice(request: HttpRequest, key: str | None) -> HttpResponse | None:
    """Back to where the first send led, saving nothing again."""
    url = earlier_result(request, key)
    if url is None:
        return None
    messages.info(request, _("This was saved already; nothing was added twice."))
    return redirect(url)


def renamed(error: Exception, names: dict[str, str]) -> Exception:
    """A service's refusal with its field names as the form calls them."""
    if not (isinstance(error, ValidationError) and hasattr(error, "error_dict")):
        return error
    fields: dict[str, list] = {}
    for field, errors in error.error_dict.items():
        fields.setdefault(names.get(field, field), []).extend(errors)
    return ValidationError(fields)


# --- providers ------------------------------------------------------------------------------------


@require_GET
@login_required
def providers(request: AuthenticatedRequest, holder_id: int) -> HttpResponse:
    access = holder_access(request, holder_id, page="providers")
    rows = []
    for provider in (
        selectors.provider_list(user=request.user)
        .filter(holder_links__holder_id=holder_id)
        .order_by("name", "pk")
    ):
        # an auditor sees a provider's link to this holder only under their funder's grants
        link = next((link for link in provider.visible_links if link.holder_id == holder_id), None)
        if link is None:
            continue
        rows.append(
            {
                "provider": provider,
                "link": link,
                "carer_class": CarerClass(link.carer_class).label,
            }
        )
    return render(request, "contracts/providers.html", {"access": access, "rows": rows})


def _linkable_providers(request: AuthenticatedRequest, access: HolderAccess) -> QuerySet[Provider]:
    """Providers the user already works with for the other holders they act for (e.g. a
    bureau's care organisation), not yet registered with this holder."""
    if not access.can_write:
        return Provider.objects.none()
    acting_for = represented_holder_ids(request.user, roles=ACTING_ROLES)
    return (
        Provider.objects.editable_by(request.user)
        .filter(pk__in=HolderProvider.objects.filter(holder_id__in=acting_for).values("provider"))
        .exclude(holder_links__holder_id=access.holder_id)
        .order_by("name", "pk")
    )


@require_http_methods(["GET", "POST"])
@login_required
def provider_new(request: AuthenticatedRequest, holder_id: int) -> HttpResponse:
    access = holder_access(request, holder_id, page="provider_new")
    linkable = _linkable_providers(request, access)
    form = link_form = None
    if request.method == "POST":
        require_write(access)
        if request.POST.get("form") == "link":
            link_form = ProviderLinkForm(request.POST, prefix="link", providers=linkable)
            response = _link_provider(request, access, link_form)
        else:
            form = ProviderForm(request.POST)
            response = _create_provider(request, access, form)
        if response is not None:
            return response
    if access.can_write:
        form = form or ProviderForm(initial={"submission": submission_key(request)})
        if link_form is None and linkable.exists():
            link_form = ProviderLinkForm(
                prefix="link", providers=linkable, initial={"submission": submission_key(request)}
            )
    return render(
        request,
        "contracts/provider_new.html",
        {"access": access, "form": form, "link_form": link_form},
    )


def _create_provider(
    request: AuthenticatedRequest, access: HolderAccess, form: ProviderForm
) -> HttpResponse | None:
    key = form.data.get("submission")
    if (again := sent_twice(request, key)) is not None:
        return again
    if not form.is_valid():
        return None
    try:
        provider = services.provider_create(
            actor=request.user,
            holder_id=access.holder_id,
            relation=form.cleaned_data["relation"],
            **form.provider_fields(),
        )
    except SERVICE_ERRORS as error:
        show_service_error(form, error)
        return None
    done(request, _("%(name)s is registered as a care provider.") % {"name": provider.name})
    return _to_providers(request, access, key)


def _link_provider(
    request: AuthenticatedRequest, access: HolderAccess, form: ProviderLinkForm
) -> HttpResponse | None:
    key = form.data.get("link-submission")
    if (again := sent_twice(request, key)) is not None:
        return again
    if not form.is_valid():
        return None
    try:
        link = services.provider_link(
            actor=request.user,
            holder_id=access.holder_id,
            provider_id=form.cleaned_data["provider"].pk,
            relation=form.cleaned_data["relation"],
        )
    except SERVICE_ERRORS as error:
        show_service_error(form, renamed(error, {"holder": "__all__"}))
        return None
    done(request, _("%(name)s is registered as a care provider.") % {"name": link.provider.name})
    return _to_providers(request, access, key)


def _to_providers(request, access: HolderAccess, key: str | None) -> HttpResponse:
    url = reverse("contracts:providers", args=[access.holder_id])
    remember_result(request, key, url)
    return redirect(url)


# --- agreements -----------------------------------------------------------------------------------


def this_month() -> date:
    return month_start(timezone.localdate())


@require_GET
@login_required
def agreements(request: AuthenticatedRequest, holder_id: int) -> HttpResponse:
    access = holder_access(request, holder_id, page="agreements")
    found = selectors.agreement_list(user=request.user).filter(holder_id=holder_id)
    provider = None
    provider_id = request.GET.get("provider", "")
    if provider_id.isdigit():
        provider = get_visible(
            Provider.objects.filter(holder_links__holder_id=holder_id),
            request.user,
            pk=int(provider_id),
        )
        found = found.filter(provider_id=provider.pk)
    today = timezone.localdate()
    rows = [
        {"agreement": agreement, "version": version_shown(agreement.visible_versions, today)}
        for agreement in found
    ]
    return render(
        request,
        "contracts/agreements.html",
        {"access": access, "rows": rows, "provider": provider, "month": this_month()},
    )


def _steps(current: str) -> list[dict]:
    labels = {"1": _("Type and provider"), "2": _("Grant, rate and period")}
    return [
        {"number": number, "label": labels[number], "current": number == current}
        for number in labels
    ]


@require_http_methods(["GET", "POST"])
@login_required
def agreement_new(request: AuthenticatedRequest, holder_id: int) -> HttpResponse:
    """Two steps that work without JavaScript and keep no state between them: step 1 (type
    and provider) is a GET form whose answers step 2 carries as hidden fields; step 2 POSTs
    the whole agreement."""
    access = holder_access(request, holder_id, page="agreement_new")
    context = {"access": access, "steps": _steps("1")}
    if not access.can_write:
        if request.method == "POST":
            require_write(access)
        return render(request, "contracts/agreement_new.html", context)

    user = request.user
    providers = Provider.objects.visible_to(user).filter(holder_links__holder_id=holder_id)
    budgets = budget_list(user=user).filter(holder_id=holder_id)
    context["has_providers"] = providers.exists()

    def step_one(data=None, **kwargs):
        return AgreementTypeForm(data, holder=access.holder, providers=providers, **kwargs)

    def step_two(choice: AgreementTypeForm, form: AgreementForm):
        return render(
            request,
            "contracts/agreement_new.html",
            {
                **context,
                "steps": _steps("2"),
                "choice": choice.cleaned_data,
                "type_label": AgreementType(choice.cleaned_data["agreement_type"]).label,
                "explanation": AGREEMENT_TYPE_EXPLANATIONS.get(
                    choice.cleaned_data["agreement_type"]
                ),
                "back_url": _step_one_url(holder_id, choice.cleaned_data),
                "form": form,
            },
        )

    if request.method == "POST":
        require_write(access)
        key = request.POST.get("submission")
        if (again := sent_twice(request, key)) is not None:
            return again
        choice = step_one(request.POST)
        if not choice.is_valid():  # tampered with, or no longer fitting: choose again
            return render(
                request, "contracts/agreement_new.html", {**context, "choice_form": choice}
            )
        agreement_type = choice.cleaned_data["agreement_type"]
        form = AgreementForm(request.POST, budgets=budgets, agreement_type=agreement_type)
        if form.is_valid():
            try:
                agreement = services.agreement_create(
                    actor=user, holder_id=holder_id, **form.service_arguments()
                )
            except SERVICE_ERRORS as error:
                names = {"agreement_type": "__all__", "provider": "__all__", "holder": "__all__"}
                show_service_error(form, renamed(error, names))
            else:
                done(
                    request,
                    _("The agreement with %(provider)s is registered; it awaits approval.")
                    % {"provider": agreement.provider.name},
                )
                url = reverse("contracts:agreement", args=[agreement.pk])
                remember_result(request, key, url)
                return redirect(url)
        return step_two(choice, form)

    if request.GET.get("step") == "2":
        choice = step_one(request.GET)
        if choice.is_valid():
            agreement_type = choice.cleaned_data["agreement_type"]
            form = AgreementForm(
                budgets=budgets,
                agreement_type=agreement_type,
                initial={
                    "agreement_type": agreement_type,
                    "provider": choice.cleaned_data["provider"].pk,
                    "submission": submission_key(request),
                    "budget": budgets.first(),
                },
            )
            return step_two(choice, form)
    else:
        initial = {
            name: request.GET[name]
            for name in ("agreement_type", "provider")
            if name in request.GET
        }
        choice = step_one(initial=initial)
    return render(request, "contracts/agreement_new.html", {**context, "choice_form": choice})


def _step_one_url(holder_id: int, choice: dict) -> str:
    url = reverse("contracts:agreement_new", args=[holder_id])
    return f"{url}?agreement_type={choice['agreement_type']}&provider={choice['provider'].pk}"


# --- one agreement --------------------------------------------------------------------------------


def _agreement_forms(data, *, action=None, budgets, agreement, versions) -> dict:
    """The change, end and approval forms of the agreement page; ``data`` binds the one of
    ``action`` (each has its own prefix, so their fields' ids differ)."""

    def bound(name):
        return {"data": data, "prefix": name} if name == action else {"prefix": name}

    latest = versions.last()
    sickness = {}
    if agreement.agreement_type in EMPLOYMENT_TYPES:
        sickness = {
            "sick": SickForm(**bound("sick")),
            "recovery": RecoveryForm(**bound("recovery")),
        }
    return {
        **sickness,
        "change": AgreementChangeForm(
            **bound("change"), budgets=budgets, agreement_type=agreement.agreement_type
        ),
        "end": AgreementEndForm(**bound("end")),
        "approval": ApprovalForm(
            **bound("approval"), versions=versions, initial={"version": latest}
        ),
    }


@require_http_methods(["GET", "POST"])
@login_required
def agreement_detail(request: AuthenticatedRequest, agreement_id: int) -> HttpResponse:
    user = request.user
    agreement = get_visible(
        CareAgreement.objects.with_period().select_related("provider"), user, pk=agreement_id
    )
    access = holder_access(request, agreement.holder_id, page="agreement")
    versions_queryset = (
        AgreementVersion.objects.visible_to(user)
        .filter(agreement=agreement)
        .select_related("product", "budget__funder", "approval_recorded_by")
        .order_by("valid_from")
    )
    forms = {}
    if request.method == "POST":
        require_write(access)
    if access.can_write:
        action = request.POST.get("action") if request.method == "POST" else None
        forms = _agreement_forms(
            request.POST if action else None,
            action=action,
            budgets=budget_list(user=user).filter(holder_id=agreement.holder_id),
            agreement=agreement,
            versions=versions_queryset,
        )
        form = forms.get(action)
        if action is not None and form is not None and form.is_valid():
            try:
                message = _act(action, user, agreement, form)
            except SERVICE_ERRORS as error:
                show_service_error(form, renamed(error, {"valid_from": "effective_from"}))
            else:
                done(request, message)
                return redirect("contracts:agreement", agreement_id=agreement.pk)
    versions = list(versions_queryset)
    today = timezone.localdate()
    reports = selectors.sick_reports(agreement)
    open_report = next((report for report in reports if report.recovered_on is None), None)
    return render(
        request,
        "contracts/agreement_detail.html",
        {
            "access": access,
            "agreement": agreement,
            "versions": versions,
            "version": version_shown(versions, today),
            "in_force": version_on(versions, today),
            "month": this_month(),
            "employment": agreement.agreement_type in EMPLOYMENT_TYPES,
            "sick_reports": reports,
            "open_sick_report": open_report,
            # the agreement records no working days a week: both cases are shown
            "continued_pay": open_report and selectors.continued_pay(open_report.sick_from),
            **{f"{name}_form": form for name, form in forms.items()},
        },
    )


def _act(action: str, user, agreement: CareAgreement, form) -> str:
    data = form.cleaned_data
    if action == "change":
        version = services.agreement_change(
            actor=user, agreement_id=agreement.pk, **form.service_arguments()
        )
        return _("The change from %(date)s is registered as a new version.") % {
            "date": format_date(version.valid_from, "prose")
        }
    if action == "sick":
        services.sick_report(
            actor=user,
            agreement_id=agreement.pk,
            sick_from=data["sick_from"],
            reported_on=data["reported_on"],
        )
        return _("The carer is reported sick from %(date)s.") % {
            "date": format_date(data["sick_from"], "prose")
        }
    if action == "recovery":
        services.recovery_report(
            actor=user,
            agreement_id=agreement.pk,
            recovered_on=data["recovered_on"],
            reported_on=data["reported_on"],
        )
        return _("The carer's recovery on %(date)s is registered.") % {
            "date": format_date(data["recovered_on"], "prose")
        }
    if action == "end":
        services.agreement_end(actor=user, agreement_id=agreement.pk, end_date=data["end_date"])
        return _("The agreement ends on %(date)s.") % {
            "date": format_date(data["end_date"], "prose")
        }
    services.agreement_record_approval(
        actor=user,
        version_id=data["version"].pk,
        status=data["status"],
        decided_on=data["decided_on"],
        evidence=data["evidence"],
    )
    return _("The funder's decision is recorded.")
