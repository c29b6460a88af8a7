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
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    MB,
    megabytes,
    print_versions,
    seconds,
    table,
    targets_block,
    timed,
    traced_peak,
    versions,
    write_json,
)
from import_runs import (
    fit_limits,
    interleaved,
    profile,
    run_baseline,
    run_import,
    workbook,
)
from import_world import (
    FIRST_DAY,
    build_world,
    close_database,
    database_info,
    open_database,
    reset,
    stored,
)

TARGET_RATIO = 2.5  # the import <= 2.5x openpyxl read-only + bulk_create of the same rows


# --- where the import spends its time ---------------------------------------------------------


def phases(user, content: bytes) -> list[dict]:
    """One import with its steps timed (inclusive) and their SQL statements counted."""
    from django.db import connection

    from declarations.imports import hours
    from declarations.models import TimeEntry
    from declarations.services import hour_checks
    from declarations.services import hours as hour_services

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
        (hour_services, "editable_agreements", "editable_agreements (scope)", 0),
        (hour_services, "row_refusals", "row_refusals", 0),
        (hour_checks, "locked_months", "locked_months", 1),
        (hour_checks, "_row_refusal", "_row_refusal (check_quantity …)", 1),
        (hour_services, "_changes", "_changes (diff + store)", 0),
        (hour_services, "_existing", "_existing (stored entries, costs)", 1),
        (TimeEntry.objects, "bulk_create", "TimeEntry bulk_create", 1),
        (hour_services, "back_to_draft_many", "back_to_draft_many", 1),
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
