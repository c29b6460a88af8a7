"""Migration 0004 encrypts the BSNs a database already holds and drops the plaintext column;
going back decrypts them into a plaintext column again."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

import pytest

from pgb_admin.core import bsn_crypto
from pgb_admin.core.checks import check_stored_bsns_decrypt

from ..conftest import restore_reference_data
from ..factories import BudgetHolderFactory, bsn_from

BEFORE = ("budgets", "0003_budget_declared")
AFTER = ("budgets", "0004_budgetholder_bsn_encrypted")


def _migrate(target) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([target] if target else executor.loader.graph.leaf_nodes())


def _columns() -> set[str]:
    with connection.cursor() as cursor:
        return {
            column.name
            for column in connection.introspection.get_table_description(
                cursor, "budgets_budgetholder"
            )
        }


def _rows(columns: str) -> dict[int, tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {columns} FROM budgets_budgetholder")  # noqa: S608
        return {row[0]: row[1:] for row in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_bsns_and_back(reference_data):
    # the funders the figures' data migration reads when it runs again on the way forward; a
    # test with committed data before this one in the same process flushed them
    restore_reference_data(reference_data)
    holders = [BudgetHolderFactory(bsn=bsn_from(50_000_000 + n * 11)) for n in range(3)]
    bsns = {holder.pk: holder.bsn for holder in holders}
    try:
        _migrate(BEFORE)
        assert {"bsn"} <= _columns()
        assert not {"bsn_encrypted", "bsn_hash"} & _columns()
        assert {pk: bsn for pk, (bsn,) in _rows("bsn").items()} == bsns
        # the database check (run by migrate itself) lets the migration through
        assert check_stored_bsns_decrypt(None, databases=["default"]) == []

        _migrate(AFTER)
        assert "bsn" not in _columns()
        for pk, (token, digest) in _rows("bsn_encrypted, bsn_hash").items():
            assert bsns[pk] not in token
            assert bsn_crypto.decrypt(token) == bsns[pk]
            assert digest == bsn_crypto.hash_bsn(bsns[pk])
    finally:
        _migrate(None)
