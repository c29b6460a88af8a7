"""Response headers beyond Django's SecurityMiddleware: the Content-Security-Policy, the
Permissions-Policy, and ``Cache-Control: no-store`` on whatever may hold personal data."""

from django.conf import settings
from django.http import FileResponse, StreamingHttpResponse
from django.utils.cache import add_never_cache_headers

# No inline scripts or styles anywhere in the pages: everything comes from our own static files.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


class ContentSecurityPolicyMiddleware:
    """Sets the Content-Security-Policy on the web pages (not on the admin and the API docs,
    which bring their own inline scripts)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.exempt = tuple(getattr(settings, "CSP_EXEMPT_PATHS", ("/admin/", "/api/")))

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(self.exempt):
            response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


# Browser features the app never uses, denied to the page and to anything it might embed.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


class PermissionsPolicyMiddleware:
    """Sets the Permissions-Policy on every response (before WhiteNoise, so static files too)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (Django's never-cache headers) on every response that may
    hold personal data, so no browser or proxy keeps a copy: every response to a logged-in
    user (a session or a bearer token), every API response and every download. A response
    that set its own Cache-Control keeps it; static files (WhiteNoise answers before this
    middleware) and anonymous pages such as ``/health/`` keep theirs. After Django's
    ``AuthenticationMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and _may_be_personal(request, response):
            add_never_cache_headers(response)
        return response


def _may_be_personal(request, response) -> bool:
    if request.path_info.startswith("/api/") or "Authorization" in request.headers:
        return True
    if isinstance(response, FileResponse | StreamingHttpResponse):
        return True
    if response.has_header("Content-Disposition"):
        return True
    # DRF sets request.user and request.auth on Django's request when it authenticates
    if getattr(request, "auth", None) is not None:
        return True
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated
