"""Contract fuzzing: schemathesis generates requests from the committed OpenAPI schema, valid
and invalid ones, for every operation, sends them in-process as every role on the seeded world
(a holder, a representative, a bureau, read-only family, an auditor, staff, a care provider and
someone without a token), and checks every answer: never a server error, always the documented
status codes, content types, headers and bodies, and invalid data always refused.

And no partial writes: every table of the application is read before and after each request,
and a request that is refused (4xx), or that only reads (GET, HEAD, OPTIONS), must leave them
all as they were (see snapshot.py for the few bookkeeping rows a refusal writes on purpose).

Generated ids mostly name nothing, so a third of them are replaced by ids of real objects
of the seeded world: requests then also reach the objects themselves. Per role, what is worth
its time in every run of the suite (``make fuzz`` sends many more random examples):

- the holder and the auditor, who reach the most, get schemathesis' coverage phase (boundaries,
  missing and wrongly typed values of every parameter, undeclared methods) and
  ``FUZZ_EXAMPLES`` random examples per operation;
- read-only family and the care provider get the coverage phase: every write they try must be
  refused and leave the data as it was;
- the representative, the bureau and staff, who may do what the holder does (so the
  holder's coverage phase is theirs too), and a request without a token (refused before
  anything is read) ``FUZZ_EXAMPLES`` random examples.

Each role and operation is a test of its own, so pytest-xdist spreads them over its workers.
The terminal summary (fuzz_tally.py) prints the requests of each role by status, with its
server errors."""

import os
import re

from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.utils import timezone

import pytest
import schemathesis
from hypothesis import settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from declarations.models import Expense, TimeEntry
from pgb_admin.accounts.models import ApiToken
from pgb_admin.accounts.services import api_token_issue
from pgb_admin.accounts.two_factor import two_factor_applies
from pgb_admin.audit.events import log_read

from . import snapshot
from .fuzz_tally import CASES, ROLES, UNCHANGED
from .test_schema import COMMITTED

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _schema(*phases: str):
    loaded = schemathesis.openapi.from_path(COMMITTED, config=SchemathesisConfig())
    loaded.config.phases.update(phases=list(phases))
    loaded.app = get_wsgi_application()
    return loaded


# all phases; random examples only; and the coverage phase without random examples
schema = _schema("examples", "coverage", "fuzzing")
fuzzing = _schema("examples", "fuzzing")
coverage = _schema("examples", "coverage")


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


@pytest.fixture(scope="module")
def authorizations(shared_api_world, django_db_blocker) -> dict[str, dict[str, str]]:
    """One bearer token per role, issued inside the module's world (and rolled back with it)."""
    headers = {}
    with django_db_blocker.unblock():
        for role, persona in ROLES.items():
            if persona is None:
                headers[role] = {}
            else:
                user = shared_api_world.users[persona]
                _, key = api_token_issue(user=user, with_two_factor=two_factor_applies(user))
                headers[role] = {"Authorization": f"Bearer {key}"}
    return headers


_IDS: dict[int, dict[str, list]] = {}


def _real_ids(world) -> dict[str, list]:
    """Ids of the seeded world, by the name of the field or the resource that takes them."""
    if id(world) not in _IDS:
        _IDS.clear()  # one world per module
        _IDS[id(world)] = _ids_of(world)
    return _IDS[id(world)]


def _ids_of(world) -> dict[str, list]:
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


@pytest.fixture
def watch() -> snapshot.DataWatch:
    return snapshot.DataWatch()


def _check(case, world, authorizations, watch, role: str) -> None:
    _seed(case, world)
    headers = authorizations[role]
    watch.before()
    response = case.call(headers=headers)
    CASES[role, response.status_code] += 1
    changed = watch.changes()
    if response.status_code >= 400 or case.method.upper() in SAFE_METHODS:
        assert not changed, (
            f"{case.method} {case.formatted_path} answered {response.status_code} and wrote "
            f"{changed}"
        )
        UNCHANGED[role] += 1
    # A value the schema allows can still break a rule the schema cannot state (hours in
    # quarters, a date inside the month, an id you may see): 400 is a fine answer to it.
    case.validate_response(
        response,
        headers=headers,
        excluded_checks=[positive_data_acceptance],
        transport_kwargs={"headers": headers},
    )


@schema.parametrize()
@settings(max_examples=EXAMPLES)
def test_as_a_holder(case, api_world, authorizations, watch):
    _check(case, api_world, authorizations, watch, "holder")


@fuzzing.parametrize()
@settings(max_examples=EXAMPLES)
def test_as_a_representative(case, api_world, authorizations, watch):
    _check(case, api_world, authorizations, watch, "representative")


@fuzzing.parametrize()
@settings(max_examples=EXAMPLES)
def test_as_a_bureau(case, api_world, authorizations, watch):
    _check(case, api_world, authorizations, watch, "bureau")


@coverage.parametrize()
def test_as_family_with_read_only_access(case, api_world, authorizations, watch):
    _check(case, api_world, authorizations, watch, "family")


@schema.parametrize()
@settings(max_examples=EXAMPLES)
def test_as_an_auditor(case, api_world, authorizations, watch):
    _check(case, api_world, authorizations, watch, "auditor")


@fuzzing.parametrize()
@settings(max_examples=EXAMPLES)
def test_as_staff(case, api_world, authorizations, watch):
    _check(case, api_world, authorizations, watch, "staff")


@coverage.parametrize()
def test_as_a_care_provider(case, api_world, authorizations, watch):
    """A care provider with access to one of the holder's agreements (issue 19): no mandate,
    so the API gives them what it gives a stranger, and never a server error."""
    _check(case, api_world, authorizations, watch, "provider")


@fuzzing.parametrize()
@settings(max_examples=EXAMPLES)
def test_without_a_token(case, api_world, authorizations, watch):
    _check(case, api_world, authorizations, watch, "anonymous")


def test_the_watch_sees_every_kind_of_write_and_only_those(api_world, authorizations, watch):
    entry = api_world.entry
    watch.before()
    assert watch.changes() == {}
    TimeEntry.objects.filter(pk=entry.pk).update(note="changed in bulk")  # no signals, no log
    assert set(watch.changes()) == {"declarations_timeentry"}
    with transaction.atomic():
        Expense.objects.filter(pk=api_world.expense.pk).delete()
        transaction.set_rollback(True)
    assert watch.changes() == {}  # written and rolled back: unchanged
    log_read(user=api_world.users["bureau"], what="probe", holder_id=api_world.mine.pk)
    ApiToken.objects.update(last_used_at=timezone.now())
    assert watch.changes() == {}  # the access log and a token's use are bookkeeping
    ApiToken.objects.filter(user=api_world.users["holder"]).delete()
    assert set(watch.changes()) == {"accounts_apitoken"}
