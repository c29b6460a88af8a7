"""Import of a 100,000-row hours workbook (1,000 agreements x 100 days, January to April 2026)
through ``hours_import`` (read, check every row, store), against openpyxl read-only reading the
same file plus ``bulk_create`` of the same rows, interleaved, best of N, in one process. Each
round starts from no time entries (deleted before it, not timed); after each run the stored rows
must be exactly the file's, or the script exits 1. Timings are only reported, never asserted.

Needs a database: a throwaway SQLite file in a temporary directory (migrated, removed at the
end), whatever DATABASE_URL says; ``--use-database-url`` takes a PostgreSQL DATABASE_URL and
creates (and at the end drops) a database of its own next to the one named there.

    .venv/bin/python bench/bench_import.py --scale 1.0 [--profile] [--tracemalloc]
"""

import argparse
import cProfile
import gc
import io
import os
import pstats
import sqlite3
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    MB,
    _peak,
    _start_peak,
    megabytes,
    print_versions,
    seconds,
    setup_django,
    table,
    targets_block,
    timed,
    traced_peak,
    versions,
    write_json,
)

TARGET_RATIO = 2.5  # the import <= 2.5x openpyxl read-only + bulk_create of the same rows
FIRST_DAY = date(2026, 1, 1)
QUANTITIES = (4, 7.5, 6, 8, 3.25, 5.5, 2, 6.75, 4.5, 7)  # hours: ints and floats, as Excel has
FILENAME = "bench.xlsx"
TEST_DB_SUFFIX = "_bench_import"


# --- the database ------------------------------------------------------------------------------


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


# --- the workbook ------------------------------------------------------------------------------


def workbook(ids: list[int], days: int) -> tuple[bytes, set[tuple]]:
    """The hours sheet as a user (or another system) would upload it: the template's Dutch
    headers, one row per agreement and day with a quantity, empty notes and cost columns.
    Returns the file and the rows it means, as (agreement, date, quantity, note)."""
    from openpyxl import Workbook

    from declarations.imports.columns import COLUMNS, HOURS_SHEET

    book = Workbook(write_only=True)
    sheet = book.create_sheet(HOURS_SHEET)
    sheet.append([column.dutch for column in COLUMNS])
    empty = [None] * (len(COLUMNS) - 4)
    expected = set()
    for position, agreement_id in enumerate(ids):
        for offset in range(days):
            day = FIRST_DAY + timedelta(days=offset)
            quantity = QUANTITIES[(position * 7 + offset) % len(QUANTITIES)]
            sheet.append([agreement_id, day, quantity, "", *empty])
            expected.add((agreement_id, day, Decimal(str(quantity)), ""))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), expected


def fit_limits(content: bytes, rows: int) -> dict:
    """Raise IMPORT_MAX_BYTES / IMPORT_MAX_ROWS for this run when the file exceeds them."""
    from django.conf import settings

    from declarations.imports.uploads import max_rows, max_upload_bytes

    raised = {}
    if len(content) > max_upload_bytes():
        raised["IMPORT_MAX_BYTES"] = (max_upload_bytes(), len(content))
        settings.IMPORT_MAX_BYTES = len(content)
    if rows > max_rows():
        raised["IMPORT_MAX_ROWS"] = (max_rows(), rows)
        settings.IMPORT_MAX_ROWS = rows
    return raised


# --- the candidates ----------------------------------------------------------------------------


def run_import(user, content: bytes):
    from declarations.imports.hours import hours_import

    return hours_import(actor=user, filename=FILENAME, content=content)


def run_baseline(content: bytes) -> int:
    """openpyxl read-only over the same sheet, minimal conversion, one bulk insert."""
    from django.db import transaction

    import openpyxl

    from declarations.imports.columns import HOURS_SHEET
    from declarations.models import TimeEntry

    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        objs = [
            TimeEntry(
                agreement_id=int(agreement),
                care_date=day.date() if isinstance(day, datetime) else day,
                quantity=Decimal(str(quantity)),
                note=note or "",
            )
            for agreement, day, quantity, note, *_rest in book[HOURS_SHEET].iter_rows(
                min_row=2, values_only=True
            )
        ]
    finally:
        book.close()
    with transaction.atomic():
        TimeEntry.objects.bulk_create(objs, batch_size=2000)
    return len(objs)


