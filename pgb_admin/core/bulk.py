"""Set-based writes of many rows, in the caller's transaction, without model instances: rows
inserted with COPY on PostgreSQL (``bulk_create`` elsewhere), and rows updated from a list of
values in one statement per batch (where ``bulk_update`` would build a ``CASE`` per field and
row). No signals, no ``auto_now``: the caller passes every value a row needs."""

import json
import time
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models

#: rows per UPDATE
UPDATE_BATCH = 5000
#: from this many rows COPY pays; below, one multi-row INSERT is as quick (and a request's
#: access log, a row per holder of a page, stays an INSERT that query counts see)
COPY_FROM_ROWS = 500


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> int:
    """Insert ``rows`` (a tuple of values per row, in the order of ``fields``, by attname:
    ``declaration_id``, not ``declaration``): COPY on PostgreSQL (from ``COPY_FROM_ROWS``
    rows), ``bulk_create`` otherwise.
    Returns how many were inserted. The values are the Python values of the fields (Decimal,
    date, aware datetime, a JSON field's object)."""
    rows = list(rows)
    if not rows:
        return 0
    if connection.vendor == "postgresql" and len(rows) >= COPY_FROM_ROWS:
        _copy(model, fields, rows)
    else:
        model._default_manager.bulk_create(
            [model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=2000
        )
    return len(rows)


def _copy(model: type[models.Model], fields: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    targets = [_column(model, name) for name in fields]
    # COPY reads a JSON column from its text, dumped as the field dumps it
    json_encoders = {
        i: field.encoder for i, field in enumerate(targets) if isinstance(field, models.JSONField)
    }
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in targets)
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    started = time.monotonic()
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(
                [
                    json.dumps(value, cls=json_encoders[i]) if i in json_encoders else value
                    for i, value in enumerate(row)
                ]
            )
    _log(f"{sql} -- {len(rows)} rows", started)


def update_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> int:
    """Set ``fields`` (by attname) of many rows: ``rows`` are (pk, value, …) in the order of
    ``fields``. One UPDATE per batch of rows, from a column of values per field (PostgreSQL:
    an array each, unnested) or a VALUES list (SQLite). Returns how many rows."""
    rows = list(rows)
    if not rows:
        return 0
    columns = [_column(model, name) for name in ("pk", *fields)]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    # both name the columns of their values column1, column2, …
    assignments = ", ".join(
        f"{quote(field.column)} = v.column{i}" for i, field in enumerate(columns[1:], start=2)
    )
    where = f"WHERE {table}.{quote(columns[0].column)} = v.column1"
    postgresql = connection.vendor == "postgresql"
    size = UPDATE_BATCH if postgresql else _sqlite_batch(columns, rows)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            values = [
                [field.get_db_prep_save(row[i], connection) for row in rows[start : start + size]]
                for i, field in enumerate(columns)
            ]
            if postgresql:
                arrays = ", ".join(
                    f"CAST(%s AS {field.db_type(connection)}[])" for field in columns
                )
                names = ", ".join(f"column{i}" for i in range(1, len(columns) + 1))
                source, params = f"unnest({arrays}) AS v ({names})", values
            else:
                cell = "(" + ", ".join(["%s"] * len(columns)) + ")"
                source = f"(VALUES {', '.join([cell] * len(values[0]))}) AS v"
                params = [value for row in zip(*values, strict=True) for value in row]
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM {source} {where}",  # noqa: S608
                params,
            )
    return len(rows)


def _sqlite_batch(columns: list["models.Field[Any, Any]"], rows: list[tuple[Any, ...]]) -> int:
    return max(1, min(UPDATE_BATCH, connection.ops.bulk_batch_size(columns, rows)))


def _column(model: type[models.Model], attname: str) -> "models.Field[Any, Any]":
    """The concrete field of ``model`` stored in the column of ``attname`` (``"pk"`` for the
    primary key)."""
    for field in model._meta.concrete_fields:
        if field.attname == attname or (attname == "pk" and field.primary_key):
            return field
    raise LookupError(f"{model._meta.label} has no column {attname}")


def _log(sql: str, started: float) -> None:
    """COPY bypasses the cursor wrapper that logs statements: log it as one, so query counts
    (``assertNumQueries``, the debug toolbar, the benchmarks) see it."""
    if connection.queries_logged:
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})
