from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Channel
from .registry import kinds


class ReminderChoicesForm(forms.Form):
    """A channel per kind of reminder, the e-mails' language and "no e-mails at all"."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for kind in kinds():
            self.fields[f"kind_{kind.code}"] = forms.ChoiceField(
                label=str(kind.label), choices=Channel.choices, initial=Channel.EMAIL
            )
        self.fields["language"] = forms.ChoiceField(
            label=_("Language of the e-mails"),
            choices=settings.LANGUAGES,
            initial=settings.LANGUAGE_CODE,
        )
        self.fields["emails_off"] = forms.BooleanField(
            label=_("No reminder e-mails at all (the reminders stay in the app)"), required=False
        )

    def channels(self) -> dict[str, str]:
        return {
            name.removeprefix("kind_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("kind_")
        }
