from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from pgb_admin.core.periods import validate_supported_date

from .models import Action, Role

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _day_field(label: "StrOrPromise") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[validate_supported_date],
    )


class SearchForm(forms.Form):
    username = forms.CharField(label=_("User"), required=False, max_length=150)
    holder = forms.IntegerField(label=_("Holder id"), required=False, min_value=1)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("any")), *Action.choices]
    )
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("any")), *Role.choices]
    )
    since = _day_field(_("From"))
    until = _day_field(_("Until"))
    request_id = forms.CharField(label=_("Request id"), required=False, max_length=64)


class _Period(forms.Form):
    def clean(self):
        super().clean()
        since, until = self.cleaned_data.get("since"), self.cleaned_data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end is before the start."))
        return self.cleaned_data


class HolderLogForm(_Period):
    """The holder's filter of who looked: a period and the kind of reader."""

    since = _day_field(_("From"))
    until = _day_field(_("Until"))
    role = forms.ChoiceField(
        label=_("Who"), required=False, choices=[("", _("anyone")), *Role.choices]
    )


class SearchPageForm(_Period, SearchForm):
    """The log manager's search on the page: the API's filters and a holder's name (the API
    keeps its own parameters)."""

    holder_name = forms.CharField(label=_("Holder's name"), required=False, max_length=100)

    field_order = ["holder_name", "since", "until", "role", "action", "username", "holder",
                   "request_id"]  # fmt: skip
