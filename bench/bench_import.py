"""Import of a 100,000-row hours workbook (1,000 agreements x 100 days, January to April 2026)
through ``hours_import`` (read, check every row, store), against openpyxl read-only reading the
same file plus one bulk insert of the same rows (COPY on PostgreSQL, ``bulk_create`` on SQLite),
interleaved rounds until the figures are steady, in one process; and the memory one import
adds. Each round starts from no time entries (deleted before it, not timed); after each run the
stored rows must be exactly the file's, or the script exits 1. Timings get a PASS/FAIL verdict,
never a failure of the script.

Needs a database: a throwaway SQLite file in a temporary directory (migrated, removed at the
end), whatever DATABASE_URL says; ``--use-database-url`` takes a PostgreSQL DATABASE_URL and
creates (and at the end drops) a database of its own next to the one named there.

    .venv/bin/python bench/bench_import.py --scale 1.0 [--profile] [--no-tracemalloc]
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
    ratio_of,
    seconds,
    stable_rounds,
    steadiness,
    table,
    timed,
    traced_peak,
    verdict,
    versions,
    write_json,
)
from import_runs import (
    fit_limits,
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

TARGET_RATIO = 1.3  # issue 18: the import <= 1.3x openpyxl read-only + COPY (PostgreSQL)
TARGET_ADDED = 100 * MB  # the memory one import adds


# --- where the import spends its time ---------------------------------------------------------


def phases(user, content: bytes) -> list[dict]:
    """One import with its steps timed (inclusive) and their SQL statements counted."""
    from django.db import connection

    from declarations.imports import hours
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
        (hour_services, "_stored_days", "_stored_days (stored entries)", 1),
        (hour_services, "_existing", "_existing (stored entries, costs)", 1),
        (hour_services, "insert_rows", "insert_rows (entries: COPY on PostgreSQL)", 1),
        (hour_services, "insert_new", "insert_new (COPY on PostgreSQL)", 1),
        (hour_services, "back_to_draft_many", "back_to_draft_many", 1),
    ]
    saved = []
    steps = [step for step in steps if step[1] in step[0].__dict__]  # an older tree: fewer
    for owner, attr, name, depth in steps:
        saved.append((owner, attr, owner.__dict__[attr]))
        setattr(owner, attr, wrap(name, getattr(owner, attr), depth))
    try:
        with connection.execute_wrapper(count):
            stack.append("hours_import")
            found["hours_import"] = {"step": "hours_import", "depth": -1, "s": 0.0, "calls": 1}
            _result, found["hours_import"]["s"] = timed(lambda: run_import(user, content))
            stack.pop()
    finally:
        for owner, attr, original in reversed(saved):
            setattr(owner, attr, original)
    order = ["hours_import", *(name for _o, _a, name, _d in steps)]
    return [found[name] for name in order if name in found]


# --- main -------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 1,000 agreements")
    parser.add_argument("--agreements", type=int, default=None, help="overrides --scale")
    parser.add_argument("--days", type=int, default=100, help="rows per agreement (from 1 Jan)")
    parser.add_argument("--max-rounds", type=int, default=10, help="rounds at most")
    parser.add_argument("--profile", action="store_true", help="cProfile one import, top 15")
    parser.add_argument(
        "--no-tracemalloc",
        action="store_true",
        help="skip the tracemalloc peak of one run each (slow, never timed)",
    )
    parser.add_argument(
        "--use-database-url",
        action="store_true",
        help="PostgreSQL from DATABASE_URL (a database of its own, dropped at the end)",
    )
    args = parser.parse_args()
    agreements = args.agreements or max(1, round(1_000 * args.scale))

    db = open_database(args.use_database_url)
    try:
        return bench(args, agreements, db)
    finally:
        close_database(db)


def bench(args, agreements: int, db: dict) -> int:
    from django.db import connection

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
    baseline_name = "COPY" if connection.vendor == "postgresql" else "bulk_create"
    print(
        f"\ntiming interleaved rounds after a warm-up (reset before each run) until the spread "
        f"is under 10% (at most {args.max_rounds}) …"
    )
    try:
        timing = stable_rounds(
            candidates,
            max_rounds=args.max_rounds,
            before=lambda: reset(ids),
            after=check,
        )
    except ImportRefused as refused:
        print(f"\nFAIL: the import refused the file ({len(refused.problems)} problems):")
        for item in refused.problems[:10]:
            print(f"  {item}")
        return 1

    traced = {}
    if not args.no_tracemalloc:
        for name, fn in candidates.items():
            reset(ids)
            results: list = []
            traced[name] = traced_peak(lambda fn=fn, results=results: results.append(fn()))
            check(name, results[0])
    reset(ids)
    steps = phases(user, content)

    print(
        "\ntimes: wall time (the database server's work counts); typical: the median of the "
        "kept, fastest-half rounds"
    )
    table(
        [
            [
                name,
                seconds(t["typical"]),
                seconds(t["best"]),
                f"{t['spread'] * 100:.1f}%",
                f"{t['rounds']}",
                "yes" if t["stable"] else "NO",
                f"{rows / t['typical']:,.0f}",
                megabytes(t["peak_rss"]),
                megabytes(t["peak_rss_delta"]),
                megabytes(traced.get(name)),
            ]
            for name, t in timing.items()
        ],
        ["what", "typical", "best", "spread", "rounds", "steady", "rows/s", "peak RSS",
         "delta RSS", "tracemalloc"],
    )  # fmt: skip
    print(
        "(import: hours_import = read_upload + checks + store; baseline: openpyxl read-only "
        f"iter_rows + TimeEntry {baseline_name} in one transaction)"
    )
    ratio = ratio_of(timing, "import", "baseline")
    print(f"\nratio import / baseline: {ratio['value']:.2f}x ({steadiness(ratio)})")

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

    # what one import adds: the larger of the process's peak RSS over what it held before
    # (the largest of the rounds) and the tracemalloc peak of Python's allocations
    added = max(timing["import"]["peak_rss_delta"] or 0, traced.get("import") or 0)
    targets = [
        {
            "name": f"import of the workbook <= {TARGET_RATIO:g}x openpyxl read-only + "
            f"{baseline_name} ({database_info(db).split(' (')[0]})",
            "value": f"{ratio['value']:.2f}x ({seconds(timing['import']['typical'])} vs "
            f"{seconds(timing['baseline']['typical'])})",
            "limit": f"<= {TARGET_RATIO:g}x",
            "ok": ratio["value"] <= TARGET_RATIO,
            "stable": ratio["stable"],
        },
        {
            "name": "memory the import adds < 100 MB (peak RSS delta, tracemalloc peak)",
            "value": f"{megabytes(added)} (RSS delta "
            f"{megabytes(timing['import']['peak_rss_delta'])}, tracemalloc "
            f"{megabytes(traced.get('import'))}; peak RSS "
            f"{megabytes(timing['import']['peak_rss'])})",
            "limit": "< 100 MB",
            "ok": added < TARGET_ADDED,
        },
    ]
    checks = {
        f"same rows stored after every run ({rows:,}; import = baseline = the file)": (
            not failures
        ),
    }
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
            "checks": checks,
            "failures": failures,
        },
    )
    return verdict(targets, checks)


if __name__ == "__main__":
    sys.exit(main())
