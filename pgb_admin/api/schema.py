"""The OpenAPI schema (drf-spectacular): every operation also documents the problem responses
it can give and the ``Accept-Language`` header that chooses the language of messages. The
schema is written for developers, in English; the messages it describes follow the language."""

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from .problems import CONTENT_TYPE

ERROR_DESCRIPTIONS = {
    400: "Invalid input: each field in error is named in `invalid_params`.",
    401: "Not logged in, or the token is unknown, revoked or expired.",
    403: "Not allowed: read-only access (auditors, family), or a missing CSRF token.",
    404: "Not found, or outside what you may see.",
    409: "Refused by the state of the data: exported and frozen, or a duplicate.",
    413: "The request body is too large.",
    415: "Send JSON (application/json).",
    429: "Too many requests: wait as long as `Retry-After` says.",
}

ACCEPT_LANGUAGE = OpenApiParameter(
    "Accept-Language",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    description="The language of messages: `nl` (Dutch, the default) or `en` (English).",
)


class InvalidParamSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The field, e.g. `entries[3].quantity`.")
    code = serializers.CharField(help_text="A stable code for the kind of error.")
    reason = serializers.CharField(help_text="What is wrong, in the requested language.")


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField(help_text="urn:pgb-admin:problem:<code>")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(help_text="The path of the request.")
    code = serializers.CharField(
        help_text=(
            "invalid, conflict, budget_exceeded, duplicate, not_found, read_only, "
            "permission_denied, not_authenticated, authentication_failed, throttled, …"
        )
    )
    invalid_params = InvalidParamSerializer(many=True, required=False)


def problem_response(status: int, description: str) -> dict:
    """For ``extend_schema(responses=…)``: an operation that answers only with a problem."""
    return {(status, CONTENT_TYPE): OpenApiResponse(ProblemSerializer, description=description)}


def _has_body(method: str) -> bool:
    return method in ("POST", "PUT", "PATCH")


class AutoSchema(openapi.AutoSchema):
    def get_override_parameters(self):
        return [*super().get_override_parameters(), ACCEPT_LANGUAGE]

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status in self._error_statuses():
            responses.setdefault(
                str(status),
                self._get_response_for_code(
                    OpenApiResponse(ProblemSerializer, description=ERROR_DESCRIPTIONS[status]),
                    str(status),
                    media_types=[CONTENT_TYPE],
                    direction=direction,
                ),
            )
        return dict(sorted(responses.items()))

    def _error_statuses(self) -> list[int]:
        statuses = [400, 404, 429]
        if self.get_auth():
            statuses += [401, 403]
        if _has_body(self.method):
            statuses += [413, 415]
        if self.method != "GET":
            statuses.append(409)
        return sorted(statuses)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "pgb_admin.accounts.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from POST /api/v1/auth/token/.",
        }
