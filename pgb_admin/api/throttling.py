"""Rate limits: on issuing tokens (per client address) and on writes (per user). Rates come
from ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` at every request, so settings overrides in
tests and deployments take effect."""

from rest_framework import permissions, throttling
from rest_framework.settings import api_settings


class _SettingsRate:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


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
