"""The month end to end on PostgreSQL: draft, validate and export October 2026 of the national
world (``national_db``) through the app's services, in process and then with 1 and 2 Celery
worker processes on Redis, against the engine alone on the same declarations.

    .venv/bin/python bench/bench_month.py --scale 0.01            # CI size: < 3 minutes
    .venv/bin/python bench/bench_month.py --scale 0.1 [--workers 1,2] [--no-celery]
    .venv/bin/python bench/bench_month.py --scale 1.0 --rebuild     # the national month

The world is made when its database (``pgb_bench_national[_<scale>]`` on the server of
DATABASE_URL) is missing or was made at another scale; ``--rebuild`` makes it again.
"""

import argparse
import os
import re
import signal
import subprocess
import sys
import time
from contextlib import suppress
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import national_db
from common import (
    GB,
    MB,
    RESULTS_DIR,
    ROOT,
    megabytes,
    peak_rss_of,
    print_versions,
    seconds,
    table,
    targets_block,
    versions,
    write_json,
)

MONTH = date(2026, 10, 1)
DEFAULT_BROKER = "redis://127.0.0.1:6379/13"
RATIO_LIMIT = 3.0
MEMORY_LIMIT = 2 * GB
SPEEDUP_LIMIT = 1.6
READY_TIMEOUT = 90
SOFT_LIMIT = re.compile(r"soft time limit|SoftTimeLimitExceeded", re.IGNORECASE)
SUCCEEDED = re.compile(r"Task (?P<name>[\w.]+)\[[0-9a-f-]+\] succeeded in (?P<s>[0-9.]+)s")
TASK_FAILED = re.compile(r"^.*(raised unexpected|Chord '[^']*' raised).*$", re.MULTILINE)
RECEIVED = re.compile(r"Task (?P<name>[\w.]+)\[[0-9a-f-]+\] received")


def load() -> list[float]:
    return [round(v, 2) for v in os.getloadavg()]


# --- the month ------------------------------------------------------------------------------


def reset_month() -> None:
    """No declarations, findings, batches or task runs of the month; grants' declared at 0:
    the state right after ``generate.py --database`` (a few set-based statements)."""
    from django.db import connection, transaction

    from declarations.models import Batch, BatchFile, Declaration, DeclarationLine, Finding
    from pgb_admin.core.models import TaskRun

    decl = Declaration._meta.db_table
    month = [MONTH]
    of_month = f"declaration_id IN (SELECT id FROM {decl} WHERE month = %s)"  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Finding._meta.db_table} WHERE {of_month}", month)  # noqa: S608
        cursor.execute(f"DELETE FROM {DeclarationLine._meta.db_table} WHERE {of_month}", month)  # noqa: S608
        cursor.execute(f"DELETE FROM {decl} WHERE month = %s", month)  # noqa: S608
        batches = f"SELECT id FROM {Batch._meta.db_table} WHERE period = %s"  # noqa: S608
        files = BatchFile._meta.db_table
        cursor.execute(f"DELETE FROM {files} WHERE batch_id IN ({batches})", month)  # noqa: S608
        cursor.execute(f"DELETE FROM {Batch._meta.db_table} WHERE period = %s", month)  # noqa: S608
        cursor.execute(f"DELETE FROM {TaskRun.holders.through._meta.db_table}")  # noqa: S608
        cursor.execute(f"DELETE FROM {TaskRun._meta.db_table}")  # noqa: S608
        cursor.execute("UPDATE budgets_budget SET declared = 0 WHERE declared <> 0")
    # The world has no declarations before the month (a real one has years of them): the
    # planner must not take the emptied tables for empty ones (1 row, nested loops over
    # thousands of ids: minutes), so their statistics are "unknown" again, as before their
    # first ANALYZE; autovacuum analyses them during the run as it would in production.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE pg_class SET reltuples = -1, relpages = 0 WHERE oid = ANY(%s::regclass[])",
            [[decl, DeclarationLine._meta.db_table, Finding._meta.db_table,
              Batch._meta.db_table, BatchFile._meta.db_table]],
        )  # fmt: skip


