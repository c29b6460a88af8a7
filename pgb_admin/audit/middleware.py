import re
import uuid

from pgb_admin.accounts.scoping import scopes_cached_per_request
from pgb_admin.core.client_address import client_address
from pgb_admin.figures.models import figures_cached_per_request

from .events import RequestContext, flush_page_reads, request_context

# a request id a proxy sends is kept when it is a plain token; anything else gets a new one
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class AccessContextMiddleware:
    """Gives every request an id (the ``X-Request-ID`` it came with, or a new one), sends it back
    in the response, and tells the access log and the change log where the request came from
    (the client's address from ``TRUSTED_PROXY_COUNT`` proxies, as everywhere).
    Before ``AuditlogMiddleware``, so both logs carry the same id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = sent if _REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
        request.META["HTTP_X_REQUEST_ID"] = request_id
        request.request_id = request_id
        context = RequestContext(remote_addr=client_address(request), request_id=request_id)
        token = request_context.set(context)
        try:
            # who may see what is resolved once per user, a statutory figure looked up once
            with scopes_cached_per_request(), figures_cached_per_request():
                response = self.get_response(request)
                # a page's read is logged with the outcome its response had
                # (events.log_page_read)
                flush_page_reads(context, status_code=response.status_code)
        finally:
            request_context.reset(token)
        response["X-Request-ID"] = request_id
        return response
