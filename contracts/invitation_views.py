"""Inviting an agreement's care provider to log in (issue 19), and the provider accepting.

The holder's page lists the agreement's invitations and sends or revokes one (acting roles
only: a write by anyone else is a 403). The accept page is public: its token is the secret.
A wrong, used, revoked or expired token gets the same answer, so the page tells nothing.
"""

from django import forms
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from pgb_admin.accounts.scoping import get_visible
from pgb_admin.core.web import (
    SERVICE_ERRORS,
    AuthenticatedRequest,
    done,
    holder_access,
    refused,
    require_write,
    show_service_error,
)

from . import invitations as services
from .models import CareAgreement, ProviderInvitation


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("The provider's e-mail address"),
        help_text=gettext_lazy("The link in the e-mail works once."),
    )


@require_http_methods(["GET", "POST"])
def invitations(request: AuthenticatedRequest, agreement_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    agreement = get_visible(
        CareAgreement.objects.select_related("provider"), request.user, pk=agreement_id
    )
    access = holder_access(request, agreement.holder_id, page="provider_invitations")
    form = InvitationForm(request.POST if request.POST.get("action") == "invite" else None)
    if request.method == "POST":
        require_write(access)
        action = request.POST.get("action")
        if action == "revoke":
            try:
                services.invitation_revoke(
                    actor=request.user, invitation_id=int(request.POST.get("invitation") or 0)
                )
            except (*SERVICE_ERRORS, ValueError) as error:
                refused(request, error)
            else:
                done(request, _("The invitation is revoked: its link no longer works."))
            return redirect("contracts:invitations", agreement_id=agreement.pk)
        if form.is_valid():
            try:
                services.invitation_create(
                    actor=request.user,
                    agreement_id=agreement.pk,
                    email=form.cleaned_data["email"],
                    link_for=lambda token: request.build_absolute_uri(
                        reverse("contracts:accept_invitation", args=[token])
                    ),
                )
            except SERVICE_ERRORS as error:
                show_service_error(form, error)
            else:
                done(request, _("The invitation is sent."))
                return redirect("contracts:invitations", agreement_id=agreement.pk)
    sent = ProviderInvitation.objects.visible_to(request.user).filter(agreement=agreement)
    return render(
        request,
        "contracts/invitations.html",
        {"access": access, "agreement": agreement, "invitations": sent, "form": form},
    )


class NewLoginForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Choose a user name"), max_length=150)
    password = forms.CharField(
        label=gettext_lazy("Choose a password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=gettext_lazy("The password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


@require_http_methods(["GET", "POST"])
def accept(request: AuthenticatedRequest, token: str) -> HttpResponse:
    invitation = services.open_invitation(token)
    if invitation is None:
        return render(request, "contracts/invitation_invalid.html", status=404)
    form = NewLoginForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                services.invitation_accept(token=token, user=request.user)
            elif form.is_valid():
                user, _access = services.invitation_accept_new_login(
                    token=token,
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password"],
                )
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                raise ValidationError({})
        except SERVICE_ERRORS as error:
            if getattr(error, "error_dict", None) or getattr(error, "messages", None):
                show_service_error(form, error)
        else:
            done(request, _("Welcome. You can now enter the care you give."))
            return redirect("providers:home")
    return render(
        request,
        "contracts/invitation_accept.html",
        {
            "form": form,
            "holder_name": services.holder_name(invitation.agreement),
            "agreement_type": invitation.agreement.get_agreement_type_display(),
            "login_url": reverse("login") + "?next=" + request.path,
        },
    )
