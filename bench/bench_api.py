"""The API under load: gunicorn on loopback against a PostgreSQL database with the demo world
(the bureau acting for 500 holders), 20 concurrent clients (asyncio + httpx) over the list
endpoints (a page of 50) and the municipal and exhaustion reports, each scenario bounded in
time. Reports p50/p95, requests a second, errors, queries per request (in-process, page 1
against page 2: must be the same) and the load average. Timings are never a failure of the
script; only a wrong status (errors) or queries that grow with the page are.

    .venv/bin/python bench/bench_api.py [--database-url postgres://postgres@127.0.0.1/pgb_bench_api]
        [--workers 4] [--clients 20] [--seconds 10] [--national SCALE]

The database is made (migrate + ``loaddemo --bureau-holders 500``) when it holds no demo world.
With ``--national SCALE`` the server reads the national world of that scale instead
(``bench/generate.py --database --scale SCALE`` makes it, see ``national_db``), with that
world's settings and keys: the lists and the exhaustion report as ``bench-bureau`` (a mandate
on every holder), the declarations and the municipal report of the municipality with the most
holders (its size is printed; Utrecht's 448 at scale 0.1) as ``bench-staff``. Nothing is written
there but the API tokens this run issues and what the API's reads log. ``--database-url`` names
a copy of that world instead (one migrated further, say).
"""

import argparse
import asyncio
import base64
import hashlib
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, load_average, targets_block, versions, write_json

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/pgb_bench_api"
PYTHON = sys.executable
LIST_TARGET_MS = 150
REPORT_TARGET_MS = 300
CACHED_REPORT_TARGET_MS = 50


def _bench_key(label: str) -> str:
    """A fixed key of the benchmark's own (its database holds only generated demo data)."""
    digest = hashlib.sha256(f"pgb-admin bench {label}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def server_env(database_url: str, national: float | None = None) -> dict[str, str]:
    """Production-like settings (DEBUG off: no query log kept in memory, BSN keys of the
    benchmark's own, or of the national world's), with the read throttles lifted: the
    benchmark measures capacity, not the rate limit."""
    if national is not None:
        import national_db

        world = national_db.bench_environment(national_db.database_name(national))
        world["DATABASE_URL"] = database_url
    else:
        world = {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "pgb_admin.settings.base",
            "DJANGO_READ_DOT_ENV_FILE": "false",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": _bench_key("secret"),
            "BSN_ENCRYPTION_KEYS": _bench_key("bsn encryption"),
            "BSN_HASH_KEY": _bench_key("bsn hash"),
        }
    return {
        **os.environ,
        **world,
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "API_READ_RATE": "1000000/minute",
        "API_READ_RATE_BUREAU": "1000000/minute",
        "PAGE_READ_RATE": "1000000/minute",
    }


def ensure_database(database_url: str) -> None:
    """Create the database and load the demo world into it unless it is there."""
    import psycopg

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        exists = found.fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    env = {**server_env(database_url), "DJANGO_DEBUG": "true"}
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=ROOT)  # noqa: S603
    subprocess.run(  # noqa: S603
        [*manage, "loaddemo", "--if-empty", "--bureau-holders", "500"],
        env=env,
        check=True,
        cwd=ROOT,
    )


def ensure_national(scale: float) -> str:
    """The URL of the national world of ``scale`` (it must have been generated)."""
    import national_db

    name = national_db.database_name(scale)
    if national_db.world_of(name) is None:
        raise SystemExit(
            f"no national world in {name}: bench/generate.py --database --scale {scale}"
        )
    env = {**os.environ, **national_db.bench_environment(name)}
    # a migration since the world was made (the report cache's change log, say)
    subprocess.run(  # noqa: S603
        [PYTHON, str(ROOT / "manage.py"), "migrate", "-v0", "--skip-checks"],
        env=env,
        check=True,
        cwd=ROOT,
    )
    return national_db.database_url(name)


def setup(database_url: str, national: float | None, *, debug: bool = True) -> str:
    """The database (made if it is the demo world's and missing) and Django set up on it;
    returns its URL."""
    if national is not None:
        # the world of that scale, or a copy of it named with --database-url
        if database_url == DEFAULT_DATABASE:
            database_url = ensure_national(national)
    else:
        ensure_database(database_url)
    django_setup(database_url, national, debug=debug)
    return database_url


