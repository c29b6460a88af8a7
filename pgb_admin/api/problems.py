"""Errors as RFC 9457 problem details (``application/problem+json``).

Every error the API gives has the same body: ``type``, ``title``, ``status``, ``detail``,
``instance``, a stable ``code`` and, for errors in what the client sent, ``invalid_params``
naming each field (``entries[3].quantity``) with its own code and reason. The services raise
Django's ``ValidationError`` (400), :class:`~pgb_admin.core.errors.Conflict` (409, also for a
duplicate), :class:`~pgb_admin.core.errors.NotFound` or ``Http404`` (404) and
``PermissionDenied`` (403); this module is the one place that turns them, and DRF's own
exceptions, into responses.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _

from rest_framework import exceptions
from rest_framework.settings import api_settings

from pgb_admin.accounts.scoping import ReadOnlyAccess
from pgb_admin.core.errors import Conflict, NotFound

CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:pgb-admin:problem:"

# codes of field errors that mean "this exists already"
DUPLICATE_CODES = frozenset({"unique", "unique_together", "unique_constraint"})

TITLES = {
    400: _("The request is not valid."),
    401: _("Log in first."),
    403: _("You may not do this."),
    404: _("Not found."),
    405: _("This method is not allowed here."),
    406: _("This representation cannot be given."),
    409: _("This conflicts with the current state."),
    413: _("The request is too large."),
    415: _("This content type is not supported."),
    429: _("Too many requests."),
    500: _("Something went wrong on our side."),
}


def problem(
    *,
    status: int,
    code: str,
    detail="",
    instance: str = "",
    invalid_params: list[dict] | None = None,
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    body = {
        "type": TYPE_PREFIX + code,
        "title": force_str(TITLES.get(status, TITLES[400 if status < 500 else 500])),
        "status": status,
        "detail": force_str(detail or TITLES.get(status, "")),
        "instance": instance,
        "code": code,
    }
    if invalid_params is not None:
        body["invalid_params"] = invalid_params
    response = JsonResponse(body, status=status, encoder=DjangoJSONEncoder)
    response["Content-Type"] = CONTENT_TYPE
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def exception_handler(exc, context):
    """DRF's hook: the problem response for ``exc``, or None to let it be a server error."""
    instance = context["request"].path if context.get("request") is not None else ""
    if isinstance(exc, DjangoValidationError):
        return _django_validation_problem(exc, instance)
    if isinstance(exc, IntegrityError):
        return problem(
            status=409,
            code="duplicate",
            detail=_("This exists already, or was changed at the same time by another request."),
            instance=instance,
        )
    if isinstance(exc, Http404 | NotFound):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, ReadOnlyAccess):
        exc = exceptions.PermissionDenied(exc.args[0], code="read_only")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    if not isinstance(exc, exceptions.APIException):
        return None
    if isinstance(exc, exceptions.ValidationError):
        params = list(_flatten(exc.detail))
        return problem(
            status=400,
            code="invalid",
            detail=params[0]["reason"] if params else "",
            instance=instance,
            invalid_params=params,
        )
    headers = {}
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    wait = getattr(exc, "wait", None)
    if wait:
        headers["Retry-After"] = f"{int(wait)}"
    code = exc.get_codes()
    return problem(
        status=exc.status_code,
        code=code if isinstance(code, str) else exc.default_code,
        detail=exc.detail if isinstance(exc.detail, str) else "",
        instance=instance,
        headers=headers,
    )


def _django_validation_problem(error: DjangoValidationError, instance: str) -> JsonResponse:
    params = [
        {"name": name, "code": part.code or "invalid", "reason": _render(part)}
        for name, parts in _django_errors(error)
        for part in parts
    ]
    codes = {param["code"] for param in params}
    if isinstance(error, Conflict):
        status, code = 409, getattr(error, "problem_code", "conflict")
    elif codes and codes <= DUPLICATE_CODES:
        status, code = 409, "duplicate"
    else:
        status, code = 400, "invalid"
    return problem(
        status=status,
        code=code,
        detail=params[0]["reason"] if params else "",
        instance=instance,
        invalid_params=params,
    )


def _django_errors(error: DjangoValidationError):
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    if hasattr(error, "error_dict"):
        for name, parts in error.error_dict.items():
            yield (non_field if name == "__all__" else name), parts
    else:
        yield non_field, error.error_list


def _render(part: DjangoValidationError) -> str:
    message = part.message
    if part.params:
        message = message % part.params
    return force_str(message)


def _flatten(detail, name: str = ""):
    """DRF's nested error detail as a flat list of named errors."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):  # a row of a list
                yield from _flatten(value, f"{name}[{key}]")
            else:
                yield from _flatten(value, f"{name}.{key}" if name else str(key))
    elif isinstance(detail, list):
        if all(isinstance(item, exceptions.ErrorDetail) for item in detail):
            for item in detail:
                yield _param(name, item)
        else:
            for index, value in enumerate(detail):
                if value:
                    yield from _flatten(value, f"{name}[{index}]")
    else:
        yield _param(name, detail)


def _param(name: str, item) -> dict:
    return {
        "name": name or api_settings.NON_FIELD_ERRORS_KEY,
        "code": getattr(item, "code", None) or "invalid",
        "reason": force_str(item),
    }
