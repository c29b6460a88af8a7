"""What every web page shares: the holder a page is about and what the user may do there,
the ``YYYY-MM`` month in URLs, and service errors shown on forms.

Pages stay thin: they read through the selectors, change through the services, and ask
:func:`holder_access` who the user is to the holder. Out of scope is a 404 (its existence is not
revealed); looking without the right to change is a page without write buttons, and a write
anyway is refused by the service with a 403.
"""

from dataclasses import dataclass
from datetime import date

from django import forms
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from pgb_admin.accounts.models import User
from pgb_admin.accounts.scoping import (
    ReadOnlyAccess,
    can_see_full_bsn,
    get_visible,
)
from pgb_admin.audit.events import log_page_read, log_refused
from pgb_admin.budgets.models import BudgetHolder

from .errors import Conflict, NotFound
from .periods import is_supported, parse_month


class AuthenticatedRequest(HttpRequest):
    """The request of a page behind ``login_required``: its user is logged in."""

    user: User


class MonthConverter:
    """``<month:month>`` in a URL: ``2026-10`` as ``date(2026, 10, 1)``; a month outside the
    supported range (``0001-01``, ``9999-12``: :mod:`pgb_admin.core.periods`) is not found."""

    regex = r"\d{4}-\d{2}"

    def to_python(self, value: str) -> date:
        month = parse_month(value)
        if month is None:
            raise ValueError(value)  # the URL does not match: a 404
        return month

    def to_url(self, value: date) -> str:
        return f"{value.year:04d}-{value.month:02d}"


class DateConverter:
    """``<date:day>`` in a URL: ``2026-11-30`` as ``date(2026, 11, 30)``; a day that does not
    exist or lies outside the supported range is not found."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise ValueError(value) from None  # the URL does not match: a 404
        if not is_supported(day):
            raise ValueError(value)
        return day

    def to_url(self, value: date) -> str:
        return value.isoformat()


#: the pages that show the full BSN to those who act for the holder
FULL_BSN_PAGES = frozenset({"dashboard"})


@dataclass(frozen=True)
class HolderAccess:
    """The holder a page is about, and what the user who asks may do with them."""

    holder: BudgetHolder
    can_write: bool
    acts_for_holder: bool  # holder, representative or bureau: sees the full BSN
    page: str = ""

    @property
    def bsn(self) -> str:
        """In full only on the holder's dashboard and for who acts for them; masked on every
        other page (SECURITY.md, "BSN")."""
        full = self.acts_for_holder and self.page in FULL_BSN_PAGES
        return self.holder.bsn if full else self.holder.masked_bsn

    @property
    def holder_id(self) -> int:
        return self.holder.pk


def holder_access(request, holder_id: int, *, page: str) -> HolderAccess:
    """The holder if the user may see them (else 404). A read by a bureau, read-only family,
    an auditor or staff is written to the access log for ``page``, with the outcome of the
    response (a page refused further on is not logged as done); a holder out of scope is
    logged refused."""
    user = request.user
    what = f"page:{page}"
    try:
        holder = get_visible(BudgetHolder.objects, user, pk=holder_id)
    except NotFound:
        log_refused(user=user, what=what, holder_id=holder_id)
        raise
    acting = can_see_full_bsn(user, holder)
    log_page_read(user=user, what=what, holder_id=holder.pk)
    can_write = BudgetHolder.objects.editable_by(user).filter(pk=holder.pk).exists()
    return HolderAccess(holder=holder, can_write=can_write, acts_for_holder=acting, page=page)


def require_write(access: HolderAccess) -> None:
    """Refuse a write by someone who may only look (403); the services check again."""
    if not access.can_write:
        raise ReadOnlyAccess


def show_service_error(form: forms.Form, error: Exception) -> None:
    """Put what a service refused on the form: field errors next to their field, the rest on
    top. Nothing was saved (every service runs in one transaction)."""
    if isinstance(error, IntegrityError):
        form.add_error(None, _("This was saved already; nothing was added twice."))
        return
    if not isinstance(error, ValidationError):  # Conflict is one too
        raise error
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, field_errors in error.error_dict.items():
        target = field if field in form.fields else None
        if target is None and field != NON_FIELD_ERRORS:
            field_errors = [
                ValidationError(f"{field}: {message}") for message in ValidationError(field_errors)
            ]
        form.add_error(target, field_errors)


#: what a service raises for input or state it refuses (a form shows it; nothing was saved)
SERVICE_ERRORS = (ValidationError, Conflict, IntegrityError)


def done(request, message: str) -> None:
    messages.success(request, message)


def refused(request, error) -> None:
    """What a service refused, as messages on the next page (for buttons without a form)."""
    for message in getattr(error, "messages", None) or [str(error)]:
        messages.error(request, message)