def interleaved(candidates: dict, before, after, rounds: int, warmup: int = 1) -> dict:
    """Like common.best_of, with ``before()`` (the reset) and ``after(name, result)`` (the
    check) around every run, outside the clock and the memory peak."""
    for _ in range(warmup):
        for name, fn in candidates.items():
            before()
            after(name, fn())
    times: dict[str, list[float]] = {name: [] for name in candidates}
    peaks: dict[str, list[tuple]] = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, fn in candidates.items():
            before()
            gc.collect()
            rss_before = _start_peak()
            start = time.perf_counter()
            result = fn()
            times[name].append(time.perf_counter() - start)
            peaks[name].append((_peak(), rss_before))
            after(name, result)
    out = {}
    for name, values in times.items():
        peak, rss_before = max(peaks[name], key=lambda pair: pair[0] or 0)
        out[name] = {
            "best": min(values),
            "median": sorted(values)[len(values) // 2],
            "runs": values,
            "peak_rss": peak,
            "peak_rss_delta": None if rss_before is None or peak is None else peak - rss_before,
        }
    return out


# --- where the import spends its time ---------------------------------------------------------


def phases(user, content: bytes) -> list[dict]:
    """One import with its steps timed (inclusive) and their SQL statements counted."""
    from django.db import connection

    from declarations import services
    from declarations.imports import hours
    from declarations.models import TimeEntry

    stack: list[str] = []
    found: dict[str, dict] = {}

    def wrap(name: str, fn, depth: int):
        def timed_step(*args, **kwargs):
            entry = found.setdefault(name, {"step": name, "depth": depth, "s": 0.0, "calls": 0})
            stack.append(name)
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                entry["s"] += time.perf_counter() - start
                entry["calls"] += 1
                stack.pop()

        return timed_step

    def count(execute, sql, params, many, context):
        for name in stack:
            found[name]["queries"] = found[name].get("queries", 0) + 1
        return execute(sql, params, many, context)

    steps = [
        (hours, "read_upload", "read_upload (unzip checks + openpyxl read-only)", 0),
        (hours, "_parse", "_parse (cell values)", 0),
        (hours, "_agreements", "_agreements (scope)", 0),
        (hours, "_check_scope_and_days", "_check_scope_and_days", 0),
        (services, "month_is_locked", "services.month_is_locked", 1),
        (hours, "_row_error", "_row_error (check_quantity …)", 1),
        (hours, "_apply", "_apply (diff + store)", 0),
        (hours, "_existing", "_existing (stored entries, costs)", 1),
        (TimeEntry.objects, "bulk_create", "TimeEntry bulk_create", 1),
        (services, "back_to_draft", "services.back_to_draft", 1),
    ]
    saved = []
    for owner, attr, name, depth in steps:
        saved.append((owner, attr, owner.__dict__.get(attr, None)))
        setattr(owner, attr, wrap(name, getattr(owner, attr), depth))
    try:
        with connection.execute_wrapper(count):
            stack.append("hours_import")
            found["hours_import"] = {"step": "hours_import", "depth": -1, "s": 0.0, "calls": 1}
            _result, found["hours_import"]["s"] = timed(lambda: run_import(user, content))
            stack.pop()
    finally:
        for owner, attr, original in reversed(saved):
            if original is None:
                delattr(owner, attr)  # a manager's method: back to the class's
            else:
                setattr(owner, attr, original)
    order = ["hours_import", *(name for _o, _a, name, _d in steps)]
    return [found[name] for name in order if name in found]


def profile(user, content: bytes, ids: list[int], top: int = 15) -> dict:
    reset(ids)
    profiler = cProfile.Profile()
    profiler.enable()
    run_import(user, content)
    profiler.disable()
    out = {}
    for key in ("cumulative", "tottime"):
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream).strip_dirs().sort_stats(key)
        stats.print_stats(top if key == "cumulative" else 10)
        out[key] = stream.getvalue()
    return out


# --- main -------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 1,000 agreements")
    parser.add_argument("--agreements", type=int, default=None, help="overrides --scale")
    parser.add_argument("--days", type=int, default=100, help="rows per agreement (from 1 Jan)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile one import, top 15")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also the tracemalloc peak of one run each"
    )
    parser.add_argument(
        "--use-database-url",
        action="store_true",
        help="PostgreSQL from DATABASE_URL (a database of its own, dropped at the end)",
    )
    args = parser.parse_args()
    rounds = max(3, args.rounds)
    agreements = args.agreements or max(1, round(1_000 * args.scale))

    db = open_database(args.use_database_url)
    try:
        return bench(args, rounds, agreements, db)
    finally:
        close_database(db)


