"""The services' :class:`~pgb_admin.core.errors.NotFound` on a page: Django's 404, the same
response as a view raising ``Http404`` gives (the project's 404 page, or the technical one with
DEBUG). The API turns it into a problem itself (``pgb_admin.api.problems``)."""

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponseBase

from .errors import NotFound


class NotFoundMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, NotFound):
            # raised here, Django answers it where it answers a view's Http404
            raise Http404(*exception.args) from exception