def outcome() -> dict[str, int]:
    """What the month came to: declarations by status, lines, findings, batches (compared
    between the runs)."""
    from django.db.models import Count, Sum

    from declarations.models import Batch, Declaration, DeclarationLine, Finding

    month = Declaration.objects.filter(month=MONTH)
    result = {
        f"declarations {row['status']}": row["n"]
        for row in month.values("status").annotate(n=Count("pk")).order_by("status")
    }
    result["lines"] = DeclarationLine.objects.filter(declaration__month=MONTH).count()
    findings = Finding.objects.filter(declaration__month=MONTH)
    result["findings"] = findings.count()
    for row in findings.values("rule_code").annotate(n=Count("pk")).order_by("rule_code"):
        result[f"finding {row['rule_code']}"] = row["n"]
    batches = Batch.objects.filter(period=MONTH)
    result["batches"] = batches.count()
    result["exported lines"] = batches.aggregate(n=Sum("line_count"))["n"] or 0
    return result


def measured(fn):
    """(result, seconds, peak RSS of the process, load average after)."""
    box = {}

    def call():
        start = time.perf_counter()
        box["result"] = fn()
        box["seconds"] = time.perf_counter() - start

    memory = peak_rss_of(call)
    return box["result"], {
        "seconds": box["seconds"],
        "peak_rss": memory["peak_rss"],
        "load": load(),
    }


def engine_alone(ids: list[int], phases: dict) -> int:
    """The baseline: ``load_input`` and ``engine.run`` on the drafted declarations, nothing
    stored; returns the number of findings."""
    from django.utils import timezone

    from declarations.selectors.validation import load_input
    from declarations.validation import engine

    loaded, phases["engine: load_input"] = measured(
        lambda: load_input(ids, today=timezone.localdate())
    )
    found, phases["engine: run"] = measured(lambda: len(engine.run(loaded)))
    return found


def in_process(actor) -> dict:
    """Draft, the engine alone on the drafted declarations, validate, export: in this process,
    through the services, as the tasks call them (with the actor set for the audit log)."""
    from auditlog.context import set_actor

    from declarations.services.batches import NothingToExport, month_export
    from declarations.services.declarations import (
        declarations_draft_period,
        declarations_validate_in_chunks,
    )

    phases = {}
    with set_actor(actor):
        drafted, phases["draft"] = measured(
            lambda: declarations_draft_period(actor=actor, month=MONTH)
        )
        ids = [d.pk for d in drafted]
        del drafted
        engine_findings = engine_alone(ids, phases)
        _, phases["validate"] = measured(
            lambda: declarations_validate_in_chunks(actor=actor, declaration_ids=ids)
        )

        def export():
            try:
                return len(month_export(actor=actor, month=MONTH))
            except NothingToExport:
                return 0

        _, phases["export"] = measured(export)
    return {"declarations": len(ids), "engine_findings": engine_findings, "phases": phases}


# --- Celery -------------------------------------------------------------------------------------


