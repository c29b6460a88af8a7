import json
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from rest_framework import exceptions, parsers


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = _("The request body is too large.")
    default_code = "request_too_large"


class JSONParser(parsers.JSONParser):
    """JSON with a size limit (``API_MAX_JSON_BYTES``) whose numbers with a fraction become
    ``Decimal``, never float."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        limit = settings.API_MAX_JSON_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0) if request else 0
        except ValueError:
            length = 0
        if length > limit:
            raise RequestTooLarge(
                _("The request body has %(size)s bytes; at most %(limit)s are accepted.")
                % {"size": length, "limit": limit}
            )
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise RequestTooLarge()
        try:
            return json.loads(
                raw.decode(encoding), parse_float=Decimal, parse_constant=_refuse_constant
            )
        except (ValueError, UnicodeDecodeError, RecursionError) as error:
            raise exceptions.ParseError(
                _("The body is not valid JSON: %(error)s") % {"error": error}
            ) from None


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")