def bench(args, rounds: int, agreements: int, db: dict) -> int:
    from declarations.imports.problems import ImportRefused
    from declarations.imports.uploads import max_rows, max_upload_bytes

    info = versions()
    info["database"] = database_info(db)
    rows = agreements * args.days
    last_day = FIRST_DAY + timedelta(days=args.days - 1)
    print(
        f"== import benchmark: {rows:,} rows ({agreements:,} agreements x {args.days} days, "
        f"{FIRST_DAY} to {last_day}) =="
    )
    print_versions(info)
    print(f"database: {info['database']}; migrated in {seconds(db['migrate_s'])}")
    (user, ids), setup_s = timed(lambda: build_world(agreements))
    (content, expected), generate_s = timed(lambda: workbook(ids, args.days))
    raised = fit_limits(content, rows)
    print(
        f"setup (bulk_create, not timed): {agreements:,} holders, grants, providers, agreements "
        f"and mandates in {seconds(setup_s)}"
    )
    print(
        f"workbook: sheet 'Uren', {rows:,} rows x 8 columns, {len(content):,} bytes "
        f"({len(content) / MB:.1f} MB), written in {seconds(generate_s)}"
    )
    if raised:
        for name, (default, value) in raised.items():
            print(f"NOTE: {name} raised for this benchmark from {default:,} to {value:,}")
    else:
        print(
            f"the file fits the default limits (IMPORT_MAX_ROWS {max_rows():,}, "
            f"IMPORT_MAX_BYTES {max_upload_bytes():,})"
        )

    failures: list[str] = []

    def check(name: str, result) -> None:
        if name == "import" and result.total("entries_added") != rows:
            added = result.total("entries_added")
            failures.append(f"import: {added:,} entries added, not {rows:,}")
        got = stored(ids)
        if len(got) != rows or got != expected:
            failures.append(
                f"{name}: {len(got):,} rows stored, {len(got - expected):,} not in the file, "
                f"{len(expected - got):,} of the file missing"
            )

    candidates = {
        "import": lambda: run_import(user, content),
        "baseline": lambda: run_baseline(content),
    }
    print(f"\ntiming {rounds} interleaved rounds after a warm-up (reset before each run) …")
    try:
        timing = interleaved(candidates, lambda: reset(ids), check, rounds)
    except ImportRefused as refused:
        print(f"\nFAIL: the import refused the file ({len(refused.problems)} problems):")
        for item in refused.problems[:10]:
            print(f"  {item}")
        return 1

    traced = {}
    if args.tracemalloc:
        for name, fn in candidates.items():
            reset(ids)
            traced[name] = traced_peak(fn)
    reset(ids)
    steps = phases(user, content)

    print(f"\ntimes (best of {rounds}; median in brackets)")
    table(
        [
            [
                name,
                seconds(t["best"]),
                seconds(t["median"]),
                f"{rows / t['best']:,.0f}",
                megabytes(t["peak_rss"]),
                megabytes(t["peak_rss_delta"]),
                megabytes(traced.get(name)),
            ]
            for name, t in timing.items()
        ],
        ["what", "best", "median", "rows/s", "peak RSS", "delta RSS", "tracemalloc"],
    )
    print(
        "(import: hours_import = read_upload + checks + store; baseline: openpyxl read-only "
        "iter_rows + TimeEntry bulk_create(batch_size=2000) in one transaction)"
    )
    ratio = timing["import"]["best"] / timing["baseline"]["best"]
    print(f"\nratio import / baseline: {ratio:.2f}x")

    print("\nwhere one import spends its time (inclusive; a separate, untimed run)")
    table(
        [
            [
                "  " * (step["depth"] + 1) + step["step"],
                seconds(step["s"]),
                f"{step['s'] / steps[0]['s'] * 100:.0f}%",
                f"{step['calls']:,}",
                f"{step.get('queries', 0):,}",
            ]
            for step in steps
        ],
        ["step", "time", "share", "calls", "SQL"],
    )

    targets = [
        {
            "name": "import of the workbook <= 2.5x openpyxl read-only + bulk insert",
            "value": f"{ratio:.2f}x ({seconds(timing['import']['best'])} vs "
            f"{seconds(timing['baseline']['best'])}; peak RSS "
            f"{megabytes(timing['import']['peak_rss'])})",
            "limit": f"<= {TARGET_RATIO:g}x",
            "ok": ratio <= TARGET_RATIO,
        },
    ]
    targets_block(targets)
    print(
        f"\nsame rows stored ({rows:,} after every run, import = baseline = the file): "
        + ("yes" if not failures else "NO")
    )
    for failure in failures[:10]:
        print(f"  {failure}")

    profiled = None
    if args.profile:
        profiled = profile(user, content, ids)
        print("\ncProfile of one import: top 15 by cumulative time")
        print(profiled["cumulative"].strip())
        print("\nand top 10 by own time")
        print(profiled["tottime"].strip())

    write_json(
        "import",
        {
            "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "scale": args.scale,
            "agreements": agreements,
            "days": args.days,
            "rows": rows,
            "file_bytes": len(content),
            "limits_raised": raised,
            "versions": info,
            "setup_s": {"migrate": db["migrate_s"], "world": setup_s, "workbook": generate_s},
            "timing_s": timing,
            "tracemalloc_peak_bytes": traced or None,
            "ratio": ratio,
            "phases": steps,
            "profile": profiled,
            "targets": targets,
            "same_rows": not failures,
            "failures": failures,
        },
    )
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
