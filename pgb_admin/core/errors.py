"""Errors the services raise besides plain field errors."""

from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """The request is well formed, but the state of what it would change forbids it: a
    declaration that is exported, a month whose hours are declared, a batch that is immutable.
    The API answers it with 409 and the problem code ``problem_code``; pages and commands show
    it like any other field error."""

    problem_code = "conflict"


class NotFound(Exception):
    """What was asked for does not exist for the asker (or may not be revealed to them). The
    API answers 404; on a page, :class:`~pgb_admin.core.not_found.NotFoundMiddleware` makes it
    Django's 404."""
