"""Where a request comes from: the one answer that throttling, login lockouts, the access log
and the change log all use.

Behind ``TRUSTED_PROXY_COUNT`` reverse proxies, each of which appends the address it received
the request from to ``X-Forwarded-For``, the client is that many entries from the right; what
lies further left was written by the client and can say anything. Without trusted proxies the
header is ignored and the client is the peer of the connection (``REMOTE_ADDR``).
"""

from ipaddress import ip_address

from django.conf import settings


def resolve_client_address(meta, trusted_proxy_count: int) -> str | None:
    """The client's address from a request's ``META``: ``REMOTE_ADDR`` without trusted
    proxies, or when the header has fewer entries than there are proxies (the request did not
    pass all of them) or the entry is not an address."""
    remote_addr = meta.get("REMOTE_ADDR") or None
    if trusted_proxy_count <= 0:
        return remote_addr
    forwarded = [entry.strip() for entry in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [entry for entry in forwarded if entry]
    if len(forwarded) < trusted_proxy_count:
        return remote_addr
    candidate = forwarded[-trusted_proxy_count]
    return candidate if _is_ip_address(candidate) else remote_addr


def client_address(request) -> str | None:
    """The client's address of ``request`` (also django-axes' ``AXES_CLIENT_IP_CALLABLE``).
    After :class:`ClientAddressMiddleware` this is ``REMOTE_ADDR``."""
    return resolve_client_address(request.META, settings.TRUSTED_PROXY_COUNT)


class ClientAddressMiddleware:
    """First of all middleware: puts the client's address in ``REMOTE_ADDR`` and removes
    ``X-Forwarded-For``, so that nothing after it (DRF's throttles, django-axes, the access log,
    django-auditlog, which takes the left-most entry of the header) can read another address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        address = client_address(request)
        request.META.pop("HTTP_X_FORWARDED_FOR", None)
        if address:
            request.META["REMOTE_ADDR"] = address
        request.__dict__.pop("headers", None)  # HttpRequest.headers is cached from META
        return self.get_response(request)


def _is_ip_address(value: str) -> bool:
    try:
        ip_address(value)
    except ValueError:
        return False
    return True
