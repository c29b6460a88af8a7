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
    report_cache._triggered.clear()
    yield build_world()
    cache.clear()
    report_cache._tables_of.clear()
    report_cache._triggered.clear()


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


def _other_connection():
    """A second connection to the test database, as another process's would be."""
    raw = connection.get_new_connection(connection.get_connection_params())
    raw.autocommit = False
    return raw


@on_postgresql
def test_a_write_running_while_the_report_is_built_makes_the_next_read_build_again(
    committed_world, builds
):
    """The commit race: a transaction that has written (and has its id) but not committed
    when the report is stored is in the report's snapshot as running; once it commits, the
    report is built again, whatever the order of the transactions' ids."""
    client = token_client(committed_world.users["auditor_same"])
    first = client.get(MUNICIPAL).json()
    client.get(MUNICIPAL)  # stored
    assert builds["municipality"] == 2

    other = _other_connection()
    try:
        with other.cursor() as cursor:  # written, not committed: the report cannot see it
            cursor.execute(
                "UPDATE budgets_budget SET amount = amount + 1 WHERE funder_id = "
                "(SELECT id FROM budgets_funder WHERE code = 'GM0518')"
            )
        cache.clear()
        assert client.get(MUNICIPAL).json() == first  # built (nothing cached), stored
        assert client.get(MUNICIPAL).json() == first  # from the cache
        assert builds["municipality"] == 3
        other.commit()
    finally:
        other.close()
    assert client.get(MUNICIPAL).json() != first
    assert builds["municipality"] == 4
    client.get(MUNICIPAL)
    assert builds["municipality"] == 4


@on_postgresql
def test_a_rolled_back_write_leaves_the_cached_report(committed_world, builds):
    client = token_client(committed_world.users["auditor_same"])
    for _ in range(2):
        client.get(MUNICIPAL)
    other = _other_connection()
    try:
        with other.cursor() as cursor:
            cursor.execute("UPDATE budgets_budget SET amount = amount + 1")
        other.rollback()
    finally:
        other.close()
    client.get(MUNICIPAL)
    assert builds["municipality"] == 2


@on_postgresql
def test_a_cached_read_does_not_scan_the_reports_tables(committed_world, builds):
    """The version is checked against the change log (one query), not by reading the
    tables the report was made from."""
    client = token_client(committed_world.users["auditor_same"])
    for _ in range(2):
        client.get(MUNICIPAL)
    executed: list[str] = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        assert client.get(MUNICIPAL).status_code == 200
    assert builds["municipality"] == 2
    version = [sql for sql in executed if "reports_datachange" in sql]
    assert len(version) == 1
    assert not any('"budgets_budget"' in sql or '"declarations_' in sql for sql in executed)


@on_postgresql
def test_a_report_reading_a_table_without_the_trigger_is_never_cached(committed_world, builds):
    client = token_client(committed_world.users["auditor_same"])
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE budgets_budget DISABLE TRIGGER reports_data_change")
    report_cache._triggered.clear()
    try:
        for _ in range(3):
            assert client.get(MUNICIPAL).status_code == 200
        assert builds["municipality"] == 3
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE budgets_budget ENABLE TRIGGER reports_data_change")
        report_cache._triggered.clear()
    client.get(MUNICIPAL)  # stored again
    client.get(MUNICIPAL)
    assert builds["municipality"] == 4


@on_postgresql
def test_pruning_the_change_log_rebuilds_reports_older_than_its_horizon(committed_world, builds):
    client = token_client(committed_world.users["auditor_same"])
    for _ in range(2):
        client.get(MUNICIPAL)
    Budget.objects.filter(funder__code="GM0518").update(amount=F("amount") + 1)
    client.get(MUNICIPAL)  # built again after the change, stored
    client.get(MUNICIPAL)
    assert builds["municipality"] == 3

    # the horizon moves to the candidate: the oldest transaction running now (in the whole
    # cluster: another database's open transaction holds it back, so the test goes no further
    # than it can know)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE reports_datachangehorizon "
            "SET candidate = pg_snapshot_xmin(pg_current_snapshot())"
        )
    report_cache._prune(force=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT xid::text FROM reports_datachangehorizon")
        horizon = int(cursor.fetchone()[0])
        cursor.execute(
            "SELECT count(*) FROM reports_datachange "
            "WHERE xid < (SELECT xid FROM reports_datachangehorizon)"
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT pg_current_snapshot()::text")
        now = cursor.fetchone()[0]
    tables = frozenset({Budget._meta.db_table})
    before_the_horizon = f"{horizon - 1}:{horizon - 1}:"
    assert report_cache._check(before_the_horizon, tables)[1] is False  # counts as changed
    assert report_cache._check(now, tables)[1] is True  # nothing changed since: served


@on_postgresql
def test_a_report_stored_by_a_process_that_knew_more_tables_is_checked_against_them(
    committed_world, builds
):
    """The cache is shared by the web processes: one that has learned fewer of the report's
    tables still checks a stored report against every table its build read."""
    client = token_client(committed_world.users["auditor_same"])
    for _ in range(2):
        client.get(MUNICIPAL)
    assert "budgets_budget" in report_cache._tables_of["municipality"]
    report_cache._tables_of["municipality"] -= {"budgets_budget"}  # as another process knows
    Budget.objects.filter(funder__code="GM0518").update(amount=F("amount") + 1)
    client.get(MUNICIPAL)
    assert builds["municipality"] == 3
