"""Rate limits: on issuing tokens (per client address), on writes and on reads (per user; the
web pages count with the API, see ``pgb_admin.core.page_throttle``). Rates come
from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` at every request, so settings overrides in
tests and deployments take effect."""

from django.core.cache import cache

from rest_framework import permissions, throttling
from rest_framework.settings import api_settings


class _SettingsRate:
    scope: str | None  # the throttle's

    def get_rate(self) -> str | None:
        # djangorestframework-stubs types the rates as numbers; they are texts ("300/minute")
        rates: dict[str, str | None] = api_settings.DEFAULT_THROTTLE_RATES  # type: ignore[assignment]
        return rates.get(self.scope or "")


class WriteRateThrottle(_SettingsRate, throttling.UserRateThrottle):
    scope = "write"

    def allow_request(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class TokenRateThrottle(_SettingsRate, throttling.AnonRateThrottle):
    """Counts by client address, whether or not the request carries a login."""

    scope = "token"

    def allow_request(self, request, view) -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ReadRateThrottle(_SettingsRate, throttling.UserRateThrottle):
    """Reads (GET, HEAD, OPTIONS) per user, or per client address without a login. Bureaus and
    staff, who work for many holders, count against the higher ``read_bureau`` rate."""

    scope = "read"

    def allow_request(self, request, view) -> bool:
        if request.method not in permissions.SAFE_METHODS:
            return True
        self.scope = read_scope(request.user)
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


# how long a user's read rate (bureau or not) is remembered: a new or ended bureau mandate
# takes effect within this time, and a read costs one cache lookup instead of a query
READ_SCOPE_SECONDS = 60


def read_scope(user) -> str:
    if user is None or not user.is_authenticated:
        return "read"
    if user.is_staff:
        return "read_bureau"
    is_bureau = cache.get_or_set(
        f"throttle_read_scope_{user.pk}", lambda: _acts_as_bureau_today(user), READ_SCOPE_SECONDS
    )
    return "read_bureau" if is_bureau else "read"


def _acts_as_bureau_today(user) -> bool:
    from pgb_admin.accounts.constants import MandateRole
    from pgb_admin.accounts.scoping import represented_holder_ids

    return represented_holder_ids(user, roles=[MandateRole.BUREAU]).exists()


class LookupRateThrottle(_SettingsRate, throttling.UserRateThrottle):
    """BSN lookups per user (``lookup``), on top of the other limits: each answer says whether
    a BSN is among the user's holders, so guessing through it is kept slow."""

    scope = "lookup"

    def allow_request(self, request, view) -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)
