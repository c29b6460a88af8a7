"""Storing the many new rows of an import at once: PostgreSQL's ``COPY … FROM STDIN`` (one
stream, no SQL text to build or parse per row), ``bulk_create`` on other databases and for a
handful of rows, where one INSERT costs no more.

Like ``bulk_create`` it sends no signals and calls no ``save()``; unlike it, the objects get
no primary key back (the import never needs them). ``auto_now`` and ``auto_now_add`` fields
get one timestamp for all the rows, as ``now()`` would in the transaction.
"""

from collections.abc import Sequence
from operator import attrgetter

from django.db import connection, models
from django.utils import timezone

COPY_FROM_ROWS = 500  # fewer rows: bulk_create
# fields whose Python values the driver writes as the database stores them (others, such as
# JSON or encrypted fields, need Django's preparation: bulk_create)
PLAIN_FIELDS = (
    models.DateField,  # and DateTimeField
    models.TimeField,
    models.DecimalField,
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.ForeignKey,
)
BATCH_SIZE = 2000


def insert_new(model: type[models.Model], objects: Sequence[models.Model]) -> int:
    """Insert ``objects`` (new, unsaved) of ``model``; returns how many."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    if (
        connection.vendor != "postgresql"
        or len(objects) < COPY_FROM_ROWS
        or not all(isinstance(field, PLAIN_FIELDS) for field in fields)
    ):
        model._default_manager.bulk_create(objects, batch_size=BATCH_SIZE)
        return len(objects)
    now = timezone.now()
    stamped = [field.attname for field in fields if _stamped(field)]
    for obj in objects:
        for name in stamped:
            setattr(obj, name, now)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    values = attrgetter(*(field.attname for field in fields))
    sql = f"COPY {table} ({columns}) FROM STDIN"
    # the driver's own cursor (Django's wrapper has no COPY)
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in objects:
            copy.write_row(values(obj))
    return len(objects)


def _stamped(field: models.Field) -> bool:
    return isinstance(field, models.DateField) and bool(
        getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    )
