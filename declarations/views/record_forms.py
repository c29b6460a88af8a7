"""The form on a declaration's page for what the user did with it after the export, and what
came back: declared in the PGB Portaal (or to the insurer), paid or rejected. pgb-admin sends
and receives nothing; these are the user's own records."""

from django import forms
from django.utils.translation import gettext_lazy as _

from pgb_admin.audit.provenance import EVIDENCE_MAX_LENGTH

from ..constants import DeclarationStatus

OUTCOMES = {
    DeclarationStatus.EXPORTED: [
        (DeclarationStatus.SUBMITTED, _("I declared it")),
        (DeclarationStatus.PAID, _("It was paid")),
        (DeclarationStatus.REJECTED, _("It was rejected")),
    ],
    DeclarationStatus.SUBMITTED: [
        (DeclarationStatus.PAID, _("It was paid")),
        (DeclarationStatus.REJECTED, _("It was rejected")),
    ],
}


class RecordForm(forms.Form):
    outcome = forms.ChoiceField(label=_("What happened"), choices=[])
    on = forms.DateField(
        label=_("On"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        max_length=EVIDENCE_MAX_LENGTH,
        required=False,
        help_text=_(
            "For paid or rejected: where you saw it, e.g. the PGB Portaal's payment overview "
            "or the letter's date and reference."
        ),
    )
    rejection_reason = forms.CharField(
        label=_("Reason for the rejection"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, status: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = OUTCOMES.get(DeclarationStatus(status), [])  # type: ignore[attr-defined]


def record_form(declaration, data=None) -> RecordForm | None:
    """The form for the declaration's status, or None when nothing is left to record."""
    if declaration.status not in OUTCOMES:
        return None
    return RecordForm(data, status=declaration.status, prefix="record")
