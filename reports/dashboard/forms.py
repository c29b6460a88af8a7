"""The small form on a Wlz or Zvw grant's card: money of its verantwoordingsvrij bedrag paid
to the holder's own account."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


class FreeAmountClaimForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(
        label=_("Amount (EUR)"), max_digits=10, decimal_places=2, min_value=Decimal("0.01")
    )
    description = forms.CharField(label=_("What for"), max_length=500, required=False)
