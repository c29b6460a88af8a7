"""The API's reports are cached per data version (reports/cache.py, PostgreSQL only): a read
is served from the cache while the data it was made from is unchanged, every read is logged,
cached or not, and any committed change to that data (also one that leaves ``updated_at`` as it
was) makes the next read build the report again."""

from datetime import date

from django.core.cache import cache
from django.db import connection
from django.db.models import F

import pytest

from pgb_admin.audit.models import AccessEvent
from pgb_admin.budgets.models import Budget, BudgetHolder, HolderAdmission
from reports import cache as report_cache
from reports import selectors

from ..conftest import build_world, restore_reference_data
from ..factories import AuditorScopeFactory
from .conftest import token_client

MUNICIPAL = "/api/v1/reports/municipalities/GM0518/?year=2026"
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the data version is PostgreSQL's xmin"
)


@pytest.fixture
def builds(monkeypatch):
    """How many times each report was built."""
    counted = {"municipality": 0, "exhaustion": 0}

    def counting(kind, build):
        def wrapper(*args, **kwargs):
            counted[kind] += 1
            return build(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(
        selectors.MunicipalityReport,
        "build",
        counting("municipality", selectors.MunicipalityReport.build),
    )
    monkeypatch.setattr(
        selectors.ExhaustionReport,
        "build",
        counting("exhaustion", selectors.ExhaustionReport.build),
    )
    return counted


@pytest.fixture
def committed_world(transactional_db, reference_data):
    """The persona world committed, as the server's requests see it (outside a transaction)."""
    restore_reference_data(reference_data)
    cache.clear()
    report_cache._tables_of.clear()
    yield build_world()
    cache.clear()
    report_cache._tables_of.clear()


def _reads(what: str) -> int:
    return AccessEvent.objects.filter(what=what).count()


@on_postgresql
def test_the_municipal_report_is_built_again_only_after_its_data_changed(committed_world, builds):
    client = token_client(committed_world.users["auditor_same"])
    first = client.get(MUNICIPAL).json()  # the first build learns which tables it reads
    assert client.get(MUNICIPAL).json() == first  # built again, and stored
    assert builds["municipality"] == 2
    assert client.get(MUNICIPAL).json() == first  # from the cache
    assert builds["municipality"] == 2
    assert _reads("report:municipality") == 3  # every read is logged, cached or not

    # a change that leaves updated_at as it was
    changed = Budget.objects.filter(funder__code="GM0518").update(amount=F("amount") + 1)
    assert changed
    assert client.get(MUNICIPAL).json() != first
    assert builds["municipality"] == 3
    client.get(MUNICIPAL)
    assert builds["municipality"] == 3

    admission = HolderAdmission.objects.create(
        holder=committed_world.mine, kind="hospital", valid_from=date(2026, 3, 1)
    )
    client.get(MUNICIPAL)
    assert builds["municipality"] == 4
    admission.delete()
    client.get(MUNICIPAL)
    assert builds["municipality"] == 5
    assert _reads("report:municipality") == 7


@on_postgresql
def test_the_exhaustion_report_follows_its_holder_and_is_cached_per_user(committed_world, builds):
    holder = committed_world.mine
    path = f"/api/v1/reports/holders/{holder.pk}/exhaustion/"
    bureau = token_client(committed_world.users["bureau"])
    for _ in range(3):
        assert bureau.get(path).status_code == 200
    assert builds["exhaustion"] == 2
    family = token_client(committed_world.users["family"])
    assert family.get(path).status_code == 200  # another user: a report of their own
    assert builds["exhaustion"] == 3

    BudgetHolder.objects.filter(pk=holder.pk).update(surname="Anders")
    assert bureau.get(path).status_code == 200
    assert builds["exhaustion"] == 4
    assert _reads("report:exhaustion") == 5


def test_inside_a_transaction_a_report_is_always_built(world, builds):
    """Tests run in a transaction, as a task that writes might: no cache there (and none on
    SQLite at all)."""
    client = token_client(world.users["auditor_same"])
    for _ in range(3):
        assert client.get(MUNICIPAL).status_code == 200
    assert builds["municipality"] == 3
    assert _reads("report:municipality") == 3


@on_postgresql
def test_an_auditors_exhaustion_report_follows_their_scopes(committed_world, builds):
    """The funders an auditor audits are resolved once per request, before the report is
    built: the build looks them up again, so their table is part of the version."""
    path = f"/api/v1/reports/holders/{committed_world.mine.pk}/exhaustion/"
    auditor = committed_world.users["auditor_same"]
    client = token_client(auditor)
    for _ in range(3):
        before = client.get(path).json()
    assert builds["exhaustion"] == 2
    AuditorScopeFactory(
        user=auditor, funder=committed_world.care_office, valid_from=date(2026, 1, 1)
    )
    after = client.get(path).json()
    assert builds["exhaustion"] == 3
    assert len(after["grants"]) > len(before["grants"])
