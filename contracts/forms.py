"""The forms of the provider and agreement pages. They only read what was typed; the rules
(a valid IBAN, the units an agreement type allows, a period inside its grant…) are the
services', whose refusals :func:`pgb_admin.core.web.show_service_error` puts on the form."""

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from pgb_admin.audit.provenance import EVIDENCE_HELP, EVIDENCE_MAX_LENGTH
from pgb_admin.budgets.models import Budget, CareProduct
from pgb_admin.core.dates import format_date
from pgb_admin.core.periods import validate_supported_date
from pgb_admin.figures.constants import RateUnit

from .constants import (
    HOURS_REQUIRED_TYPES,
    UNITS_OF_AGREEMENT_TYPE,
    AgreementType,
    ApprovalStatus,
    ProviderKind,
    Relation,
)
from .models import AgreementVersion, CareAgreement, HolderProvider, Provider
from .services import PROVIDER_FIELDS

# What each agreement type means, in plain language (domain.md 2.2: the SVB's model agreements).
AGREEMENT_TYPE_EXPLANATIONS = {
    AgreementType.EMPLOYMENT_HOURLY: _(
        "You employ the carer and pay for the hours they worked. Each month you declare the "
        "hours; the SVB runs the payroll and pays at least the minimum wage and the holiday "
        "allowance. Not for your partner or a family member."
    ),
    AgreementType.EMPLOYMENT_FIXED: _(
        "You employ the carer for a fixed salary every month. The SVB pays it automatically: "
        "there are no monthly declarations. Not for your partner or a family member."
    ),
    AgreementType.ASSIGNMENT: _(
        "A care agreement (zorgovereenkomst) with a self-employed carer (zzp) who works for "
        "several clients. You pay per hour, per day part or per 24 hours, after a monthly "
        "declaration or invoice. Also for a friend or neighbour from your social network who "
        "is not family."
    ),
    AgreementType.FAMILY: _(
        "Care by your partner or a 1st or 2nd degree family member (a parent, child, brother, "
        "sister, grandparent or grandchild). You pay per hour or a fixed amount; the minimum "
        "wage applies. For a friend or neighbour, choose one of the other agreements."
    ),
    AgreementType.INSTITUTION: _(
        "A care agreement with a care organisation registered with the KvK, where several "
        "people give the care. The organisation sends you an invoice every month."
    ),
}

DATE_WIDGET_FORMAT = "%Y-%m-%d"


def _label(model, name: str):
    return capfirst(model._meta.get_field(name).verbose_name)


def _help(model, name: str):
    return model._meta.get_field(name).help_text


def _date_field(label, *, required: bool = True, help_text="") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format=DATE_WIDGET_FORMAT),
        validators=[validate_supported_date],
    )


