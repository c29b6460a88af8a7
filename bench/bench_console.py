"""The bureau console at 20, 200 and 500 holders: its p95 render time and its number of queries,
through Django's test client (the whole middleware stack, a logged-in bureau with a verified
second factor), against a floor measured in the same run and the same session: the progress
page of a finished task (the same middleware, header and base template, no holder data).
Timings are only reported, never asserted; the script exits 1 when the console's queries grow
with the number of holders (they must not: tests/web/test_bureau_console_list.py).

Needs a database: a throwaway SQLite file in a temporary directory (migrated, removed at the
end), whatever DATABASE_URL says; ``--use-database-url`` takes a PostgreSQL DATABASE_URL and
creates (and at the end drops) a database of its own next to the one named there.

    .venv/bin/python bench/bench_console.py [--requests 30] [--sizes 20,200,500] [--quick]
"""

import argparse
import itertools
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
# the test settings: eager Celery, no throttling of the many page reads, plain static files
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pgb_admin.settings.test")

import import_world
from common import print_versions, seconds, table, targets_block, versions, write_json

TARGET_P95_S = 0.300  # the console at 500 holders, on this machine (issue 17)
TARGET_SIZE = 500
WARMUP = 3


def p95(values: list[float]) -> float:
    """The 95th percentile, nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


# --- the world ---------------------------------------------------------------------------------


class BureauWorld:
    """A bureau user (with an authenticator app) whose holders are made set-based, in steps:
    each holder with a Wmo grant, an hourly agreement and the hours of the console's month and
    of a month three before it (unexported past its deadline: the late group)."""

    def __init__(self) -> None:
        from django.test import Client
        from django.utils import timezone

        from declarations.selectors.bureau import default_month
        from pgb_admin.accounts.models import User
        from pgb_admin.budgets.models import Funder
        from pgb_admin.core.models import TaskRun, TaskStatus
        from pgb_admin.core.periods import month_start, previous_month
        from tests.factories import bsn_from
        from tests.two_factor import verified_login

        self.user = User.objects.create(username="bench-bureau", first_name="Bram")
        self.month = default_month(timezone.localdate())
        earlier = self.month
        for _ in range(3):
            earlier = previous_month(earlier)
        self.months = [month_start(earlier), self.month]
        self.funders = list(Funder.objects.filter(code__in=["GM0518", "GM0106"]))
        self.bsns = (bsn_from(80_000_000 + n * 7) for n in itertools.count())
        self.size = 0
        self._login = lambda: verified_login(Client(), self.user)
        self.client = None
        # the floor: a finished task's progress page
        run = TaskRun.objects.create(kind="validate", created_by=self.user, total=1, done=1)
        TaskRun.objects.filter(pk=run.pk).update(status=TaskStatus.DONE)
        self.floor_url = f"/tasks/{run.pk}/progress/"
        self.console_url = "/bureau/"

    def grow_to(self, size: int) -> float:
        """Add holders up to ``size``; returns the seconds it took (not timed otherwise)."""
        from declarations.demo.bureau import bureau_holders_create

        started = time.perf_counter()
        bureau_holders_create(
            user=self.user,
            count=size - self.size,
            bsns=self.bsns,
            funders=self.funders,
            months=self.months,
            year=self.month.year,
            seed=size,
        )
        if self.size == 0:
            self._draft_and_validate()
            # logged in as a bureau, which needs its second factor (once it has holders)
            self.client = self._login()
        self.size = size
        _analyze()
        return time.perf_counter() - started

    def _draft_and_validate(self) -> None:
        """The month of the first holders drafted and validated: one month-wide draft (the
        bureau has no other holders yet) and one validation."""
        from auditlog.context import set_actor

        from declarations.services import declarations as declaration_services

        with set_actor(self.user):
            drafted = declaration_services.declarations_draft_period(
                actor=self.user, month=self.month
            )
            declaration_services.declaration_validate(
                actor=self.user, declaration_ids=[d.pk for d in drafted]
            )


def _analyze() -> None:
    """Fresh statistics after the bulk inserts, as autovacuum keeps them on a real database
    (PostgreSQL plans by them; SQLite has none to speak of)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# --- measuring ---------------------------------------------------------------------------------


