"""The access matrix for the care provider's login (issue 19): a provider access is no mandate,
so through the API a provider with access to one of the holder's agreements gets exactly what a
stranger gets, on every endpoint and method of the matrix (``OPS``): the provider's pages are
the only way to their agreement, and nothing of the holder is reachable by the API."""

from datetime import date

import pytest

from pgb_admin.accounts.models import ProviderAccess

from ..factories import UserFactory
from .test_access_matrix import EXTRA_CASES, OPS, _status_as


@pytest.fixture
def provider_world(api_world):
    user = UserFactory(username="zorgverlener")
    ProviderAccess.objects.create(
        user=user, agreement=api_world.mine_wmo_agreement, valid_from=date(2026, 1, 1)
    )
    api_world.users["provider"] = user
    yield api_world
    del api_world.users["provider"]


@pytest.mark.parametrize(
    "op", [pytest.param(op, id=f"{op.id} {index}") for index, op in enumerate(OPS + EXTRA_CASES)]
)
def test_a_provider_gets_what_a_stranger_gets(provider_world, op):
    assert _status_as(provider_world, op, "provider") == op.statuses["stranger"]
