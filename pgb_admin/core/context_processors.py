"""What the page header needs on every page: whom the user acts for (the holder switcher) and
which workspaces they have (bureau console, auditor workspace)."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from pgb_admin.accounts.constants import MandateRole
from pgb_admin.accounts.models import User
from pgb_admin.accounts.scoping import audited_funder_ids, represented_holder_ids
from pgb_admin.budgets.models import BudgetHolder, Funder

SWITCHER_LIMIT = 8  # the menu lists this many holders; with more it links to the search


def _acting_holders(user: User) -> list[Mapping[str, Any]]:
    ids = represented_holder_ids(user, roles=list(MandateRole))
    return list(
        BudgetHolder.objects.filter(pk__in=ids).values("pk", "initials", "first_name", "surname")[
            : SWITCHER_LIMIT + 1
        ]
    )


def _is_bureau(user: User) -> bool:
    return represented_holder_ids(user, roles=[MandateRole.BUREAU]).exists()


def _audited_funders(user: User) -> list[Funder]:
    return list(Funder.objects.filter(pk__in=audited_funder_ids(user)).order_by("name"))


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if getattr(request, "two_factor_pending", False):
        return {}  # only a password so far: no holder's name in the header
    return {
        "nav_holders": SimpleLazyObject(lambda: _holder_choices(_acting_holders(user))),
        "nav_switcher_limit": SWITCHER_LIMIT,
        "nav_is_bureau": SimpleLazyObject(lambda: _is_bureau(user)),
        "nav_audited_funders": SimpleLazyObject(lambda: _audited_funders(user)),
    }


def _holder_choices(rows: Iterable[Mapping[str, Any]]) -> list[tuple[int, str]]:
    return [
        (row["pk"], f"{row['first_name'] or row['initials']} {row['surname']}".strip())
        for row in rows
    ]