def _decimal_field(model, name: str, *, required: bool, help_text=None) -> forms.DecimalField:
    field = model._meta.get_field(name)
    return forms.DecimalField(
        label=_label(model, name),
        required=required,
        max_digits=field.max_digits,
        decimal_places=field.decimal_places,
        localize=True,  # 18,50 in Dutch, 18.50 in English
        help_text=_help(model, name) if help_text is None else help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


def _identifier_field(name: str, *, required: bool = False) -> forms.CharField:
    # typed numbers may hold spaces or dots: the model normalises them
    return forms.CharField(
        label=_label(Provider, name),
        required=required,
        max_length=40,
        help_text=_help(Provider, name),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


_F = TypeVar("_F", bound=forms.Field)


def _field(form: forms.Form, name: str, kind: type[_F]) -> _F:
    """``form.fields[name]``, as the kind of field the form declares it."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is not a {kind.__name__}")
    return field


class LabelledChoiceField(forms.ModelChoiceField):
    """A choice of rows, each labelled by ``label_of`` instead of its ``str()``."""

    def __init__(self, *args: Any, label_of: Callable[[Any], str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.label_of = label_of

    def label_from_instance(self, obj: Any) -> str:
        return self.label_of(obj)


def provider_label(provider: Provider) -> str:
    return f"{provider.name} ({provider.get_kind_display()})"


def short_date(value) -> str:
    return format_date(value) if value else "…"


def budget_label(budget: Budget) -> str:
    return (
        f"{budget.get_scheme_display()} · {budget.funder.name} · "
        f"{short_date(budget.start_date)} – {short_date(budget.end_date)}"
    )


def version_label(version: AgreementVersion) -> str:
    return (
        f"{short_date(version.valid_from)} – {short_date(version.valid_to)} "
        f"({version.get_approval_status_display()})"
    )


class ExplainedRadioSelect(forms.RadioSelect):
    """Radio buttons with a plain-language explanation under each choice, tied to it with
    ``aria-describedby``."""

    option_template_name = "contracts/widgets/explained_option.html"

    def __init__(self, *args, explanations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.explanations = explanations or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        explanation = self.explanations.get(value)
        if explanation and option["attrs"].get("id"):
            option["help"] = explanation
            option["help_id"] = f"{option['attrs']['id']}_help"
            described = option["attrs"].get("aria-describedby", "")
            option["attrs"] = {
                **option["attrs"],
                "aria-describedby": f"{described} {option['help_id']}".strip(),
            }
        return option


class OnceForm(forms.Form):
    """A form that creates something carries a one-time key, so sending it twice (a double
    click, the back button) does not create it twice (see ``views.submission``)."""

    submission = forms.CharField(widget=forms.HiddenInput, required=False)


# --- providers ---------------------------------------------------------------------------------


class ProviderForm(OnceForm):
    """A new care provider and their relation to the holder (``services.provider_create``)."""

    kind = forms.ChoiceField(
        label=_label(Provider, "kind"), choices=ProviderKind.choices, widget=forms.RadioSelect
    )
    name = forms.CharField(
        label=_label(Provider, "name"), max_length=200, help_text=_help(Provider, "name")
    )
    relation = forms.ChoiceField(
        label=_label(HolderProvider, "relation"),
        choices=Relation.choices,
        initial=Relation.NONE,
        help_text=_(
            "Decides formal or informal care and which agreement applies. An organisation "
            "has no relation."
        ),
    )
    date_of_birth = _date_field(
        _label(Provider, "date_of_birth"),
        required=False,
        help_text=_help(Provider, "date_of_birth"),
    )
    iban = _identifier_field("iban", required=True)
    account_holder = forms.CharField(
        label=_label(Provider, "account_holder"),
        max_length=200,
        required=False,
        help_text=_help(Provider, "account_holder"),
    )
    agb_code = _identifier_field("agb_code")
    kvk_number = _identifier_field("kvk_number")
    big_number = _identifier_field("big_number")
    sbi_code = _identifier_field("sbi_code")
    is_entrepreneur = forms.BooleanField(
        label=_label(Provider, "is_entrepreneur"),
        required=False,
        help_text=_help(Provider, "is_entrepreneur"),
    )
    # the address as far as the audit signals need it (holder and carer at one address)
    postcode = forms.CharField(
        label=_label(Provider, "postcode"),
        max_length=7,
        required=False,
        help_text=_(
            "Only the postcode and house number: to see whether holder and carer live together."
        ),
    )
    house_number = forms.CharField(
        label=_label(Provider, "house_number"), max_length=10, required=False
    )

    def provider_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in PROVIDER_FIELDS}


class ProviderLinkForm(OnceForm):
    """A provider the user already works with, registered with this holder too
    (``services.provider_link``)."""

    provider = LabelledChoiceField(
        label=_("Provider"),
        queryset=Provider.objects.none(),
        empty_label=None,
        label_of=provider_label,
    )
    relation = forms.ChoiceField(
        label=_label(HolderProvider, "relation"), choices=Relation.choices, initial=Relation.NONE
    )

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        _field(self, "provider", forms.ModelChoiceField).queryset = providers


# --- a new agreement, in two steps -------------------------------------------------------------


class AgreementTypeForm(forms.Form):
    """Step 1: which agreement, with whom."""

    agreement_type = forms.ChoiceField(
        label=_label(CareAgreement, "agreement_type"),
        choices=AgreementType.choices,
        widget=ExplainedRadioSelect(explanations=AGREEMENT_TYPE_EXPLANATIONS),
    )
    provider = LabelledChoiceField(
        label=_label(CareAgreement, "provider"),
        queryset=Provider.objects.none(),
        help_text=_("A provider who is not in the list yet is added under Care providers first."),
        label_of=provider_label,
    )

    def __init__(self, *args, holder, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.holder = holder
        _field(self, "provider", forms.ModelChoiceField).queryset = providers

    def clean(self):
        """Whether this type fits this provider (family, person or organisation): the model's
        own check, asked before the second step rather than after it."""
        super().clean()
        cleaned = self.cleaned_data
        provider, agreement_type = cleaned.get("provider"), cleaned.get("agreement_type")
        if provider and agreement_type:
            try:
                CareAgreement(
                    holder=self.holder, provider=provider, agreement_type=agreement_type
                ).clean()
            except ValidationError as error:
                for field, errors in error.error_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
        return cleaned


class AgreementTermsFields(forms.Form):
    """What a version agrees: the grant, the product, the rate, the hours and the period."""

    budget = LabelledChoiceField(
        label=_label(AgreementVersion, "budget"),
        queryset=Budget.objects.none(),
        label_of=budget_label,
    )
    product = forms.ModelChoiceField(
        label=_label(AgreementVersion, "product"),
        queryset=CareProduct.objects.none(),
        help_text=_("One of the care products of the grant."),
    )
    rate = _decimal_field(AgreementVersion, "rate", required=True)
    unit = forms.ChoiceField(label=_label(AgreementVersion, "unit"), choices=RateUnit.choices)
    hours_per_week = _decimal_field(AgreementVersion, "hours_per_week", required=False)
    # a choice of yes, no or unchanged in AgreementChangeForm
    rate_includes_holiday_pay: forms.Field = forms.BooleanField(
        label=_label(AgreementVersion, "rate_includes_holiday_pay"),
        required=False,
        help_text=_help(AgreementVersion, "rate_includes_holiday_pay"),
    )
    travel_allowance_per_km = _decimal_field(
        AgreementVersion, "travel_allowance_per_km", required=False
    )

    def set_choices(self, *, budgets, agreement_type=None) -> None:
        _field(self, "budget", forms.ModelChoiceField).queryset = budgets
        _field(self, "product", forms.ModelChoiceField).queryset = (
            CareProduct.objects.filter(budgets__in=budgets).distinct().order_by("code")
        )
        if agreement_type:
            allowed = UNITS_OF_AGREEMENT_TYPE[AgreementType(agreement_type)]
            units = [(value, label) for value, label in RateUnit.choices if value in allowed]
            _field(self, "unit", forms.ChoiceField).choices = units
            if len(units) == 1:
                self.fields["unit"].initial = units[0][0]


class AgreementForm(OnceForm, AgreementTermsFields):
    """Step 2: the terms of the first version (``services.agreement_create``); the choices
    of step 1 travel along as hidden fields."""

    agreement_type = forms.ChoiceField(choices=AgreementType.choices, widget=forms.HiddenInput)
    provider = forms.IntegerField(widget=forms.HiddenInput)
    valid_from = _date_field(_("Start date"))
    valid_to = _date_field(
        _("End date"), required=False, help_text=_("Leave empty when the agreement is open-ended.")
    )
    svb_agreement_number = forms.CharField(
        label=_label(CareAgreement, "svb_agreement_number"),
        max_length=20,
        required=False,
        help_text=_help(CareAgreement, "svb_agreement_number"),
    )

    field_order = [
        "budget",
        "product",
        "rate",
        "unit",
        "hours_per_week",
        "rate_includes_holiday_pay",
        "travel_allowance_per_km",
        "valid_from",
        "valid_to",
        "svb_agreement_number",
    ]

    def __init__(self, *args, budgets, agreement_type, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_choices(budgets=budgets, agreement_type=agreement_type)
        if agreement_type in HOURS_REQUIRED_TYPES:
            self.fields["hours_per_week"].required = True

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("submission", None)
        data["provider_id"] = data.pop("provider")
        data["budget_id"] = data.pop("budget").pk
        return data


# --- changes to an agreement ------------------------------------------------------------------

UNCHANGED = ""
YES_NO_UNCHANGED = [(UNCHANGED, _("No change")), ("yes", _("Yes")), ("no", _("No"))]
KEEP = _("Leave empty to keep the current value.")


class AgreementChangeForm(AgreementTermsFields):
    """A change from a date: a new version (``services.agreement_change``). Only what is
    filled in changes; the rest carries over from the current version."""

    effective_from = _date_field(
        _("Changes from"), help_text=_("The first day of the new version.")
    )
    reason = forms.CharField(
        label=_label(AgreementVersion, "change_reason"), max_length=500, required=False
    )
    valid_to = _date_field(
        _("New end date"),
        required=False,
        help_text=_("Leave empty to keep the current end (or none)."),
    )
    rate_includes_holiday_pay = forms.ChoiceField(
        label=_label(AgreementVersion, "rate_includes_holiday_pay"),
        choices=YES_NO_UNCHANGED,
        required=False,
    )

    field_order = [
        "effective_from",
        "budget",
        "product",
        "rate",
        "unit",
        "hours_per_week",
        "rate_includes_holiday_pay",
        "travel_allowance_per_km",
        "valid_to",
        "reason",
    ]

    def __init__(self, *args, budgets, agreement_type, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_choices(budgets=budgets, agreement_type=agreement_type)
        for name in ("budget", "product", "rate", "unit"):
            field = self.fields[name]
            field.required = False
            field.help_text = KEEP
        for name in ("hours_per_week", "travel_allowance_per_km"):
            self.fields[name].help_text = KEEP
        _field(self, "budget", forms.ModelChoiceField).empty_label = _("No change")
        _field(self, "product", forms.ModelChoiceField).empty_label = _("No change")
        unit = _field(self, "unit", forms.ChoiceField)
        # django-stubs types the choices read back as maybe not iterable; they are a list
        unit.choices = [(UNCHANGED, _("No change")), *unit.choices]  # type: ignore[misc]
        self.fields["unit"].initial = UNCHANGED

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        changes = {
            name: data[name]
            for name in ("product", "rate", "unit", "hours_per_week", "travel_allowance_per_km")
            if data.get(name) not in (None, "")
        }
        if data.get("budget"):
            changes["budget_id"] = data["budget"].pk
        if data.get("valid_to"):
            changes["valid_to"] = data["valid_to"]
        if data.get("rate_includes_holiday_pay"):
            changes["rate_includes_holiday_pay"] = data["rate_includes_holiday_pay"] == "yes"
        return {"effective_from": data["effective_from"], "reason": data["reason"], **changes}


class AgreementEndForm(forms.Form):
    end_date = _date_field(_("Last day"), help_text=_("The last day care is given and paid."))


class ApprovalForm(forms.Form):
    """The funder's decision on one version (``services.agreement_record_approval``)."""

    version = LabelledChoiceField(
        label=_("Version"),
        queryset=AgreementVersion.objects.none(),
        empty_label=None,
        label_of=version_label,
    )
    status = forms.ChoiceField(
        label=_label(AgreementVersion, "approval_status"), choices=ApprovalStatus.choices
    )
    decided_on = _date_field(_("Decided on"), help_text=_("The date of the funder's decision."))
    evidence = forms.CharField(
        label=_("Evidence of the decision"),
        max_length=EVIDENCE_MAX_LENGTH,
        help_text=EVIDENCE_HELP,
    )

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        _field(self, "version", forms.ModelChoiceField).queryset = versions


class SickForm(forms.Form):
    """A sick report (``services.sick_report``)."""

    sick_from = _date_field(
        _("Sick from"), help_text=_("The first day the carer could not work because of sickness.")
    )
    reported_on = _date_field(
        _("Reported to the SVB on"),
        required=False,
        help_text=_("Report sickness to the SVB within 24 hours (svb.nl)."),
    )


class RecoveryForm(forms.Form):
    """The recovery of the open sick report (``services.recovery_report``)."""

    recovered_on = _date_field(
        _("Recovered on"), help_text=_("The first day the carer can work again.")
    )
    reported_on = _date_field(_("Reported to the SVB on"), required=False)