def get(client, url: str) -> tuple[float, int, Any, float]:
    """One request: wall seconds, statements, the response and the process's CPU seconds
    (SQLite runs in the process; on a busy machine CPU time waits for no other process)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        cpu = time.process_time()
        started = time.perf_counter()
        response = client.get(url)
        took = time.perf_counter() - started
        cpu = time.process_time() - cpu
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code} {response.get('Location', '')}")
    return took, len(queries.captured_queries), response, cpu


def measure(world: BureauWorld, requests: int) -> dict:
    """Warm-up, then ``requests`` console pages and floor pages, interleaved."""
    variant = world.console_url + "?q=de&sort=state&page=2"
    for _ in range(WARMUP):
        get(world.client, world.console_url)
        get(world.client, world.floor_url)
    console, floor, console_cpu, floor_cpu = [], [], [], []
    for _ in range(requests):
        took, _queries, _response, cpu = get(world.client, world.console_url)
        console.append(took)
        console_cpu.append(cpu)
        took, _queries, _response, cpu = get(world.client, world.floor_url)
        floor.append(took)
        floor_cpu.append(cpu)
    _took, queries, response, _cpu = get(world.client, world.console_url)
    _took, variant_queries, _response, _cpu = get(world.client, variant)
    html = response.content.decode()
    return {
        "holders": world.size,
        "rows_on_page": html.count('name="holders"'),
        "deadline_groups": html.count('<details class="bureau-deadline '),
        "requests": requests,
        "console_s": console,
        "floor_s": floor,
        "console_p95_s": p95(console),
        "console_median_s": sorted(console)[len(console) // 2],
        "floor_p95_s": p95(floor),
        "ratio_p95": p95(console) / p95(floor),
        "console_cpu_s": console_cpu,
        "floor_cpu_s": floor_cpu,
        "console_cpu_p95_s": p95(console_cpu),
        "floor_cpu_p95_s": p95(floor_cpu),
        "queries": queries,
        "queries_search_sort_page": variant_queries,
        "page_bytes": len(response.content),
    }


# --- main --------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20,200,500", help="holders, comma-separated, rising")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per size (>= 30)")
    parser.add_argument(
        "--quick", action="store_true", help="10 requests per size (CI): p95 of few is rough"
    )
    parser.add_argument(
        "--use-database-url",
        action="store_true",
        help="PostgreSQL from DATABASE_URL (a database of its own, dropped at the end)",
    )
    args = parser.parse_args()
    sizes = sorted({int(size) for size in args.sizes.split(",")})
    requests = 10 if args.quick else max(30, args.requests)
    import_world.TEST_DB_SUFFIX = "_bench_console"
    db = import_world.open_database(args.use_database_url)
    try:
        return bench(args, sizes, requests, db)
    finally:
        import_world.close_database(db)


def bench(args, sizes: list[int], requests: int, db: dict) -> int:
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    info = versions()
    info["database"] = import_world.database_info(db)
    print(f"== bureau console benchmark: {', '.join(map(str, sizes))} holders ==")
    print_versions(info)
    print(f"database: {info['database']}; migrated in {seconds(db['migrate_s'])}")
    print(f"settings: {settings.SETTINGS_MODULE} (DEBUG {settings.DEBUG})")
    world = BureauWorld()
    print(
        f"the console's month: {world.month:%Y-%m}; hours also in {world.months[0]:%Y-%m} "
        f"(late); the first {sizes[0]} holders' month drafted and validated"
    )
    print(
        f"{requests} timed requests per size after {WARMUP} of warm-up, interleaved with the floor"
    )

    results = []
    for size in sizes:
        setup_s = world.grow_to(size)
        result = measure(world, requests)
        result["setup_s"] = setup_s
        result["load_average"] = os.getloadavg() if hasattr(os, "getloadavg") else None
        results.append(result)
        print(
            f"  {size} holders: set up in {seconds(setup_s)}, console p95 "
            f"{seconds(result['console_p95_s'])}, {result['queries']} queries"
        )

    base = results[0]
    print("\nthe console's default page (50 holders a page), p95 and median of the timed requests")
    table(
        [
            [
                f"{r['holders']:,}",
                seconds(r["console_p95_s"]),
                seconds(r["console_median_s"]),
                seconds(r["floor_p95_s"]),
                f"{r['ratio_p95']:.1f}x",
                f"{r['console_p95_s'] / base['console_p95_s']:.2f}x",
                seconds(r["console_cpu_p95_s"]),
                seconds(r["floor_cpu_p95_s"]),
                r["queries"],
                r["queries_search_sort_page"],
                f"{r['page_bytes']:,}",
            ]
            for r in results
        ],
        [
            "holders",
            "p95",
            "median",
            "floor p95",
            "p95 / floor",
            f"p95 / p95 at {base['holders']}",
            "CPU p95",
            "floor CPU p95",
            "queries",
            "queries (search, sort, page 2)",
            "bytes",
        ],
    )
    print(
        "(floor: the progress page of a finished task, same client and session: middleware, "
        "header, base template, no holder data; CPU: the process's CPU time per request, "
        "SQLite's work included but not PostgreSQL's, which other processes on a busy machine "
        "stretch far less than wall time)"
    )

    grown = [
        r for r in results if max(r["queries"], r["queries_search_sort_page"]) > base["queries"]
    ]
    at_target = next((r for r in results if r["holders"] == TARGET_SIZE), results[-1])
    targets = [
        {
            "name": f"console p95 at {at_target['holders']} holders < 300 ms",
            "value": f"{seconds(at_target['console_p95_s'])} ({at_target['ratio_p95']:.1f}x "
            f"the floor of {seconds(at_target['floor_p95_s'])}; CPU p95 "
            f"{seconds(at_target['console_cpu_p95_s'])})",
            "limit": "< 300 ms",
            "ok": at_target["console_p95_s"] < TARGET_P95_S,
        },
        {
            "name": "queries constant in the number of holders",
            "value": ", ".join(f"{r['queries']} at {r['holders']}" for r in results),
            "limit": f"<= {base['queries']} (at {base['holders']})",
            "ok": not grown,
        },
    ]
    targets_block(targets)
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    if load:
        print("load average at the end: " + ", ".join(f"{v:.2f}" for v in load))
    if args.quick:
        print(f"(--quick: {requests} requests per size; the p95 of so few is rough)")

    write_json(
        "console",
        {
            "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "sizes": sizes,
            "requests": requests,
            "quick": args.quick,
            "versions": info,
            "load_average_end": load,
            "month": f"{world.month:%Y-%m}",
            "results": results,
            "targets": targets,
        },
    )
    return 1 if grown else 0


if __name__ == "__main__":
    sys.exit(main())
