"""Reports cached per data version: a cached report is used only while no transaction has
committed a write to a table it was made from since it was built, so a cached report is never
stale.

How a change is seen, in one indexed query whatever the size of the tables: a statement trigger
on every table (reports/data_changes.py) notes in ``reports_datachange`` the id of each
transaction that writes the table (once per transaction and table). That row commits
or rolls back with the write itself, so it is visible exactly when the write is. A report is
stored with the PostgreSQL snapshot taken *before* its build (``pg_current_snapshot()``: which
transactions had committed then). Every later build statement sees at least what that snapshot
saw, so the report holds every transaction visible in it. It is served while no noted
transaction on its tables is committed and *not* visible in that snapshot: committed after it
was taken, or still running when it was taken (so possibly seen in part by the build). This
closes the commit races a counter or a sequence would leave: a transaction's id is given at its
first write and it may commit long after later ones, but visibility in a snapshot is decided by
commit, not by id order. (The former version, count and sum of ``xmin`` over whole tables, cost
a scan of every table read: 0.1-0.3 s for a million time entries, more than the report; and
two updates of one transaction could leave the sum as it was.)

Reads inside a transaction are not cached (see :func:`_cacheable`). The tables are those the
report's queries read, learned from its first build in the process: the report is a function of
what those queries return, and which queries run depends only on what earlier ones returned, so
while no table read changed, the same report comes out. A kind that read a table without the
trigger (made after the migration, or left out of it) is never cached; nor is anything where the
change log is missing (SQLite in tests and development, a database not migrated yet).

The first build of a kind in a process (its tables not known yet) and a build that read a table
not known before are not stored. An entry keeps the tables its build read: it is checked against
those and the ones this process knows, so an entry stored by another process that learned more
tables is checked against all of them. The log is pruned now and then (:func:`_prune`): rows of
transactions older than a horizon are deleted and every report built before the horizon counts
as changed; the horizon is the oldest running transaction of ``REPORT_CACHE_SECONDS`` ago, so
only reports that expired from the cache anyway are affected.

The access log is not part of this: the callers log every read, cached or not."""

import hashlib
import re
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import translation

from pgb_admin.accounts.scoping import scopes_cached_per_request
from pgb_admin.figures.models import figures_cached_per_request

from .data_changes import TRIGGER

T = TypeVar("T")

# a table named after FROM or JOIN in Django's SQL (always quoted on PostgreSQL)
_TABLE = re.compile(r'\b(?:FROM|JOIN)\s+"([A-Za-z0-9_]+)"')
#: tables a kind of report was seen to read in this process
_tables_of: dict[str, frozenset[str]] = {}
#: tables known (in this process) to carry the change trigger, or known not to
_triggered: dict[str, bool] = {}
#: how often a process prunes the change log, at most
PRUNE_EVERY_SECONDS = 60.0
_last_prune = 0.0

# served while no transaction noted on its tables committed unseen by the snapshot
_UNCHANGED = """
SELECT pg_current_snapshot()::text,
       pg_snapshot_xmin(%(seen)s::pg_snapshot) >= (SELECT xid FROM reports_datachangehorizon)
       AND NOT EXISTS (
           SELECT 1 FROM reports_datachange
           WHERE xid >= pg_snapshot_xmin(%(seen)s::pg_snapshot)
             AND table_name = ANY(%(tables)s)
             AND NOT pg_visible_in_snapshot(xid, %(seen)s::pg_snapshot)
       )
"""
# the horizon moves to the candidate set at least REPORT_CACHE_SECONDS ago; one statement
_PRUNE = """
WITH moved AS (
    UPDATE reports_datachangehorizon
    SET xid = greatest(xid, candidate),
        candidate = pg_snapshot_xmin(pg_current_snapshot()),
        candidate_at = now()
    WHERE candidate_at <= now() - make_interval(secs => %s)
    RETURNING xid
)
DELETE FROM reports_datachange WHERE xid < (SELECT xid FROM moved)
"""


