"""A new password by e-mail: Django's password reset views with pgb-admin's pages, a rate limit
on the requests, and an e-mail in the language of the page it was asked from (a user has no
language of their own; the page's is the one they read).

What it never does: tell whether an address has an account (every request gets the same
answer; only an account's own address receives a mail), log anyone in (the new password is
used at the login page, and two-factor authentication then asks for its code as always), or
put a BSN or anything about care in the mail. The link works once (Django's token is bound to
the password) and for ``PASSWORD_RESET_TIMEOUT`` seconds. A new password also ends the user's
other sessions (Django) and revokes their API tokens (``User.save``).
"""

import hashlib
import math

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from axes.utils import reset as axes_reset
from rest_framework.throttling import SimpleRateThrottle

from pgb_admin.core.client_address import client_address

TEXTBOX = "utrecht-textbox utrecht-textbox--html-input"


class ResetRequestForm(PasswordResetForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("The e-mail address of your pgb-admin account."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "class": TEXTBOX}),
    )


class NewPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = TEXTBOX


# --- the rate limit ------------------------------------------------------------------------


class _Rate(SimpleRateThrottle):
    """DRF's sliding window in the shared cache, at the rate of the setting ``setting`` and
    counted per ``ident``."""

    def __init__(self, setting: str, ident: str) -> None:
        self.scope = setting.lower()
        self.rate = getattr(settings, setting)
        self.ident = ident
        super().__init__()

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.ident}


def request_wait(request, email: str) -> float | None:
    """Counts a request for a new password; the seconds to wait when it is one too many, per
    client address and e-mail address (``PASSWORD_RESET_RATE``) or per client address
    (``PASSWORD_RESET_ADDRESS_RATE``). Whether the address has an account plays no part."""
    address = client_address(request) or "unknown"
    mailbox = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    rates = [
        _Rate("PASSWORD_RESET_RATE", f"{address}-{mailbox}"),
        _Rate("PASSWORD_RESET_ADDRESS_RATE", address),
    ]
    refused = [rate for rate in rates if not rate.allow_request(request, None)]  # type: ignore[arg-type]
    if not refused:
        return None
    return max((rate.wait() or 1) for rate in refused)


# --- the pages -----------------------------------------------------------------------------


def valid_minutes() -> int:
    return settings.PASSWORD_RESET_TIMEOUT // 60


class _ValidMinutes:
    """The pages say how long a link works."""

    def get_context_data(self, **kwargs):
        return super().get_context_data(valid_minutes=valid_minutes(), **kwargs)  # type: ignore[misc]


class ResetRequestView(_ValidMinutes, auth_views.PasswordResetView):
    """Asks for the e-mail address; answers every valid request with the same page."""

    form_class = ResetRequestForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form) -> HttpResponse:
        wait = request_wait(self.request, form.cleaned_data["email"])
        if wait is not None:
            minutes = max(1, math.ceil(wait / 60))
            context = self.get_context_data(form=form, throttled_minutes=minutes)
            response = self.render_to_response(context, status=429)
            response["Retry-After"] = str(math.ceil(wait))
            return response
        self.extra_email_context = {"valid_minutes": valid_minutes()}
        return super().form_valid(form)


class ResetSentView(_ValidMinutes, auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class NewPasswordView(_ValidMinutes, auth_views.PasswordResetConfirmView):
    """The link of the mail: a form for the new password, or a page that says the link was
    used or has expired. Never logs in (``post_reset_login`` stays off)."""

    form_class = NewPasswordForm
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")
    post_reset_login = False

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        # failed logins from before the reset no longer keep the account locked out
        axes_reset(username=form.user.get_username())
        return response


class ResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
