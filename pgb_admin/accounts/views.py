"""The two-factor pages: set up an authenticator app, give a code after the password, and
the account's overview (new backup codes; switching it off where it is not required). And
"log out everywhere"."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import rotate_token
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

import django_otp

from pgb_admin.core.web import AuthenticatedRequest

from . import services, two_factor
from .forms import CodeForm

FEW_BACKUP_CODES = 3


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _verified(request: HttpRequest, device) -> None:
    """The session is now verified by ``device``; a new session key and CSRF token, as at
    every step up in what a session may do."""
    request.session.cycle_key()
    rotate_token(request)
    django_otp.login(request, device)


def _refused(form: CodeForm, check: two_factor.CodeCheck) -> tuple[int, str]:
    """Why a code was refused: a wrong code on the form (200), or the lockout of a throttled
    device as the page's alert (429). Returns the status and the lockout text."""
    if check.locked_until is not None:
        return 429, two_factor.locked_message(check.locked_until)
    form.add_error("code", _("This code is not right. Check the code and try again."))
    return 200, ""


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request: AuthenticatedRequest) -> HttpResponse:
    user, next_url = request.user, _next_url(request)
    if user.is_verified():
        return redirect(next_url)
    if not two_factor.has_device(user):
        return redirect(_with_next("two_factor:setup", next_url))
    has_app = two_factor.has_authenticator(user)
    form = CodeForm(request.POST or None, backup_codes=True)
    status, locked = 200, ""
    if request.method == "POST" and form.is_valid():
        check = two_factor.code_check(user, form.cleaned_data["code"])
        if check.ok:
            _verified(request, check.device)
            if check.backup_codes_left is not None:
                _warn_backup_code_used(request, check.backup_codes_left)
            return redirect(next_url)
        status, locked = _refused(form, check)
    context = {"form": form, "next": next_url, "has_app": has_app, "locked": locked}
    return render(request, "accounts/two_factor_verify.html", context, status=status)


def _warn_backup_code_used(request: HttpRequest, left: int) -> None:
    text = ngettext(
        "You logged in with a backup code; it cannot be used again. %(count)d backup code is left.",
        "You logged in with a backup code; it cannot be used again. %(count)d backup codes "
        "are left.",
        left,
    ) % {"count": left}
    if left <= FEW_BACKUP_CODES:
        text += " " + _("Make new backup codes on the two-factor authentication page.")
    messages.warning(request, text)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def setup(request: AuthenticatedRequest) -> HttpResponse:
    """Only a user without a device yet, or a session verified already (to replace the app):
    a password alone never adds a second factor to an account that has one."""
    user, next_url = request.user, _next_url(request)
    if not user.is_verified() and two_factor.has_device(user):
        return redirect(_with_next("two_factor:verify", next_url))
    form = CodeForm(request.POST or None, backup_codes=False)
    status, locked = 200, ""
    if request.method == "POST" and form.is_valid():
        check, codes = two_factor.totp_device_confirm(user, form.cleaned_data["code"])
        if check.ok:
            _verified(request, check.device)
            return _backup_codes_page(request, codes, next_url, first=True)
        status, locked = _refused(form, check)
    device = two_factor.totp_device_pending(user)
    context = {
        "form": form,
        "locked": locked,
        "next": next_url,
        "secret": two_factor.secret_text(device),
        "uri": device.config_url,
        "qr": two_factor.qr_data_uri(device.config_url),
        "required": two_factor.requires_two_factor(user),
        "replacing": two_factor.has_authenticator(user),
    }
    return render(request, "accounts/two_factor_setup.html", context, status=status)


def _backup_codes_page(request, codes: list[str], next_url: str, *, first: bool) -> HttpResponse:
    """Shown once, in the answer to the POST that made them: the codes are nowhere else."""
    context = {"codes": codes, "next": next_url, "first": first}
    return render(request, "accounts/two_factor_backup_codes.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account(request: AuthenticatedRequest) -> HttpResponse:
    """Reached only with a verified session when two-factor authentication applies (the
    middleware sends the others to verify first)."""
    user = request.user
    required = two_factor.requires_two_factor(user)
    if request.method == "POST":
        if not user.is_verified():
            raise PermissionDenied(_("Give a code of your authenticator app first."))
        action = request.POST.get("action")
        if action == "backup_codes":
            codes = two_factor.backup_codes_renew(user)
            return _backup_codes_page(request, codes, reverse("two_factor:account"), first=False)
        if action == "turn_off" and not required:
            two_factor.two_factor_reset(user)
            messages.success(request, _("Two-factor authentication is off."))
            return redirect("two_factor:account")
        raise PermissionDenied(_("This cannot be done for your account."))
    context = {
        "required": required,
        "has_app": two_factor.has_authenticator(user),
        "backup_codes_left": two_factor.backup_codes_left(user),
        "verified": user.is_verified(),
    }
    return render(request, "accounts/two_factor_account.html", context)


@login_required
@require_POST
def logout_everywhere(request: AuthenticatedRequest) -> HttpResponse:
    """Logs out this session, the user's sessions on other devices and revokes all their API
    tokens (the plain logout ends this session only). Not for a session that still needs
    its two-factor code: a password alone does not end the other sessions."""
    services.log_out_everywhere(user=request.user)
    logout(request)
    messages.success(
        request,
        _("You are logged out on every device, and your API tokens are revoked."),
    )
    return redirect(settings.LOGOUT_REDIRECT_URL)
