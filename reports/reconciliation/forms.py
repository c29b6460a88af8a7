"""The forms of the reconciliation pages: upload an overview, type one in from a PDF, filter
the work list, resolve a difference."""

from django import forms
from django.utils.translation import gettext_lazy as _

from pgb_admin.budgets.constants import Channel

from .constants import DIFFERING, DifferenceKind, OverviewKind, Resolution

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class HolderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.display_name


class UploadForm(forms.Form):
    holder = HolderChoiceField(label=_("Budget holder"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=_("Kind of overview"), choices=OverviewKind.choices)
    file = forms.FileField(
        label=_("Overview (XLSX or CSV)"),
        help_text=_("With the columns described on this page; the first filled row is the header."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, holders, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["holder"].queryset = holders  # type: ignore[attr-defined]


class EnterHeaderForm(forms.Form):
    holder = HolderChoiceField(label=_("Budget holder"), queryset=None, empty_label=None)

    def __init__(self, *args, holders, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["holder"].queryset = holders  # type: ignore[attr-defined]


class PaymentRowForm(forms.Form):
    agreement = forms.CharField(
        label=_("Care agreement"),
        max_length=100,
        help_text=_("The agreement number the PGB Portaal shows, or pgb-admin's number."),
    )
    provider = forms.CharField(label=_("Care provider"), max_length=100, required=False)
    period = forms.CharField(
        label=_("Period"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-10"}),
    )
    declared = forms.DecimalField(
        label=_("Declared amount"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    paid = forms.DecimalField(
        label=_("Paid amount"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    paid_on = forms.DateField(label=_("Payment date"), required=False, widget=DATE_INPUT)
    status = forms.CharField(label=_("Status"), max_length=100, required=False)


class BalanceRowForm(forms.Form):
    grant = forms.CharField(
        label=_("Grant"),
        max_length=100,
        help_text=_("The decision reference of the grant (beschikkingskenmerk)."),
    )
    on = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    balance = forms.DecimalField(label=_("Balance"), max_digits=12, decimal_places=2)


PaymentRows = forms.formset_factory(PaymentRowForm, extra=5, max_num=50, absolute_max=50)
BalanceRows = forms.formset_factory(BalanceRowForm, extra=3, max_num=50, absolute_max=50)
ROWS_OF_KIND: dict[str, type[forms.BaseFormSet]] = {
    OverviewKind.SVB_PAYMENTS: PaymentRows,
    OverviewKind.INSURER_PAYMENTS: PaymentRows,
    OverviewKind.SVB_BUDGET: BalanceRows,
}


class FilterForm(forms.Form):
    holder = HolderChoiceField(
        label=_("Budget holder"), queryset=None, required=False, empty_label=_("All")
    )
    kind = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[("", _("All")), *[(k, DifferenceKind(k).label) for k in DIFFERING]],
    )
    resolution = forms.ChoiceField(
        label=_("Resolution"), required=False, choices=[("", _("All")), *Resolution.choices]
    )
    channel = forms.ChoiceField(
        label=_("Declared through"), required=False, choices=[("", _("All")), *Channel.choices]
    )

    def __init__(self, *args, holders, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["holder"].queryset = holders  # type: ignore[attr-defined]


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("Resolution"), choices=Resolution.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when explained: what the difference is, e.g. a personal contribution."),
    )
