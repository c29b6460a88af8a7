"""What the management commands share: reading the period, funder, holder and user options
into the same objects the services take. Bad arguments end with exit code 2."""

from datetime import date
from typing import overload

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from pgb_admin.budgets.models import BudgetHolder, Funder

from .periods import FIRST_DAY, LAST_DAY, is_supported

BAD_ARGUMENTS = 2


def add_scope_arguments(parser) -> None:
    parser.add_argument("--period", required=True, help="the month, YYYY-MM")
    parser.add_argument("--funder", help="only this funder, by code (e.g. GM0518)")
    parser.add_argument("--holder", type=int, help="only this budget holder, by internal id")
    parser.add_argument(
        "--user",
        help="act as this user (their mandates decide what is included); default: all holders",
    )


def parse_period(text: str) -> date:
    try:
        year, month = text.split("-")
        period = date(int(year), int(month), 1)
    except ValueError:
        raise CommandError(
            f"--period {text!r} is not a month: write YYYY-MM, e.g. 2026-10.",
            returncode=BAD_ARGUMENTS,
        ) from None
    if not is_supported(period):
        raise CommandError(
            f"--period {text!r} lies outside the supported range: give a month from "
            f"{FIRST_DAY:%Y-%m} to {LAST_DAY:%Y-%m}.",
            returncode=BAD_ARGUMENTS,
        )
    return period


def parse_funder(code: str | None) -> Funder | None:
    if not code:
        return None
    try:
        return Funder.objects.get(code=code.upper())
    except Funder.DoesNotExist:
        raise CommandError(
            f"--funder {code!r}: no such funder.", returncode=BAD_ARGUMENTS
        ) from None


@overload
def parse_holder(holder_id: int) -> int: ...


@overload
def parse_holder(holder_id: None) -> None: ...


def parse_holder(holder_id: int | None) -> int | None:
    if holder_id is not None and not BudgetHolder.objects.filter(pk=holder_id).exists():
        raise CommandError(f"--holder {holder_id}: no such holder.", returncode=BAD_ARGUMENTS)
    return holder_id


def actor_for(username: str | None):
    """The named user, or the system: an unsaved staff user that sees every holder."""
    user_model = get_user_model()
    if not username:
        return user_model(username="system", is_staff=True, is_active=True)
    try:
        return user_model.objects.get(username=username, is_active=True)
    except user_model.DoesNotExist:
        raise CommandError(
            f"--user {username!r}: no such user.", returncode=BAD_ARGUMENTS
        ) from None
