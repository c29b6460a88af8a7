"""The holder's forms: money of a Wlz or Zvw grant's verantwoordingsvrij bedrag paid to the
holder's own account (on the grant's card), the holder's details and admissions, and a grant's
SVB payroll and indicated hours."""

from decimal import Decimal
from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from pgb_admin.budgets.constants import AdmissionKind, CakExemption, IndicationPeriod
from pgb_admin.budgets.models import CareProduct

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from pgb_admin.core.validators import (
    normalize_house_number,
    normalize_postcode,
    validate_house_number,
    validate_postcode,
)


class FreeAmountClaimForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(
        label=_("Amount (EUR)"), max_digits=10, decimal_places=2, min_value=Decimal("0.01")
    )
    description = forms.CharField(label=_("What for"), max_length=500, required=False)


# --- the holder's details and a grant's page -------------------------------------------------


def _date(
    label: "StrOrPromise", *, required: bool = True, help_text: "StrOrPromise" = ""
) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class HolderDetailsForm(forms.Form):
    """What checks need about the holder: the address (postcode and house number only), the
    date of death and an exemption from the CAK contribution (``services.holder_update``)."""

    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=10,
        required=False,
        help_text=_(
            "Only the postcode and house number: to see whether holder and carer live together."
        ),
    )
    house_number = forms.CharField(label=_("House number"), max_length=10, required=False)
    date_of_death = _date(_("Date of death"), required=False)
    cak_exemption = forms.ChoiceField(
        label=_("Exempt from the CAK contribution"),
        choices=CakExemption.choices,
        required=False,
        help_text=_(
            "Why the CAK charges no Wmo contribution. A Wlz grant and an age under 18 are "
            "taken into account without this."
        ),
    )

    def clean_postcode(self) -> str:
        postcode = normalize_postcode(self.cleaned_data["postcode"])
        validate_postcode(postcode)
        return postcode

    def clean_house_number(self) -> str:
        house_number = normalize_house_number(self.cleaned_data["house_number"])
        validate_house_number(house_number)
        return house_number


class AdmissionForm(forms.Form):
    """A stay in a hospital or a Wlz institution (``services.admission_create``)."""

    kind = forms.ChoiceField(label=_("Kind of stay"), choices=AdmissionKind.choices)
    valid_from = _date(_("From"))
    valid_to = _date(_("To"), required=False, help_text=_("Leave empty while it lasts."))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class AdmissionEndForm(forms.Form):
    """The last day of a stay (``services.admission_end``)."""

    admission = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    valid_to = _date(_("Last day"))


class GrantForm(forms.Form):
    """What the holder's side records about a grant (``services.budget_update``)."""

    svb_payroll = forms.BooleanField(
        label=_("SVB runs the payroll"),
        required=False,
        help_text=_(
            "Zvw only: the insurer has the SVB pay the employees of this grant; their "
            "declarations then go through the PGB Portaal."
        ),
    )


class IndicationForm(forms.Form):
    """Hours of one of the grant's products the decision indicates
    (``services.indication_create``)."""

    product = forms.ModelChoiceField(label=_("Care product"), queryset=CareProduct.objects.none())
    hours = forms.DecimalField(
        label=_("Hours"), max_digits=7, decimal_places=2, min_value=Decimal("0.01")
    )
    per = forms.ChoiceField(label=_("Per"), choices=IndicationPeriod.choices)
    valid_from = _date(_("From"))
    valid_to = _date(_("To"), required=False, help_text=_("Leave empty for the grant's end."))

    def __init__(self, *args, products, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["product"]
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = products
