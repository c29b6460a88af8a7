"""The read rate of the API applied to the web pages: one budget per user (or per client address
without a login) for pages and API together, so switching between them gains nothing."""

import math

from django.conf import settings
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.functional import cached_property

from rest_framework import permissions

from pgb_admin.api.throttling import ReadRateThrottle


class PageReadRateMiddleware:
    """Answers a page read over the user's read rate with 429 and ``Retry-After``. After the
    authentication middleware (it counts per user). Not for the API (its views throttle
    themselves), the health check or static files (WhiteNoise serves those before this)."""

    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def exempt(self) -> tuple[str, ...]:
        try:
            health = reverse("health")
        except NoReverseMatch:  # a URLconf without the health check (some tests)
            health = "/health/"
        return ("/api/", health, "/" + settings.STATIC_URL.lstrip("/"))

    def __call__(self, request):
        if request.method in permissions.SAFE_METHODS and not request.path.startswith(self.exempt):
            throttle = ReadRateThrottle()
            if not throttle.allow_request(request, None):
                return too_many_requests(request, throttle.wait())
        return self.get_response(request)


def too_many_requests(request, wait: float | None):
    seconds = max(1, math.ceil(wait or 1))
    response = render(request, "429.html", {"retry_after": seconds}, status=429)
    response["Retry-After"] = str(seconds)
    return response
