from django import forms
from django.utils.translation import gettext_lazy as _

from pgb_admin.core.periods import validate_supported_date

from .models import Action, Role


class SearchForm(forms.Form):
    username = forms.CharField(label=_("User"), required=False, max_length=150)
    holder = forms.IntegerField(label=_("Holder id"), required=False, min_value=1)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("any")), *Action.choices]
    )
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("any")), *Role.choices]
    )
    since = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_supported_date],
    )
    until = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_supported_date],
    )
    request_id = forms.CharField(label=_("Request id"), required=False, max_length=64)
