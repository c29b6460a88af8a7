"""Drafting, validating and exporting months of many declarations on PostgreSQL: seconds and
statements per 1,000 declarations, each phase a round of its own after a reset.

The database must exist and be migrated (it is kept: the world is made once, on the first run):

    createdb b_persist && DATABASE_URL=postgres://postgres@127.0.0.1:5432/b_persist \
        .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/b_persist \
        .venv/bin/python bench/profile_validate.py [--holders 1000] [--rounds 2]

Each holder has hours in September and October 2026: two declarations a holder. Timings are
only reported; the load average goes with them (the machine may be shared).
"""

import argparse
import itertools
import os
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pgb_admin.settings.test")

MONTHS = [date(2026, 9, 1), date(2026, 10, 1)]
USERNAME = "bench-persist"
PROFILE = False


def world(holders: int):
    from django.db import connection

    from declarations.demo.bureau import bureau_holders_create
    from pgb_admin.accounts.models import User
    from pgb_admin.budgets.models import Funder
    from tests.factories import bsn_from

    user, made = User.objects.get_or_create(username=USERNAME, defaults={"first_name": "Bram"})
    if made:
        bureau_holders_create(
            user=user,
            count=holders,
            bsns=(bsn_from(70_000_000 + n * 7) for n in itertools.count()),
            funders=list(Funder.objects.filter(code__in=["GM0518", "GM0106"])),
            months=MONTHS,
            year=2026,
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return user


def reset(user) -> None:
    from declarations.models import Batch, BatchFile, Declaration, Finding
    from pgb_admin.budgets.models import Budget

    mine = Declaration.objects.editable_by(user)
    Declaration.objects.filter(pk__in=mine.values("pk")).update(
        status="draft", validated_at=None, batch=None
    )
    Finding.objects.filter(declaration__in=mine).delete()
    BatchFile.objects.filter(batch__created_by=user).delete()
    Batch.objects.filter(created_by=user).delete()
    Budget.objects.filter(holder__mandates__user=user).update(declared=0)


def measured(label: str, count, work) -> dict:
    """``count``: the number of declarations, or a function that counts them afterwards."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        if PROFILE:
            import cProfile
            import pstats

            with cProfile.Profile() as profile:
                work()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        else:
            work()
        took = time.perf_counter() - started
    if callable(count):
        count = count()
    load = os.getloadavg()[0]
    per_1000 = 1000 / max(count, 1)
    row = {
        "phase": label,
        "declarations": count,
        "s_per_1000": took * per_1000,
        "queries_per_1000": len(queries.captured_queries) * per_1000,
        "load1": load,
    }
    print(
        f"{label:<28} {count:>6} decl  {row['s_per_1000']:7.2f} s/1000  "
        f"{row['queries_per_1000']:8.1f} queries/1000  load {load:.2f}",
        flush=True,
    )
    return row


def one_round(user) -> list[dict]:
    from auditlog.context import set_actor

    from declarations.models import Declaration
    from declarations.services import declarations as services
    from declarations.services.batches import month_export

    rows = []
    reset(user)
    with set_actor(user):
        drafted: list = []
        rows.append(
            measured(
                "draft (declarations_draft_period)",
                lambda: len(drafted),
                lambda: drafted.extend(
                    d
                    for month in MONTHS
                    for d in services.declarations_draft_period(actor=user, month=month)
                ),
            )
        )
        ids = sorted(d.pk for d in drafted)
        first = ids[:1000]
        rows.append(
            measured(
                "declaration_validate x1000",
                len(first),
                lambda: services.declaration_validate(actor=user, declaration_ids=first),
            )
        )
        reset(user)
        rows.append(
            measured(
                "validate_in_chunks (all)",
                len(ids),
                lambda: services.declarations_validate_in_chunks(actor=user, declaration_ids=ids),
            )
        )
        validated = Declaration.objects.filter(pk__in=ids, status="validated").count()
        rows.append(
            measured(
                "month_export (both months)",
                validated,
                lambda: [month_export(actor=user, month=month) for month in MONTHS],
            )
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--holders", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--profile", action="store_true", help="cProfile each phase")
    args = parser.parse_args()
    global PROFILE
    PROFILE = args.profile
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    user = world(args.holders)
    for number in range(args.rounds):
        print(f"-- round {number + 1} ({ROOT})")
        one_round(user)
    return 0


if __name__ == "__main__":
    sys.exit(main())