def django_setup(database_url: str, national: float | None = None, *, debug: bool = True) -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.update(server_env(database_url, national))
    if debug:
        os.environ["DJANGO_DEBUG"] = "true"  # this process only issues tokens and counts queries
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]


def scenarios(national: float | None = None) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Tokens of the bureau and an auditor, and the (name, persona, path) of every scenario."""
    if national is not None:
        return national_scenarios()
    from pgb_admin.accounts.models import User
    from pgb_admin.accounts.services import api_token_issue
    from pgb_admin.budgets.models import BudgetHolder

    users = {"bureau": "bureau", "auditor": "controleur.denhaag"}
    tokens = {}
    for persona, username in users.items():
        _, key = api_token_issue(user=User.objects.get(username=username), with_two_factor=True)
        tokens[persona] = key
    bureau = User.objects.get(username="bureau")
    holder = BudgetHolder.objects.visible_to(bureau).order_by("pk").first()
    if holder is None:
        raise SystemExit("the demo world has no holder for the bureau")
    found = [(name, "bureau", f"/api/v1/{name}/?page_size=50") for name in LISTS]
    found.append(("declarations (auditor)", "auditor", "/api/v1/declarations/?page_size=50"))
    found.append(("municipal report", "auditor", "/api/v1/reports/municipalities/GM0518/"))
    exhaustion = f"/api/v1/reports/holders/{holder.pk}/exhaustion/"
    found.append(("exhaustion report", "bureau", exhaustion))
    return tokens, found


LISTS = ["time-entries", "expenses", "declarations", "budget-holders", "agreements", "budgets"]


def national_scenarios() -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """The national world has no auditors: the lists as ``bench-bureau`` (and the
    declarations as ``bench-staff``), the municipal report of the municipality with the most
    holders as ``bench-staff``, and the exhaustion report of the bureau's first holder."""
    from django.db.models import Count

    import national_db

    from pgb_admin.accounts.models import User
    from pgb_admin.accounts.services import api_token_issue
    from pgb_admin.budgets.models import BudgetHolder, Funder

    users = {"bureau": national_db.BUREAU_USER, "staff": national_db.STAFF_USER}
    tokens = {}
    for persona, username in users.items():
        _, key = api_token_issue(user=User.objects.get(username=username), with_two_factor=True)
        tokens[persona] = key
    bureau = User.objects.get(username=national_db.BUREAU_USER)
    holder = BudgetHolder.objects.visible_to(bureau).order_by("pk").first()
    if holder is None:
        raise SystemExit("the national world has no holder for the bureau")
    municipality = (
        Funder.objects.filter(kind="municipality")
        .annotate(holder_count=Count("budgets__holder", distinct=True))
        .order_by("-holder_count", "code")
        .first()
    )
    if municipality is None:
        raise SystemExit("the national world has no municipality")
    print(
        f"municipal report: {municipality.code} ({municipality.name}), "
        f"{municipality.holder_count} holders, the most of any municipality",
        flush=True,
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('reports_datachange') IS NOT NULL")
        if not cursor.fetchone()[0]:
            print("the reports are not cached: the world lacks migration reports 0002", flush=True)
    found = [(name, "bureau", f"/api/v1/{name}/?page_size=50") for name in LISTS]
    found.append(("declarations (staff)", "staff", "/api/v1/declarations/?page_size=50"))
    found.append(
        ("municipal report", "staff", f"/api/v1/reports/municipalities/{municipality.code}/")
    )
    found.append(
        ("exhaustion report", "bureau", f"/api/v1/reports/holders/{holder.pk}/exhaustion/")
    )
    return tokens, found


def queries_per_request(tokens, found) -> dict[str, dict]:
    """Queries of page 1 and page 2 of each list (the same if nothing is done per row), and
    of a report's first (uncached) and second request."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    counts: dict[str, dict] = {}
    for name, persona, path in found:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {tokens[persona]}", HTTP_ACCEPT_LANGUAGE="en")
        client.get(path)  # the token's first use records itself
        cache.clear()
        if "page_size" in path:
            client.get(path)  # the user's read rate scope is looked up once, then cached
        second = f"{path}&page=2" if "page_size" in path else path
        figures = []
        for target in (path, second):
            executed: list[str] = []

            def count(execute, sql, params, many, context, executed=executed):
                executed.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                status = client.get(target).status_code
            figures.append(len(executed) if status == 200 else None)
        counts[name] = {"first": figures[0], "second": figures[1]}
    return counts


def report_build_times(tokens, found, rounds: int = 3) -> dict[str, dict[str, float]]:
    """In-process wall time of a report's request with an empty cache (built) and right
    after (cached), best of ``rounds``."""
    from django.core.cache import cache
    from django.test import Client

    times = {}
    for name, persona, path in found:
        if "report" not in name:
            continue
        client = Client(HTTP_AUTHORIZATION=f"Bearer {tokens[persona]}", HTTP_ACCEPT_LANGUAGE="en")
        built: list[float] = []
        cached: list[float] = []
        for _ in range(rounds):
            cache.clear()
            for into in (built, cached):
                start = time.perf_counter()
                if client.get(path).status_code != 200:
                    raise SystemExit(f"{path} did not answer 200")
                into.append(time.perf_counter() - start)
        times[name] = {"built_ms": min(built) * 1000, "cached_ms": min(cached) * 1000}
    return times


def start_server(
    database_url: str,
    port: int,
    workers: int,
    tree: Path = ROOT,
    national: float | None = None,
) -> subprocess.Popen:
    """Gunicorn serving the app of ``tree`` (this checkout, or a baseline's copy)."""
    command = [
        str(Path(PYTHON).parent / "gunicorn"),
        "pgb_admin.wsgi:application",
        "--config",
        str(ROOT / "pgb_admin" / "gunicorn_conf.py"),
        "--chdir",
        str(tree),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
    ]
    env = server_env(database_url, national)
    env["PYTHONPATH"] = str(tree)  # before the editable install's path to this checkout
    server = subprocess.Popen(  # noqa: S603
        command, env=env, cwd=tree, start_new_session=True
    )
    import httpx

    logging.getLogger("httpx").setLevel(logging.WARNING)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/", timeout=2)
            return server
        except httpx.TransportError:
            time.sleep(0.5)
    stop_server(server)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


async def load_test(base: str, path: str, token: str, clients: int, seconds: float) -> dict:
    """``clients`` clients each asking ``path`` again as soon as answered, for ``seconds``
    (after one warm-up request each); every request is bounded by a 30 s timeout."""
    import httpx

    latencies: list[float] = []
    errors: dict[str, int] = {}
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=30) as http:

        async def one(record: bool) -> None:
            start = time.perf_counter()
            try:
                response = await http.get(path)
                key = None if response.status_code == 200 else str(response.status_code)
            except httpx.HTTPError as error:
                key = type(error).__name__
            if record:
                if key is None:
                    latencies.append(time.perf_counter() - start)
                else:
                    errors[key] = errors.get(key, 0) + 1

        await asyncio.gather(*(one(False) for _ in range(clients)))
        end = time.perf_counter() + seconds
        started = time.perf_counter()

        async def client() -> None:
            while time.perf_counter() < end:
                await one(True)

        await asyncio.gather(*(client() for _ in range(clients)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    done = len(latencies)
    return {
        "requests": done,
        "errors": errors,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "req_per_s": done / elapsed,
        "load_average": load_average(),
    }


def _print_figure(name: str, figure: dict) -> None:
    queries = figure.get("queries")
    ratio = figure.get("req_per_s_ratio")
    print(
        f"{name:35s} p50 {figure['p50_ms']:7.1f} ms  p95 {figure['p95_ms']:7.1f} ms  "
        f"{figure['req_per_s']:6.1f} req/s  errors {sum(figure['errors'].values())}"
        + (f"  queries {queries['first']}/{queries['second']}" if queries else "")
        + (f"  req/s x{ratio:.2f} of baseline" if ratio else "")
        + f"  load {', '.join(f'{v:.2f}' for v in figure['load_average'] or [])}",
        flush=True,
    )


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0, help="per scenario")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--only", default="", help="scenarios whose name contains this")
    parser.add_argument(
        "--national",
        type=float,
        default=None,
        metavar="SCALE",
        help="the national world of this scale (bench/generate.py --database) instead of the demo",
    )
    parser.add_argument(
        "--baseline",
        default="",
        help="a copy of another tree of the app (e.g. `git archive main | tar -x -C DIR`): "
        "served too, each scenario run against it first, and the ratios reported",
    )
    args = parser.parse_args()

    database_url = setup(args.database_url, args.national)
    tokens, found = scenarios(args.national)
    found = [s for s in found if args.only in s[0]]
    queries = queries_per_request(tokens, found)
    builds = report_build_times(tokens, found)

    server = start_server(database_url, args.port, args.workers, national=args.national)
    baseline = (
        start_server(database_url, args.port + 1, args.workers, Path(args.baseline), args.national)
        if args.baseline
        else None
    )
    results: dict[str, dict] = {}
    try:
        for name, persona, path in found:
            if baseline is not None:  # interleaved: the baseline, then this tree
                base = f"http://127.0.0.1:{args.port + 1}"
                before = asyncio.run(
                    load_test(base, path, tokens[persona], args.clients, args.seconds)
                )
                _print_figure(f"{name} (baseline)", before)
            base = f"http://127.0.0.1:{args.port}"
            figure = asyncio.run(load_test(base, path, tokens[persona], args.clients, args.seconds))
            figure.update(path=path, queries=queries[name])
            figure.update(builds.get(name, {}))
            if baseline is not None:
                figure["baseline"] = before
                figure["req_per_s_ratio"] = figure["req_per_s"] / max(before["req_per_s"], 1e-9)
                figure["p95_ratio"] = before["p95_ms"] / max(figure["p95_ms"], 1e-9)
            results[name] = figure
            _print_figure(name, figure)
    finally:
        stop_server(server)
        if baseline is not None:
            stop_server(baseline)

    targets = []
    checks = {}
    for name, figure in results.items():
        report = "report" in name
        limit = REPORT_TARGET_MS if report else LIST_TARGET_MS
        errors = sum(figure["errors"].values())
        targets.append(
            {
                "name": f"{name} p95 at {args.clients} clients, 0 errors",
                "value": f"{figure['p95_ms']:.0f} ms, {errors} errors",
                "limit": f"< {limit} ms, 0 errors",
                "ok": figure["p95_ms"] < limit and errors == 0,
            }
        )
        if report:
            targets.append(
                {
                    "name": f"{name} cached (in-process, one request)",
                    "value": f"{figure['cached_ms']:.0f} ms (built {figure['built_ms']:.0f} ms)",
                    "limit": f"< {CACHED_REPORT_TARGET_MS} ms",
                    "ok": figure["cached_ms"] < CACHED_REPORT_TARGET_MS,
                }
            )
        else:
            counts = figure["queries"]
            checks[f"{name}: page 2 runs as many queries as page 1"] = (
                counts["first"] is not None and counts["first"] == counts["second"]
            )
        checks[f"{name}: no errors"] = errors == 0
    targets_block(targets)
    print("\ncorrectness")
    print("-----------")
    for check, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {check}")
    missed = [t for t in targets if not t["ok"]]
    wrong = [c for c, ok in checks.items() if not ok]
    average = load_average() or []
    print(
        f"\nVERDICT: {'FAIL' if missed or wrong else 'PASS'} (targets {len(targets) - len(missed)}"
        f"/{len(targets)} met; checks {len(checks) - len(wrong)}/{len(checks)} passed; "
        f"load {', '.join(f'{v:.2f}' for v in average)}; {os.cpu_count()} cores, "
        f"{args.workers} workers)"
    )
    write_json(
        "api" if args.national is None else "api_national",
        {
            "versions": versions(),
            "cpu_count": os.cpu_count(),
            "workers": args.workers,
            "national": args.national,
            "baseline": args.baseline or None,
            "clients": args.clients,
            "seconds": args.seconds,
            "results": results,
            "targets": targets,
            "checks": checks,
            "load_average": average,
        },
    )
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
