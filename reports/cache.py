"""Reports cached per data version: a cached report is used only while every table it was
made from is as it was, so a cached report is never stale.

The version of a table is its row count and the sum of its rows' ``xmin`` (PostgreSQL's id of
the transaction that wrote each row version). Committed writes always change it: when the count
is the same, as many rows were added as removed, and every row written has a newer, larger id
than every row it replaced, so the sum grows. The freezing of old rows by VACUUM changes it
too (a needless rebuild, not a stale report). Reads inside a transaction are not cached (see
:func:`_cacheable`). The tables are
those the report's queries read, learned from its first build in the process: the report is a
function of what those queries return, and which queries run depends only on what earlier ones
returned, so while no table read changed, the same report comes out.

A build is stored with the version taken *before* it ran: a change committed while it ran
makes the next request build again. The first build of a kind in a process (its tables not
known yet) and a build that read a table not known before are not stored. Other databases than
PostgreSQL (SQLite in tests and development) have no ``xmin``: nothing is cached there.

The access log is not part of this: the callers log every read, cached or not."""

import hashlib
import re
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import translation

from pgb_admin.accounts.scoping import scopes_cached_per_request
from pgb_admin.figures.models import figures_cached_per_request

T = TypeVar("T")

# a table named after FROM or JOIN in Django's SQL (always quoted on PostgreSQL)
_TABLE = re.compile(r'\b(?:FROM|JOIN)\s+"([A-Za-z0-9_]+)"')
#: tables a kind of report was seen to read in this process
_tables_of: dict[str, frozenset[str]] = {}


def cached_report(kind: str, key: tuple[Hashable, ...], build: Callable[[], T]) -> T:
    """``build()``, or the copy cached for ``kind`` and ``key`` (who asks, for what, which
    day) while the data it was made from is unchanged. The language is part of the key."""
    if not _cacheable():
        return build()
    cache_key = _cache_key(kind, key)
    known = _tables_of.get(kind)
    version = data_version(known) if known else None
    if version is not None:
        entry = cache.get(cache_key)
        if entry is not None and entry[0] == version:
            return entry[1]
    value, read = _build_reading_tables(build)
    if known is not None and read <= known:
        cache.set(cache_key, (version, value), settings.REPORT_CACHE_SECONDS)
    else:
        _tables_of[kind] = read | (known or frozenset())
    return value


def _cacheable() -> bool:
    """PostgreSQL, with the cache on, and not inside a transaction: a transaction's own
    writes all carry its one id, so a second change by it would leave the version as it was;
    committed transactions only ever raise it (a new id is larger than every earlier one)."""
    return (
        connection.vendor == "postgresql"
        and bool(getattr(settings, "REPORT_CACHE_SECONDS", 0))
        and not connection.in_atomic_block
    )


def data_version(tables: frozenset[str]) -> tuple[Any, ...]:
    """Row count and the sum of ``xmin`` of each table, in one query."""
    # table names come from Django's own SQL (quoted identifiers matched by _TABLE)
    parts = [
        f'SELECT {i} AS n, count(*) AS c, coalesce(sum(xmin::text::bigint), 0) AS s FROM "{t}"'  # noqa: S608
        for i, t in enumerate(sorted(tables))
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts) + " ORDER BY n")
        return tuple(cursor.fetchall())


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
    return "report:" + hashlib.sha256(text.encode()).hexdigest()