def cached_report(kind: str, key: tuple[Hashable, ...], build: Callable[[], T]) -> T:
    """``build()``, or the copy cached for ``kind`` and ``key`` (who asks, for what, which
    day) while the data it was made from is unchanged. The language is part of the key."""
    if not _cacheable():
        return build()
    cache_key = _cache_key(kind, key)
    known = _tables_of.get(kind)
    snapshot = None
    if known is not None and _all_triggered(known):
        entry = cache.get(cache_key)
        if entry is not None and _all_triggered(entry[1]):
            # the tables its build read too (another process may have learned more)
            seen, tables, value = entry
            snapshot, unchanged = _check(seen, known | tables)
            if unchanged:
                return value
        else:
            snapshot, unchanged = _check(None, known)
        _prune()
    value, read = _build_reading_tables(build)
    if snapshot is not None and known is not None and read <= known:
        cache.set(cache_key, (snapshot, read, value), settings.REPORT_CACHE_SECONDS)
    else:
        _tables_of[kind] = read | (known or frozenset())
    return value


def _cacheable() -> bool:
    """PostgreSQL, with the cache on, and not inside a transaction: a transaction's own
    writes are visible to it before they are committed, so a report built there could show
    what is then rolled back."""
    return (
        connection.vendor == "postgresql"
        and bool(getattr(settings, "REPORT_CACHE_SECONDS", 0))
        and not connection.in_atomic_block
    )


def _check(seen: str | None, tables: frozenset[str]) -> tuple[str, bool]:
    """The snapshot now (for a build that follows) and whether no transaction noted on
    ``tables`` committed outside ``seen`` (a stored report's snapshot; None: nothing stored)."""
    with connection.cursor() as cursor:
        if seen is None:
            cursor.execute("SELECT pg_current_snapshot()::text")
            return cursor.fetchone()[0], False
        cursor.execute(_UNCHANGED, {"seen": seen, "tables": sorted(tables)})
        now, unchanged = cursor.fetchone()
    return now, bool(unchanged)


def _all_triggered(tables: frozenset[str]) -> bool:
    """Whether every table carries the change trigger (looked up once per process)."""
    unknown = sorted(tables - _triggered.keys())
    if unknown:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname = %s AND t.tgenabled <> 'D' AND c.relname = ANY(%s) "
                "AND to_regclass('reports_datachange') IS NOT NULL",
                [TRIGGER, unknown],
            )
            found = {name for (name,) in cursor.fetchall()}
        _triggered.update({name: name in found for name in unknown})
    return all(_triggered[name] for name in tables)


def _prune(force: bool = False) -> None:
    """Deletes the log's rows before the horizon, at most every ``PRUNE_EVERY_SECONDS`` per
    process (``force``: now, moving the horizon to the candidate whatever its age)."""
    global _last_prune
    now = time.monotonic()
    if not force and now - _last_prune < PRUNE_EVERY_SECONDS:
        return
    _last_prune = now
    with connection.cursor() as cursor:
        cursor.execute(_PRUNE, [0 if force else settings.REPORT_CACHE_SECONDS])


def _build_reading_tables(build: Callable[[], T]) -> tuple[T, frozenset[str]]:
    read: set[str] = set()

    def note_tables(execute, sql, params, many, context):
        read.update(_TABLE.findall(sql))  # more tables than read only means more rebuilds
        return execute(sql, params, many, context)

    # lookups remembered for the request (the user's scope, statutory figures) are made
    # again inside, so the tables they read are seen too
    with (
        connection.execute_wrapper(note_tables),
        scopes_cached_per_request(),
        figures_cached_per_request(),
    ):
        value = build()
    return value, frozenset(read)


def _cache_key(kind: str, key: tuple[Hashable, ...]) -> str:
    text = repr((kind, translation.get_language(), *key))
    # v2: entries of (snapshot, tables read, report); the former ones held a table version
    return "report:v2:" + hashlib.sha256(text.encode()).hexdigest()
