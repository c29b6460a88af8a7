"""The access matrix for the care provider's login (issue 19): a provider access is no mandate,
so through the API a provider with access to one of the holder's agreements gets exactly what a
stranger gets, on every endpoint and method of the matrix (``OPS``): the provider's pages are
the only way to their agreement, and nothing of the holder is reachable by the API. The
provider (tests/api/conftest.py) has access to the holder's Wmo agreement."""

import pytest

from .test_access_matrix import EXTRA_CASES, OPS, _status_as


@pytest.mark.parametrize(
    "op", [pytest.param(op, id=f"{op.id} {index}") for index, op in enumerate(OPS + EXTRA_CASES)]
)
def test_a_provider_gets_what_a_stranger_gets(api_world, op):
    assert _status_as(api_world, op, "provider") == op.statuses["stranger"]
