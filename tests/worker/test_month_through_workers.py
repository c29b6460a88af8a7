"""The end-to-end month at a small scale on PostgreSQL: a bureau's month drafted, validated
and exported in-process (eager, chords run in the test's process) on one copy of a database,
and through two real Celery workers on Redis (the validation fanned out over both, its chord
joined by the Redis result backend) on an identical copy. Both runs must leave the same
findings, statuses and amounts, grants' declared totals, run results and batch file bytes.

The copy is PostgreSQL's (``CREATE DATABASE ... TEMPLATE``), made after the holders were built
and before either run, so ids and sequences start equal. Needs PostgreSQL and Redis (see
conftest.py); ``make worker-test``. PGB_FAN_OUT_HOLDERS, PGB_FAN_OUT_WORKERS and
PGB_FAN_OUT_MIN change the scale, the number of workers and the smallest chunk (to measure)."""

import contextlib
import os
import re
import time

from django.db import connection
from django.utils import timezone

import psycopg
from psycopg import sql

from declarations import tasks
from pgb_admin.core.models import TaskRun, TaskStatus
from pgb_admin.core.periods import previous_month

from ..conftest import restore_reference_data
from .month import bureau_month, month_outcome

HOLDERS = int(os.environ.get("PGB_FAN_OUT_HOLDERS", "40"))
WORKERS = int(os.environ.get("PGB_FAN_OUT_WORKERS", "2"))
#: chunks of 6 declarations: 40 holders (a declaration each) are 7 chunk tasks
SMALLEST_CHUNK = os.environ.get("PGB_FAN_OUT_MIN", "6")
RUN_TIMEOUT = 120 + HOLDERS // 10
CHUNK_RECEIVED = re.compile(r"Task declarations\.validate_chunk\[[0-9a-f-]+\] received")


def _admin():
    """A connection to the server's maintenance database, to copy and drop databases."""
    settings = connection.settings_dict
    return psycopg.connect(
        dbname="postgres",
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    )


@contextlib.contextmanager
def _copy_of_the_database():
    """An identical copy of the test database (no one may be connected to it meanwhile: the
    workers start later), dropped afterwards; yields its name."""
    original = connection.settings_dict["NAME"]
    copy = f"{original}_in_process"[:63]
    connection.close()
    with _admin() as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(copy)))
        _create_copy(admin, original, copy)
    try:
        yield copy
    finally:
        connection.close()
        with _admin() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(copy))
            )


def _create_copy(admin, original: str, copy: str, attempts: int = 20) -> None:
    """CREATE DATABASE copy TEMPLATE original. The bulk inserts wake autovacuum, whose
    session on the original makes PostgreSQL refuse the copy: such a session is ended and
    the copy tried again."""
    for attempt in range(attempts):
        try:
            admin.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(copy), sql.Identifier(original)
                )
            )
            return
        except psycopg.errors.ObjectInUse:
            if attempt == attempts - 1:
                raise
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND backend_type = 'autovacuum worker'",
                (original,),
            )
            time.sleep(0.5)


@contextlib.contextmanager
def _on_database(name: str):
    """This process's connection on database ``name`` for the block."""
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original


def _finished(run: TaskRun) -> TaskRun:
    deadline = time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status in (TaskStatus.DONE, TaskStatus.FAILED):
            return run
        time.sleep(0.05)
    raise AssertionError(f"run not finished in {RUN_TIMEOUT} s: {run}")


def _month(user, month, holder_ids) -> tuple[dict, float]:
    """The console's two buttons for all holders, each awaited: draft and validate, then
    export. Returns what the month left and the validation's seconds."""
    started = time.perf_counter()
    validation = _finished(
        tasks.start_bureau_validation(actor=user, month=month, holder_ids=holder_ids)
    )
    took = time.perf_counter() - started
    exports = tasks.start_bureau_export(actor=user, month=month, holder_ids=holder_ids)
    runs = [validation, *(_finished(run) for run, _holder in exports.runs)]
    return month_outcome(month, runs), took


def test_a_month_through_two_workers_equals_the_month_in_process(
    broker, reference_data, settings, request
):
    restore_reference_data(reference_data)
    month = previous_month(timezone.localdate())
    user, holder_ids = bureau_month(HOLDERS, month)
    settings.VALIDATION_TASK_MIN_DECLARATIONS = int(SMALLEST_CHUNK)

    with _copy_of_the_database() as copy:
        with _on_database(copy):
            load = os.getloadavg()
            in_process, in_process_took = _month(user, month, holder_ids)

        workers = request.getfixturevalue("workers")  # from here tasks go to the broker
        for _ in range(WORKERS):
            workers.start("prefork", env={"VALIDATION_TASK_MIN_DECLARATIONS": SMALLEST_CHUNK})
        through_workers, workers_took = _month(user, month, holder_ids)
        chunk_tasks = len(CHUNK_RECEIVED.findall(workers.log.read_text()))

    print(
        f"\nmonth of {HOLDERS} holders: validation {in_process_took:.1f} s in process "
        f"(load {load[0]:.1f}), {workers_took:.1f} s through {WORKERS} workers "
        f"({chunk_tasks} chunk tasks; load {os.getloadavg()[0]:.1f}); "
        f"{len(in_process['findings'])} findings, {len(in_process['files'])} batch files"
    )
    assert chunk_tasks >= 2, "the validation was not fanned out"
    assert in_process["findings"], "the month has findings to compare"
    statuses = {status for _pk, _agreement, status, _total, _batch in in_process["declarations"]}
    assert {"exported", "draft"} <= statuses, "some exported, some held back by their errors"
    for part in in_process:
        differing = _differing(in_process[part], through_workers[part])
        assert through_workers[part] == in_process[part], (part, differing)


def _differing(one, other) -> list:
    """Where two outcomes' parts differ: the keys (and workbook entries) or the rows."""
    if isinstance(one, dict) and isinstance(other, dict):
        keys = sorted(set(one) | set(other), key=str)
        return [
            (key, _differing(one.get(key), other.get(key)))
            for key in keys
            if one.get(key) != other.get(key)
        ]
    if isinstance(one, list) and isinstance(other, list):
        return [row for row in one if row not in other][:5] + [
            row for row in other if row not in one
        ][:5]
    return [_shortened(one), _shortened(other)]


def _shortened(value):
    return value[:300] if isinstance(value, bytes) else value
