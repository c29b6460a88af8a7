"""A holder's declarations: drafting a month, the findings next to the day they concern with
the way to fix them, acknowledging warnings, validating and correcting; and the rule catalogue."""

from datetime import date

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contracts.models import CareAgreement
from pgb_admin.accounts.scoping import get_visible
from pgb_admin.audit.trail import holder_breadcrumbs
from pgb_admin.core.dates import format_month
from pgb_admin.core.periods import month_from_text, previous_month, validate_supported_month
from pgb_admin.core.web import (
    SERVICE_ERRORS,
    AuthenticatedRequest,
    HolderAccess,
    done,
    holder_access,
    refused,
    require_write,
    show_service_error,
)

from ..constants import Severity
from ..grants import budget_refusal
from ..models import Declaration, Finding
from ..selectors.batches import with_channel
from ..selectors.lists import declaration_list, rule_list
from ..services import declarations as declaration_services
from .record_forms import record_form


class MonthField(forms.Field):
    """A month typed as ``YYYY-MM`` (what ``<input type=month>`` sends), as its first day."""

    default_error_messages = {"invalid": gettext_lazy("Give the month as YYYY-MM, e.g. 2026-10.")}

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        month = month_from_text(value)
        if month is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        validate_supported_month(month)
        return month


class MonthForm(forms.Form):
    month = MonthField(
        label=gettext_lazy("Month"),
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-10", "maxlength": 7}),
    )


class AcknowledgeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is this right?"),
        max_length=1000,
        help_text=gettext_lazy("E.g. 'extra hours agreed with the municipality'."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def last_month(today: date | None = None) -> date:
    return previous_month(today or timezone.localdate())


@require_GET
@login_required
def holder_list(request: AuthenticatedRequest, holder_id: int) -> HttpResponse:
    access = holder_access(request, holder_id, page="declarations")
    filter_form = MonthForm(request.GET or None)
    month = filter_form.cleaned_data["month"] if filter_form.is_valid() else None
    declarations = (
        Declaration.objects.visible_to(request.user)
        .filter(agreement__holder=access.holder)
        .select_related("agreement__provider", "budget")
        .annotate(
            open_errors=Count("findings", filter=Q(findings__severity=Severity.ERROR)),
            open_warnings=Count(
                "findings",
                filter=Q(
                    findings__severity=Severity.WARNING, findings__acknowledged_at__isnull=True
                ),
            ),
        )
        .order_by("-month", "agreement_id", "pk")
    )
    if month is not None:
        declarations = declarations.filter(month=month)
    agreements = CareAgreement.objects.visible_to(request.user).filter(holder=access.holder)
    return render(
        request,
        "declarations/list.html",
        {
            "access": access,
            "declarations": declarations[:200],
            "month": month,
            "filter_form": filter_form,
            "draft_form": MonthForm(initial={"month": f"{last_month():%Y-%m}"}),
            "agreements": agreements.select_related("provider").order_by("pk"),
            "hours_month": month or last_month(),
        },
    )


@require_POST
@login_required
def draft(request: AuthenticatedRequest, holder_id: int) -> HttpResponse:
    """Draft (and validate) the month's declarations of every agreement with hours or costs."""
    access = holder_access(request, holder_id, page="declarations")
    require_write(access)
    form = MonthForm(request.POST)
    if not form.is_valid():
        refused(request, forms.ValidationError(form.errors["month"].as_data()))
        return redirect("declarations:list", holder_id=holder_id)
    month = form.cleaned_data["month"]
    try:
        drafted = declaration_services.declarations_draft_period(
            actor=request.user, month=month, holder_id=holder_id
        )
        if drafted:
            drafted = declaration_services.declaration_validate(
                actor=request.user, declaration_ids=[d.pk for d in drafted]
            )
    except SERVICE_ERRORS as error:
        refused(request, error)
    else:
        if drafted:
            done(
                request,
                _("%(count)d declarations are drafted and checked.") % {"count": len(drafted)},
            )
            refusal = budget_refusal(drafted)
            if refusal is not None:
                refused(request, refusal)
        else:
            refused(
                request,
                forms.ValidationError(_("There are no hours or costs to declare in this month.")),
            )
    return redirect(f"{_list_url(holder_id)}?month={month:%Y-%m}")


def _list_url(holder_id: int) -> str:
    return reverse("declarations:list", args=[holder_id])


def _declaration(
    request: AuthenticatedRequest, declaration_id: int, page: str
) -> tuple[Declaration, HolderAccess]:
    """The declaration if the user may see it (else 404), with the holder's access."""
    declaration = (
        with_channel(declaration_list(user=request.user, with_lines=True))
        .select_related("agreement__provider", "agreement__holder", "batch", "corrects")
        .filter(pk=declaration_id)
        .first()
    )
    if declaration is None:
        raise Http404(_("Not found."))
    return declaration, holder_access(request, declaration.agreement.holder_id, page=page)


@require_http_methods(["GET"])
@login_required
def detail(request: AuthenticatedRequest, declaration_id: int) -> HttpResponse:
    declaration, access = _declaration(request, declaration_id, "declaration")
    context = _detail_context(declaration, access)
    context["breadcrumbs"] = holder_breadcrumbs(
        request,
        access,
        _("Declaration of %(month)s") % {"month": format_month(declaration.month)},
    )
    return render(request, "declarations/detail.html", context)


def _detail_context(declaration, access, failed=None, record=None) -> dict:
    """The lines with the findings of their day beside them; findings of no single day first."""
    findings = list(declaration.findings.all())
    by_day: dict[date, list[Finding]] = {}
    general: list[Finding] = []
    for finding in findings:
        (by_day.setdefault(finding.care_date, []) if finding.care_date else general).append(finding)
    lines = list(declaration.lines.all())
    line_days = {line.care_date for line in lines}
    # findings of a day without a line (e.g. hours on a day outside the agreement)
    general += [
        f for day, day_findings in by_day.items() if day not in line_days for f in day_findings
    ]
    forms_by_finding = {}
    for finding in findings:
        if failed is not None and failed[0] == finding.pk:
            forms_by_finding[finding.pk] = failed[1]
        elif finding.is_open and finding.severity == Severity.WARNING:
            forms_by_finding[finding.pk] = AcknowledgeForm(prefix=f"f{finding.pk}")
    return {
        "access": access,
        "declaration": declaration,
        "rows": [(line, by_day.get(line.care_date, [])) for line in lines],
        "general_findings": general,
        "acknowledge_forms": forms_by_finding,
        "open_errors": sum(1 for f in findings if f.is_open and f.severity == Severity.ERROR),
        "open_warnings": sum(1 for f in findings if f.is_open and f.severity == Severity.WARNING),
        "editable": access.can_write and not declaration.is_frozen,
        # what the user did after the export and what came back: their own record
        "record_form": record or (record_form(declaration) if access.can_write else None),
        "channel": getattr(declaration, "channel", None),
    }


@require_POST
@login_required
def validate(request: AuthenticatedRequest, declaration_id: int) -> HttpResponse:
    declaration, access = _declaration(request, declaration_id, "declaration")
    require_write(access)
    try:
        (checked,) = declaration_services.declaration_validate(
            actor=request.user, declaration_ids=[declaration.pk]
        )
    except SERVICE_ERRORS as error:
        refused(request, error)
    else:
        refusal = budget_refusal([checked])  # it stays a draft; the page shows its findings
        if refusal is not None:
            refused(request, refusal)
        else:
            done(
                request,
                _("The declaration is checked: %(status)s.")
                % {"status": checked.get_status_display()},
            )
    return redirect("declarations:detail", declaration_id=declaration.pk)


@require_POST
@login_required
def correct(request: AuthenticatedRequest, declaration_id: int) -> HttpResponse:
    declaration, access = _declaration(request, declaration_id, "declaration")
    require_write(access)
    try:
        correction = declaration_services.declaration_correct(
            actor=request.user, declaration_id=declaration.pk
        )
    except SERVICE_ERRORS as error:
        refused(request, error)
        return redirect("declarations:detail", declaration_id=declaration.pk)
    done(request, _("A correction is opened: change the hours of the month, then check it again."))
    return redirect("declarations:detail", declaration_id=correction.pk)


@require_POST
@login_required
def acknowledge(request: AuthenticatedRequest, finding_id: int) -> HttpResponse:
    finding = get_visible(Finding.objects, request.user, pk=finding_id)
    declaration, access = _declaration(request, finding.declaration_id, "declaration")
    require_write(access)
    form = AcknowledgeForm(request.POST, prefix=f"f{finding.pk}")
    if form.is_valid():
        try:
            declaration_services.finding_acknowledge(
                actor=request.user, finding_id=finding.pk, reason=form.cleaned_data["reason"]
            )
        except SERVICE_ERRORS as error:
            show_service_error(form, error)
        else:
            done(request, _("The warning is acknowledged."))
            return redirect("declarations:detail", declaration_id=declaration.pk)
    context = _detail_context(declaration, access, failed=(finding.pk, form))
    return render(request, "declarations/detail.html", context)


@require_GET
def rules(request: HttpRequest) -> HttpResponse:
    """The rule catalogue is public: what is checked, why, and from which source."""
    rows = [(rule, Severity(rule.severity).label) for rule in rule_list()]
    return render(request, "declarations/rules.html", {"rules": rows})
