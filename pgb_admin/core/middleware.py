"""Response headers the web pages need beyond Django's SecurityMiddleware."""

from django.conf import settings

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
