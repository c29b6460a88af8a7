"""Whether a request changed the data: every row of every table of the application (domain data,
the change log, tasks, users, mandates, tokens), read with one plain query per table, before and
after. The database's own count of written rows (SQLite's ``total_changes()``, PostgreSQL's
``pg_stat_xact_user_tables``) says when nothing was written, so the tables are read again only
after a request that wrote something, if only a row it rolled back.

Left out is only what the application writes on purpose while refusing a request: the access
log (NEN 7513 logs refused and read-only access too), django-axes' record of failed logins, the
time a token was last used and django-otp's count of wrong codes."""

from django.apps import apps
from django.db import connection

# apps whose tables are Django's own machinery, not data a request may change
MACHINERY = frozenset({"admin", "auth", "contenttypes", "sessions", "axes"})
# tables written while a request is refused, by design
REFUSALS_LOGGED = frozenset({"audit_accessevent"})
# columns that record use, not data: written on every request that authenticates or checks a code
USE_COLUMNS = frozenset(
    {"last_used_at", "throttling_failure_timestamp", "throttling_failure_count"}
)

Snapshot = dict[str, list[tuple]]


def _queries() -> dict[str, str]:
    quote = connection.ops.quote_name
    queries = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label in MACHINERY or meta.db_table in REFUSALS_LOGGED:
            continue
        if not meta.managed or meta.proxy:
            continue
        columns = ", ".join(
            quote(f.column) for f in meta.concrete_fields if f.column not in USE_COLUMNS
        )
        # names from the models, quoted: nothing here comes from a request
        queries[meta.db_table] = (
            f"SELECT {columns} FROM {quote(meta.db_table)} ORDER BY {quote(meta.pk.column)}"  # noqa: S608
        )
    return queries


_QUERIES: dict[str, str] = {}


def _tables() -> dict[str, str]:
    if not _QUERIES:
        _QUERIES.update(_queries())
    return _QUERIES


def take() -> Snapshot:
    with connection.cursor() as cursor:
        snapshot = {}
        for table, query in _tables().items():
            cursor.execute(query)
            snapshot[table] = [tuple(map(_plain, row)) for row in cursor.fetchall()]
    return snapshot


def _plain(value):
    # a hashable form of what the driver gives: PostgreSQL gives bytea as memoryview, jsonb as
    # dicts and lists
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, (dict, list)):
        return repr(value)
    return value


def changes(before: Snapshot, after: Snapshot) -> dict[str, str]:
    """The tables that differ, each with how many rows were added, removed or changed."""
    changed = {}
    for table, rows in after.items():
        old = before.get(table, [])
        if rows != old:
            added, removed = len(set(rows) - set(old)), len(set(old) - set(rows))
            changed[table] = f"{len(old)} -> {len(rows)} rows (+{added} -{removed} as tuples)"
    return changed


PG_WRITES = (
    "SELECT coalesce(sum(pg_stat_get_xact_tuples_inserted(o) + pg_stat_get_xact_tuples_updated(o)"
    " + pg_stat_get_xact_tuples_deleted(o)), 0) FROM unnest(%s::oid[]) o"
)


def write_counter():
    """A function that gives the rows written on this connection so far (on PostgreSQL: in
    this transaction and in the tables read), rolled back ones included; None where the
    database cannot say."""
    if connection.vendor == "sqlite":
        return lambda: _one("SELECT total_changes()")
    if connection.vendor == "postgresql":
        oids = _one("SELECT array_agg(to_regclass(t)::oid) FROM unnest(%s::text[]) t", _tables())
        return lambda: _one(PG_WRITES, oids)
    return lambda: None


def _one(query: str, values=None):
    with connection.cursor() as cursor:
        cursor.execute(query, None if values is None else [list(values)])
        return cursor.fetchone()[0]


class DataWatch:
    """``before()`` a request, ``changes()`` after it. One per test: a rollback at the end of a
    test undoes rows without counting as a write."""

    def __init__(self) -> None:
        self._write_count = write_counter()
        self._count: int | None = None
        self._snapshot: Snapshot | None = None

    def before(self) -> None:
        count = self._write_count()
        if self._snapshot is None or count is None or count != self._count:
            self._snapshot, self._count = take(), count

    def changes(self) -> dict[str, str]:
        count = self._write_count()
        if count is not None and count == self._count:
            return {}  # nothing written at all
        after = take()
        changed = changes(self._snapshot, after)
        self._snapshot, self._count = after, count
        return changed
