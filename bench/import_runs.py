"""What the import benchmark times: the hours workbook it uploads, the import and the
baseline (openpyxl read-only and one bulk insert), interleaved rounds, and a profile."""

import cProfile
import gc
import io
import pstats
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import cast

from common import _peak, _start_peak
from import_world import FIRST_DAY, reset

QUANTITIES = (4, 7.5, 6, 8, 3.25, 5.5, 2, 6.75, 4.5, 7)  # hours: ints and floats, as Excel has
FILENAME = "bench.xlsx"


def workbook(ids: list[int], days: int) -> tuple[bytes, set[tuple]]:
    """The hours sheet as a user (or another system) would upload it: the template's Dutch
    headers, one row per agreement and day with a quantity, empty notes and cost columns.
    Returns the file and the rows it means, as (agreement, date, quantity, note)."""
    from openpyxl import Workbook

    from declarations.imports.columns import COLUMNS, HOURS_SHEET

    book = Workbook(write_only=True)
    sheet = book.create_sheet(HOURS_SHEET)
    sheet.append([column.dutch for column in COLUMNS])
    empty = [None] * (len(COLUMNS) - 4)
    expected = set()
    for position, agreement_id in enumerate(ids):
        for offset in range(days):
            day = FIRST_DAY + timedelta(days=offset)
            quantity = QUANTITIES[(position * 7 + offset) % len(QUANTITIES)]
            sheet.append([agreement_id, day, quantity, "", *empty])
            expected.add((agreement_id, day, Decimal(str(quantity)), ""))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), expected


def fit_limits(content: bytes, rows: int) -> dict:
    """Raise IMPORT_MAX_BYTES / IMPORT_MAX_ROWS for this run when the file exceeds them."""
    from django.conf import settings

    from declarations.imports.uploads import max_rows, max_upload_bytes

    raised = {}
    if len(content) > max_upload_bytes():
        raised["IMPORT_MAX_BYTES"] = (max_upload_bytes(), len(content))
        settings.IMPORT_MAX_BYTES = len(content)
    if rows > max_rows():
        raised["IMPORT_MAX_ROWS"] = (max_rows(), rows)
        settings.IMPORT_MAX_ROWS = rows
    return raised


def run_import(user, content: bytes):
    from declarations.imports.hours import hours_import

    return hours_import(actor=user, filename=FILENAME, content=content)


def run_baseline(content: bytes) -> int:
    """openpyxl read-only over the same sheet, minimal conversion, one bulk insert: COPY on
    PostgreSQL, bulk_create elsewhere."""
    from django.db import connection, transaction

    import openpyxl

    from declarations.imports.columns import HOURS_SHEET
    from declarations.models import TimeEntry

    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        # the rows as workbook() wrote them: agreement, day, quantity, note, the empty rest
        rows = cast(
            "Iterator[tuple[int, datetime | date, float, str | None, *tuple[object, ...]]]",
            book[HOURS_SHEET].iter_rows(min_row=2, values_only=True),
        )
        objs = [
            TimeEntry(
                agreement_id=int(agreement),
                care_date=day.date() if isinstance(day, datetime) else day,
                quantity=Decimal(str(quantity)),
                note=note or "",
            )
            for agreement, day, quantity, note, *_rest in rows
        ]
    finally:
        book.close()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            copy_entries(objs)
        else:
            TimeEntry.objects.bulk_create(objs, batch_size=2000)
    return len(objs)


def copy_entries(objs) -> None:
    """The bare COPY of the entries' columns (PostgreSQL): one stream of tuples."""
    from django.db import connection
    from django.utils import timezone

    from declarations.models import TimeEntry

    now = timezone.now()
    table = TimeEntry._meta.db_table
    columns = "agreement_id, care_date, quantity, note, created_at, updated_at"
    sql = f"COPY {table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in objs:
            copy.write_row((obj.agreement_id, obj.care_date, obj.quantity, obj.note, now, now))


def interleaved(candidates: dict, before, after, rounds: int, warmup: int = 1) -> dict:
    """Like common.best_of, with ``before()`` (the reset) and ``after(name, result)`` (the
    check) around every run, outside the clock and the memory peak."""
    for _ in range(warmup):
        for name, fn in candidates.items():
            before()
            after(name, fn())
    times: dict[str, list[float]] = {name: [] for name in candidates}
    peaks: dict[str, list[tuple]] = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, fn in candidates.items():
            before()
            gc.collect()
            rss_before = _start_peak()
            start = time.perf_counter()
            result = fn()
            times[name].append(time.perf_counter() - start)
            peaks[name].append((_peak(), rss_before))
            after(name, result)
    out = {}
    for name, values in times.items():
        peak, rss_before = max(peaks[name], key=lambda pair: pair[0] or 0)
        out[name] = {
            "best": min(values),
            "median": sorted(values)[len(values) // 2],
            "runs": values,
            "peak_rss": peak,
            "peak_rss_delta": None if rss_before is None or peak is None else peak - rss_before,
        }
    return out


def profile(user, content: bytes, ids: list[int], top: int = 15) -> dict:
    reset(ids)
    profiler = cProfile.Profile()
    profiler.enable()
    run_import(user, content)
    profiler.disable()
    out = {}
    for key in ("cumulative", "tottime"):
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream).strip_dirs().sort_stats(key)
        stats.print_stats(top if key == "cumulative" else 10)
        out[key] = stream.getvalue()
    return out