class Workers:
    """``count`` worker processes (``celery -A pgb_admin worker --concurrency=1`` each) on the
    benchmark database and the broker, logging to ``log``."""

    def __init__(self, count: int, broker: str, database: str, log: Path) -> None:
        self.log = log
        self.offset = log.stat().st_size if log.exists() else 0
        env = {**os.environ, **national_db.bench_environment(database)}
        env.update(CELERY_BROKER_URL=broker, PYTHONUNBUFFERED="1", LOG_LEVEL="INFO")
        self.processes = []
        with log.open("ab") as out:
            for number in range(1, count + 1):
                command = [
                    sys.executable, "-m", "celery", "-A", "pgb_admin", "worker",
                    "--pool=prefork", "--concurrency=1", "--loglevel=INFO",
                    f"--hostname=bench-month-{number}@%h",
                    "--without-gossip", "--without-mingle", "--without-heartbeat",
                ]  # fmt: skip
                self.processes.append(
                    subprocess.Popen(  # noqa: S603
                        command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )  # fmt: skip

    def output(self) -> str:
        with self.log.open("rb") as handle:
            handle.seek(self.offset)
            return handle.read().decode(errors="replace")

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.output().count(" ready.") >= len(self.processes):
                return
            if any(p.poll() is not None for p in self.processes):
                break
            time.sleep(0.2)
        raise RuntimeError(f"the workers did not start:\n{self.output()[-3000:]}")

    def alive(self) -> bool:
        return all(p.poll() is None for p in self.processes)

    def peak_rss(self) -> int:
        """The largest VmHWM of the workers' processes (main and pool)."""
        pids = {p.pid for p in self.processes}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with suppress(OSError, IndexError, ValueError):
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) in {
                    p.pid for p in self.processes
                }:
                    pids.add(int(stat.parent.name))
        peak = 0
        for pid in pids:
            with suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]) * 1024)
        return peak

    def stop(self) -> None:
        """Warm shutdown (SIGTERM to each worker's process group), then SIGKILL what is left."""
        for process in self.processes:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)

    def tasks(self) -> dict:
        text = self.output()
        durations: dict[str, list[float]] = {}
        for match in SUCCEEDED.finditer(text):
            durations.setdefault(match["name"], []).append(float(match["s"]))
        return {
            "received": len(RECEIVED.findall(text)),
            "succeeded": {name: len(values) for name, values in durations.items()},
            "longest_task_s": {name: max(values) for name, values in durations.items()},
            "past_soft_limit": len(SOFT_LIMIT.findall(text)),
            "errors": len(re.findall(r"\] raised unexpected|ERROR/", text)),
        }


def send_to(broker: str) -> None:
    """This process sends tasks to the broker (as the web app does) instead of running them."""
    from pgb_admin.celery import app

    app.conf.update(broker_url=broker, result_backend=broker, task_always_eager=False)
    pool = getattr(app, "_pool", None)  # none yet unless something was sent before
    if pool is not None:
        pool.force_close_all()
    setattr(app, "_pool", None)  # noqa: B010  (private: Celery's own reset after a fork)
    setattr(app.amqp, "_producer_pool", None)  # noqa: B010


def wait_for(run, workers: Workers, timeout: float) -> dict:
    from pgb_admin.core.models import TaskRun, TaskStatus

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = TaskRun.objects.get(pk=run.pk)
        if current.status in (TaskStatus.DONE, TaskStatus.FAILED):
            return {"status": current.status, "error": current.error}
        if not workers.alive():
            raise RuntimeError(f"a worker died:\n{workers.output()[-3000:]}")
        failed = TASK_FAILED.search(workers.output())
        if failed:
            raise RuntimeError(f"a task failed: {failed.group(0)}\n{workers.output()[-3000:]}")
        time.sleep(0.1)
    raise RuntimeError(f"task run {run.pk} not finished after {timeout:.0f} s")


def with_workers(actor, count: int, broker: str, database: str, log: Path) -> dict:
    """The month with ``count`` worker processes: the draft in this process (as the bureau
    console does before it queues the validation), then the validation and the export as the
    app queues them (``start_validation``, ``start_export``), each timed until its task run
    is finished."""
    from django.conf import settings

    import redis

    from declarations.services.declarations import declarations_draft_period
    from declarations.tasks import start_export, start_validation

    client = redis.Redis.from_url(broker)
    client.flushdb()
    workers = Workers(count, broker, database, log)
    timeout = settings.CELERY_TASK_TIME_LIMIT + 120
    try:
        workers.wait_ready()
        phases = {}
        drafted, phases["draft"] = measured(
            lambda: declarations_draft_period(actor=actor, month=MONTH)
        )
        ids = [d.pk for d in drafted]
        del drafted
        validated, phases["validate"] = measured(
            lambda: wait_for(start_validation(actor=actor, declaration_ids=ids), workers, timeout)
        )
        exported, phases["export"] = measured(
            lambda: wait_for(start_export(actor=actor, month=MONTH), workers, timeout)
        )
        return {
            "workers": count,
            "declarations": len(ids),
            "phases": phases,
            "validation_run": validated,
            "export_run": exported,
            "tasks": workers.tasks(),
            "worker_peak_rss": workers.peak_rss(),
        }
    finally:
        workers.stop()
        client.flushdb()
        client.close()


