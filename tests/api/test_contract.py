"""Contract fuzzing: schemathesis generates requests from the committed OpenAPI schema, valid
and invalid ones, for every operation, sends them in-process as a holder and as an auditor on
the seeded world, and checks every answer: never a server error, always the documented status
codes, content types, headers and bodies, and invalid data always refused.

Generated ids mostly name nothing, so a third of them are replaced by ids of real objects
of the seeded world: requests then also reach the objects themselves. ``FUZZ_EXAMPLES`` sets
the examples per operation (``make fuzz`` runs many more than the suite does).
"""

import os
import re
from collections import Counter

from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

import pytest
import schemathesis
from hypothesis import settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from .conftest import token_client
from .test_schema import COMMITTED

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))


schema = schemathesis.openapi.from_path(COMMITTED)
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI application closes the database connection after each request, as a server
    must; in a test that would end the test's transaction. Django's test client does the
    same as this fixture."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _real_ids(world) -> dict[str, list[int]]:
    """Ids of the seeded world, by the name of the field or the resource that takes them."""
    return {
        "holder": [world.mine.pk, world.sibling.pk, world.theirs.pk],
        "budget": [world.mine_wmo_budget.pk, world.mine_wlz_budget.pk],
        "provider": [world.mine_provider.pk],
        "agreement": [world.mine_wmo_agreement.pk, world.mine_wlz_agreement.pk],
        "finding": [world.warning.pk],
        "budget-holders": [world.mine.pk, world.theirs.pk],
        "budgets": [world.mine_wmo_budget.pk],
        "providers": [world.mine_provider.pk],
        "agreements": [world.mine_wmo_agreement.pk],
        "time-entries": [world.entry.pk],
        "expenses": [world.expense.pk],
        "declarations": [world.draft.pk, world.exported.pk, world.ready.pk],
        "batches": [world.batch.pk],
        "funders": [world.the_hague.pk, world.assen.pk],
        "version_id": [world.mine_wmo_agreement.versions.get().pk],
        "reports/holders": [world.mine.pk, world.theirs.pk],
        "reports/files": [world.report_file.pk],
        "code": ["GM0518", "GM0106"],
    }


def _seed(case, world) -> None:
    """Point about a third of the generated ids at real objects (deterministically)."""
    ids = _real_ids(world)
    parts = case.path.split("/")
    resource = "/".join(parts[3:5]) if parts[3] == "reports" else parts[3]
    for name, value in (case.path_parameters or {}).items():
        pool = ids.get(name if name in ("version_id", "code") else resource)
        # a string is replaced only where it fits the parameter, so invalid cases stay invalid
        fits = isinstance(value, str) and (
            re.fullmatch(r"[A-Za-z0-9-]{2,20}", value) if name == "code" else value.isdigit()
        )
        if pool and fits and len(value) % 3 == 0:
            case.path_parameters[name] = pool[len(value) // 3 % len(pool)]
        elif pool and isinstance(value, int) and value % 3 == 0:
            case.path_parameters[name] = pool[value // 3 % len(pool)]
    if isinstance(case.body, dict):
        for name, value in case.body.items():
            pool = ids.get(name)
            if pool and isinstance(value, int) and not isinstance(value, bool) and value % 3 == 0:
                case.body[name] = pool[value // 3 % len(pool)]


CASES: Counter = Counter()  # (persona, status) -> requests; reported by make fuzz


def _check(case, world, persona: str) -> None:
    _seed(case, world)
    client = token_client(world.users[persona])
    authorization = client._credentials["HTTP_AUTHORIZATION"]
    # A value the schema allows can still break a rule the schema cannot state (hours in
    # quarters, a date inside the month, an id you may see): 400 is a fine answer to it.
    response = case.call_and_validate(
        headers={"Authorization": authorization},
        excluded_checks=[positive_data_acceptance],
    )
    CASES[persona, response.status_code] += 1


@schema.parametrize()
@settings(max_examples=EXAMPLES)
def test_as_a_holder(case, api_world):
    _check(case, api_world, "holder")


@schema.parametrize()
@settings(max_examples=EXAMPLES)
def test_as_an_auditor(case, api_world):
    _check(case, api_world, "auditor_same")
