"""Failed logins limited per client address as well as per user (password spraying: one
password tried against many user names from one address).

django-axes locks a user name at an address after ``LOGIN_FAILURE_LIMIT`` failures. It compares
all its lockout parameters with that one limit, so an address-wide limit of its own needs more:
here the failures that axes recorded from one address, for any user name, within
``LOGIN_LOCKOUT_MINUTES``, are counted against ``LOGIN_ADDRESS_FAILURE_LIMIT``. Axes' records
are the only state, so the back office unlocks an address as it unlocks a user (``axes_reset_ip``
or the admin), and every web process sees the same count.

The lockout is shown as axes shows its own: ``request.axes_locked_out`` makes ``AxesMiddleware``
answer the web login with the lockout page (429); the token endpoint asks
:func:`refuse_locked_out`.
"""

import math

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from rest_framework.exceptions import Throttled

from pgb_admin.core.client_address import client_address


def address_failures(address: str | None) -> int:
    """Failed logins from ``address`` within the lockout period, for any user name."""
    if not address:
        return 0
    since = timezone.now() - get_cool_off()
    attempts = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since)
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def address_is_locked(address: str | None) -> bool:
    return address_failures(address) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT


class AddressLockoutBackend:
    """First in ``AUTHENTICATION_BACKENDS``: refuses every login from a locked address, right
    password or not. Logs no one in."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None and address_is_locked(client_address(request)):
            request.axes_locked_out = True
            raise PermissionDenied  # authenticate() stops and sends user_login_failed
        return None


def lock_out_address_after_failure(sender, credentials, request=None, **kwargs):
    """``user_login_failed``, after axes recorded the failure: the failure that reaches the
    address limit is refused as a lockout, as axes does with the one that reaches its own."""
    if request is not None and address_is_locked(client_address(request)):
        request.axes_locked_out = True
        if getattr(request, "axes_credentials", None) is None:
            request.axes_credentials = credentials


def refuse_locked_out(request) -> None:
    """For a login outside the web login form (the token endpoint): raise 429 when axes or the
    address limit locked this attempt out."""
    if getattr(request, "axes_locked_out", False):
        raise Throttled(
            wait=math.ceil(get_cool_off().total_seconds()),
            detail=_("Logging in failed too often. Try again later."),
        )
