"""The database of the import benchmark: a throwaway SQLite file or a PostgreSQL database of
its own, migrated, and the world the import runs in (a bureau user with a mandate on every
holder, each with a grant, a provider and an hourly agreement)."""

import os
import sqlite3
import sys
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

from common import setup_django, timed

FIRST_DAY = date(2026, 1, 1)
TEST_DB_SUFFIX = "_bench_import"


def open_database(use_database_url: bool) -> dict:
    """Point Django at the benchmark's own database and migrate it; returns how to close it."""
    if use_database_url:
        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
            sys.exit("--use-database-url needs DATABASE_URL=postgres://… (PostgreSQL)")
        setup_django()
        from django.db import connection

        name = connection.settings_dict["NAME"]
        connection.settings_dict.setdefault("TEST", {})["NAME"] = name + TEST_DB_SUFFIX
        _, took = timed(
            lambda: connection.creation.create_test_db(
                verbosity=0, autoclobber=True, serialize=False
            )
        )
        return {"kind": "postgresql", "original_name": name, "migrate_s": took, "tmp": None}
    tmp = tempfile.TemporaryDirectory(prefix="pgb-bench-import-")
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(tmp.name) / 'bench.sqlite3'}"
    setup_django()
    from django.core.management import call_command

    _, took = timed(lambda: call_command("migrate", verbosity=0))
    return {"kind": "sqlite", "original_name": None, "migrate_s": took, "tmp": tmp}


def close_database(db: dict) -> None:
    from django.db import connection

    if db["kind"] == "postgresql":
        connection.creation.destroy_test_db(db["original_name"], verbosity=0)
    connection.close()
    if db["tmp"] is not None:
        db["tmp"].cleanup()


def database_info(db: dict) -> str:
    from django.db import connection

    if db["kind"] == "sqlite":
        where = connection.settings_dict["NAME"]
        return f"SQLite {sqlite3.sqlite_version} (temporary file {where})"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (server,) = cursor.fetchone()
    return f"PostgreSQL {server} (database {connection.settings_dict['NAME']}, dropped at the end)"


def build_world(agreements: int):
    """One bureau user with a mandate on ``agreements`` holders, each with a Wmo grant of The
    Hague, a provider and an hourly agreement (40 hours a week, approved, from 2026-01-01).
    Returns the user and the agreements' ids."""
    from contracts.constants import AgreementType, ApprovalStatus, ProviderKind, Relation
    from contracts.models import AgreementVersion, CareAgreement, HolderProvider, Provider
    from pgb_admin.accounts.constants import MandateRole
    from pgb_admin.accounts.models import Mandate, User
    from pgb_admin.budgets.constants import Scheme
    from pgb_admin.budgets.models import Budget, BudgetHolder, CareProduct, Funder
    from pgb_admin.figures.constants import RateUnit
    from tests.factories import bsn_from, iban_from

    batch = 2000
    the_hague = Funder.objects.get(code="GM0518")
    product, _created = CareProduct.objects.get_or_create(
        code="begeleiding_individueel",
        defaults={"name_nl": "Individuele begeleiding", "name_en": "Individual support"},
    )
    user = User(username="bench-bureau")
    user.set_unusable_password()
    user.save()
    numbers = range(agreements)
    holders = BudgetHolder.objects.bulk_create(
        [
            BudgetHolder(
                initials="B.",
                first_name=f"Bench{n}",
                surname="Benchmark",
                bsn=bsn_from(300_000_00 + n * 13),
                date_of_birth=date(1980, 5, 17),
            )
            for n in numbers
        ],
        batch_size=batch,
    )
    BudgetHolder.funders.through.objects.bulk_create(
        [
            BudgetHolder.funders.through(budgetholder_id=h.pk, funder_id=the_hague.pk)
            for h in holders
        ],
        batch_size=batch,
    )
    budgets = Budget.objects.bulk_create(
        [
            Budget(
                holder=h,
                funder=the_hague,
                scheme=Scheme.WMO,
                start_date=date(2026, 1, 1),
                end_date=date(2026, 12, 31),
                amount=Decimal("50000.00"),
                decision_date=date(2025, 12, 1),
                decision_reference=f"BENCH-{n}",
            )
            for n, h in zip(numbers, holders, strict=True)
        ],
        batch_size=batch,
    )
    Budget.products.through.objects.bulk_create(
        [Budget.products.through(budget_id=b.pk, careproduct_id=product.pk) for b in budgets],
        batch_size=batch,
    )
    providers = Provider.objects.bulk_create(
        [
            Provider(
                kind=ProviderKind.PERSON,
                name=f"B. Zorg{n}",
                date_of_birth=date(1985, 3, 3),
                iban=iban_from(500_000 + n),
            )
            for n in numbers
        ],
        batch_size=batch,
    )
    HolderProvider.objects.bulk_create(
        [
            HolderProvider(holder=h, provider=p, relation=Relation.NONE)
            for h, p in zip(holders, providers, strict=True)
        ],
        batch_size=batch,
    )
    created = CareAgreement.objects.bulk_create(
        [
            CareAgreement(holder=h, provider=p, agreement_type=AgreementType.EMPLOYMENT_HOURLY)
            for h, p in zip(holders, providers, strict=True)
        ],
        batch_size=batch,
    )
    AgreementVersion.objects.bulk_create(
        [
            AgreementVersion(
                agreement=a,
                budget=b,
                product=product,
                valid_from=FIRST_DAY,
                rate=Decimal("18.50"),
                unit=RateUnit.HOUR,
                hours_per_week=Decimal("40"),
                approval_status=ApprovalStatus.APPROVED,
            )
            for a, b in zip(created, budgets, strict=True)
        ],
        batch_size=batch,
    )
    Mandate.objects.bulk_create(
        [
            Mandate(user=user, holder=h, role=MandateRole.BUREAU, valid_from=date(2025, 1, 1))
            for h in holders
        ],
        batch_size=batch,
    )
    ids = [a.pk for a in created]
    if None in ids:  # a backend that does not return the ids of a bulk insert
        ids = list(CareAgreement.objects.order_by("pk").values_list("pk", flat=True))
    return user, sorted(ids)


def reset(ids: list[int]) -> None:
    """No time entries for the benchmark's agreements (a plain DELETE: no audit signals)."""
    from django.db import connection

    from declarations.models import TimeEntry

    entries = TimeEntry.objects.filter(agreement_id__gte=ids[0], agreement_id__lte=ids[-1])
    entries._raw_delete(entries.db)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {TimeEntry._meta.db_table}")


def stored(ids: list[int]) -> set[tuple]:
    from declarations.models import TimeEntry

    return set(
        TimeEntry.objects.filter(agreement_id__gte=ids[0], agreement_id__lte=ids[-1]).values_list(
            "agreement_id", "care_date", "quantity", "note"
        )
    )
