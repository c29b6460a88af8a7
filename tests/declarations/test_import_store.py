"""The import's insert (declarations.imports.store.insert_new): COPY on PostgreSQL from
COPY_FROM_ROWS rows on, bulk_create otherwise; either way the rows stored are the objects given,
with their timestamps. Run with DATABASE_URL=postgres://… to cover COPY."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from declarations.constants import ExpenseKind
from declarations.imports.store import COPY_FROM_ROWS, insert_new
from declarations.models import Expense, TimeEntry

FIRST = date(2026, 1, 1)


def _entries(agreement, count: int) -> list[TimeEntry]:
    return [
        TimeEntry(
            agreement=agreement,
            care_date=FIRST + timedelta(days=offset % 365),
            quantity=Decimal(offset % 8) + Decimal("0.25"),
            note="nacht" if offset % 3 == 0 else "",
        )
        for offset in range(count)
    ]


@pytest.mark.parametrize("count", [3, COPY_FROM_ROWS + 100])
def test_insert_new_stores_exactly_the_entries(world, count):
    agreement = world.mine_wmo_agreement
    TimeEntry.objects.filter(agreement=agreement).delete()
    entries = _entries(agreement, count)

    assert insert_new(TimeEntry, entries) == count

    stored = TimeEntry.objects.filter(agreement=agreement)
    assert sorted(stored.values_list("care_date", "quantity", "note")) == sorted(
        (entry.care_date, entry.quantity, entry.note) for entry in entries
    )
    assert not stored.filter(created_at__isnull=True).exists()
    assert not stored.filter(updated_at__isnull=True).exists()


def test_insert_new_stores_expenses_with_empty_kilometres(world):
    agreement = world.mine_wmo_agreement
    Expense.objects.filter(agreement=agreement).delete()
    count = COPY_FROM_ROWS + 10
    expenses = [
        Expense(
            agreement=agreement,
            expense_date=FIRST + timedelta(days=offset % 28),
            kind=ExpenseKind.TRAVEL if offset % 2 else ExpenseKind.OTHER,
            kilometres=Decimal("12.5") if offset % 2 else None,
            amount=Decimal("2.88"),
            description=f"rit {offset}",
        )
        for offset in range(count)
    ]

    insert_new(Expense, expenses)

    stored = Expense.objects.filter(agreement=agreement)
    assert stored.count() == count
    assert stored.filter(kind=ExpenseKind.TRAVEL, kilometres=Decimal("12.5")).count() == (
        count // 2
    )
    assert stored.filter(kind=ExpenseKind.OTHER, kilometres__isnull=True).count() == (
        count - count // 2
    )
