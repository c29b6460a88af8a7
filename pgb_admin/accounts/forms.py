from django import forms
from django.utils.translation import gettext_lazy as _

from .two_factor import is_totp_shaped, normalize_code


class CodeForm(forms.Form):
    """A code of the authenticator app or, when ``backup_codes`` is true, a backup code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=24,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "off",
                "spellcheck": "false",
                "size": 12,
            }
        ),
    )

    def __init__(self, *args, backup_codes: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.backup_codes = backup_codes
        field = self.fields["code"]
        if backup_codes:
            field.help_text = _(
                "The 6 digits your authenticator app shows now, or one of your backup codes."
            )
        else:
            field.help_text = _("The 6 digits your authenticator app shows now.")
            field.widget.attrs["inputmode"] = "numeric"

    def clean_code(self) -> str:
        code = normalize_code(self.cleaned_data["code"])
        if not self.backup_codes and not is_totp_shaped(code):
            raise forms.ValidationError(
                _("Give the 6 digits your authenticator app shows."), code="not_six_digits"
            )
        return code