# --- the report -------------------------------------------------------------------------------


def summary(result: dict[str, int]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in result.items() if not k.startswith("finding "))


def differences(one: dict[str, int], other: dict[str, int]) -> dict[str, list[int]]:
    """What two runs' outcomes disagree on: {figure: [one, other]}."""
    return {
        key: [one.get(key, 0), other.get(key, 0)]
        for key in sorted(one.keys() | other.keys())
        if one.get(key, 0) != other.get(key, 0)
    }


def month_seconds(phases: dict) -> float:
    return sum(phases[name]["seconds"] for name in ("draft", "validate", "export"))


def phase_rows(phases: dict) -> list[list]:
    return [
        [name, seconds(p["seconds"]), megabytes(p["peak_rss"]), " ".join(map(str, p["load"]))]
        for name, p in phases.items()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--database", default="", help="default: pgb_bench_national[_<scale>]")
    parser.add_argument("--rebuild", action="store_true", help="make the world again")
    parser.add_argument("--actor", choices=["staff", "bureau"], default="staff")
    parser.add_argument("--workers", default="1,2", help="worker processes per Celery run")
    parser.add_argument("--no-celery", action="store_true")
    parser.add_argument("--broker", default=os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER))
    args = parser.parse_args()
    # a SIGTERM ends the run like Ctrl-C: the workers are stopped on the way out
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    from month_arrays import SEED

    seed = SEED if args.seed is None else args.seed
    name = args.database or national_db.database_name(args.scale)
    try:
        world = national_db.world_of(name)
    except Exception as error:
        sys.exit(f"bench_month needs PostgreSQL ({national_db.server_url()}): {error}")
    generated = None
    if args.rebuild or world is None or world["scale"] != args.scale or world["seed"] != seed:
        print(f"making the world at scale {args.scale} in database {name} …")
        world = generated = national_db.build(name, args.scale, seed)
    else:
        national_db.setup(name)
        from django.core.management import call_command

        call_command("migrate", verbosity=0, skip_checks=True)  # a migration since it was made
    info = versions()
    print_versions(info)
    print(
        f"world: database {name}, scale {world['scale']}, "
        + ", ".join(f"{t.split('_', 1)[1]} {n:,}" for t, n in world["rows"].items())
    )
    from pgb_admin.accounts.models import User

    actor = User.objects.get(
        username=national_db.STAFF_USER if args.actor == "staff" else national_db.BUREAU_USER
    )

    reset_month()
    print(f"\nin process, as {actor.username}: October 2026")
    local = in_process(actor)
    local_outcome = outcome()
    table(phase_rows(local["phases"]), ["phase", "time", "peak RSS", "load 1/5/15"])
    engine_s = sum(local["phases"][p]["seconds"] for p in ("engine: load_input", "engine: run"))
    month_s = month_seconds(local["phases"])
    ratio = month_s / engine_s
    validate_ratio = local["phases"]["validate"]["seconds"] / engine_s
    peak = max(p["peak_rss"] for p in local["phases"].values())
    print(
        f"{local['declarations']:,} declarations; month {seconds(month_s)}, engine alone "
        f"{seconds(engine_s)}: {ratio:.2f}x (validation alone {validate_ratio:.2f}x)"
    )
    print("outcome: " + summary(local_outcome))

    celery_runs: list[dict] = []
    mismatches: list[int] = []
    if not args.no_celery:
        log = RESULTS_DIR / "month-workers.log"
        RESULTS_DIR.mkdir(exist_ok=True)
        log.write_bytes(b"")
        send_to(args.broker)
        for count in [int(n) for n in args.workers.split(",") if n.strip()]:
            reset_month()
            print(f"\nwith {count} Celery worker process(es) on {args.broker}")
            run = with_workers(actor, count, args.broker, name, log)
            run["outcome"] = outcome()
            run["differs_from_in_process"] = differences(local_outcome, run["outcome"])
            if celery_runs and run["outcome"] != celery_runs[0]["outcome"]:
                mismatches.append(count)
            table(phase_rows(run["phases"]), ["phase", "time", "peak RSS", "load 1/5/15"])
            print(
                f"tasks: {run['tasks']}; workers' peak RSS {megabytes(run['worker_peak_rss'])}; "
                f"validation {run['validation_run']['status']}, "
                f"export {run['export_run']['status']}"
            )
            print("outcome: " + summary(run["outcome"]))
            if run["differs_from_in_process"]:
                print(f"differs from in process: {run['differs_from_in_process']}")
            celery_runs.append(run)
        print(f"\nworkers' log: {log.relative_to(ROOT)}")

    targets = [
        {
            "name": "month in process (draft + validate + export) / engine alone "
            "(load_input + engine.run, same declarations)",
            "value": f"{ratio:.2f}x",
            "limit": f"<= {RATIO_LIMIT:g}x",
            "ok": ratio <= RATIO_LIMIT,
        },
        {
            "name": "peak RSS of the month in process",
            "value": megabytes(peak),
            "limit": f"< {MEMORY_LIMIT / GB:g} GB",
            "ok": peak < MEMORY_LIMIT,
        },
    ]
    by_count = {run["workers"]: run for run in celery_runs}
    queued = {
        c: r["phases"]["validate"]["seconds"] + r["phases"]["export"]["seconds"]
        for c, r in by_count.items()
    }
    speedup = queued[1] / queued[2] if 1 in queued and 2 in queued else None
    validate_speedup = None
    if 1 in by_count and 2 in by_count:
        one, two = (by_count[n]["phases"]["validate"]["seconds"] for n in (1, 2))
        validate_speedup = one / two
        print(f"\nspeed-up 2 vs 1 worker: validate alone {validate_speedup:.2f}x")
    if celery_runs:
        targets.append(
            {
                "name": "speed-up of validate + export with 2 workers against 1",
                "value": "not measured" if speedup is None else f"{speedup:.2f}x",
                "limit": f">= {SPEEDUP_LIMIT:g}x",
                "ok": speedup is not None and speedup >= SPEEDUP_LIMIT,
            }
        )
        past = sum(r["tasks"]["past_soft_limit"] for r in celery_runs)
        targets.append(
            {
                "name": "tasks past their soft time limit",
                "value": str(past),
                "limit": "0",
                "ok": past == 0,
            }
        )
        worker_peak = max(r["worker_peak_rss"] for r in celery_runs)
        targets.append(
            {
                "name": "peak RSS of a worker process",
                "value": megabytes(worker_peak),
                "limit": f"< {MEMORY_LIMIT / GB:g} GB",
                "ok": worker_peak < MEMORY_LIMIT,
            }
        )
    targets_block(targets)
    if mismatches:
        print(
            f"\nCHECK FAILED: the month came out differently with {mismatches} worker(s) than "
            f"with {celery_runs[0]['workers']}"
        )
    write_json(
        "month",
        {
            "scale": args.scale,
            "seed": seed,
            "month": MONTH,
            "actor": actor.username,
            "world": world,
            "generated_now": generated is not None,
            "versions": info,
            "in_process": {**local, "outcome": local_outcome, "ratio": ratio,
                           "validation_ratio": validate_ratio, "peak_rss": peak},
            "celery": celery_runs,
            "speedup_2_vs_1": speedup,
            "validate_speedup_2_vs_1": validate_speedup,
            "targets": targets,
            "check": {"ok": not mismatches, "mismatched_worker_counts": mismatches},
            "load_average_end": load(),
            "peak_rss_mb": round(peak / MB),
        },
    )  # fmt: skip
    if mismatches:
        sys.exit(1)


if __name__ == "__main__":
    main()
