"""The second step of a login: a session that still needs its two-factor code reaches only the
pages of logging in and out, a new password by e-mail, the language switch and the two-factor
pages themselves. And the end of sessions that logged in before the user logged out
everywhere."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse

from .sessions import session_ended
from .two_factor import has_device, two_factor_applies

OPEN_VIEWS = frozenset(
    {
        "login",
        "logout",
        "set_language",
        "health",
        "two_factor:setup",
        "two_factor:verify",
        # a new password by e-mail: public pages that log no one in
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        # a reminder e-mail's unsubscribe link: the signed token is the proof, no login needed
        "reports:unsubscribe",
    }
)
API_PREFIX = "/api/"


class TwoFactorMiddleware:
    """Every other request of such a session (the admin too) is sent to verify its code, or to
    set up an authenticator app first. In the API the session counts as not logged in: a
    script's bearer token asks for the code when it is issued. Sets
    ``request.two_factor_pending`` so pages show nothing of the user's data meanwhile.

    Needs django-otp's ``OTPMiddleware`` before it (``request.user.is_verified()``)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        request.two_factor_pending = self._pending(request)
        if request.two_factor_pending and not self._open(request):
            if request.path_info.startswith(API_PREFIX):
                request.user = AnonymousUser()
            else:
                return self._to_two_factor(request)
        return self.get_response(request)

    @staticmethod
    def _pending(request) -> bool:
        user = request.user
        return bool(user.is_authenticated and not user.is_verified() and two_factor_applies(user))

    def _open(self, request) -> bool:
        if request.path_info.startswith(self.static_prefix):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return match.view_name in OPEN_VIEWS

    @staticmethod
    def _to_two_factor(request) -> HttpResponseRedirect:
        step = "two_factor:verify" if has_device(request.user) else "two_factor:setup"
        url = reverse(step)
        if request.method in ("GET", "HEAD"):
            url += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(url)


class SessionsEndedMiddleware:
    """Logs out a web session that logged in before the user chose "log out everywhere"
    (``User.sessions_valid_after``); the request goes on as anonymous. Needs Django's
    ``AuthenticationMiddleware`` before it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and session_ended(request.session, user):
            logout(request)
        return self.get_response(request)
