"""Batch export of 100,000 lines (5,000 declarations x 20 days): ``write_xlsx`` against a raw
openpyxl ``Workbook(write_only=True)`` writing the same file (the same cells and styles), and
``write_csv`` against a raw ``csv.writer`` writing the same rows; interleaved rounds until the
figures are steady, in one process. The raw CSV must come out byte for byte the same as the
app's, the raw XLSX part for part (all but the time of writing); with lxml, the app's XLSX must
be the same document as openpyxl writes without it.

    .venv/bin/python bench/bench_export.py --scale 1.0      # or --declarations 5000 --days 20
"""

import argparse
import csv
import io
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    SPREAD_LIMIT,
    megabytes,
    print_versions,
    ratio_of,
    seconds,
    setup_django,
    stable_rounds,
    steadiness,
    table,
    traced_peak,
    verdict,
    versions,
    write_json,
)

TARGET_XLSX = 1.2  # issue 18: the raw writer writing the same file (lxml in use when installed)
TARGET_CSV = 2.0
MONTH = date(2026, 10, 1)
FIRST_NAMES = ["Anouk", "Daan", "Fleur", "Sem", "Noë", "Zoë", "Mehmet", "Fatima", "Joël", "Inge"]
LAST_NAMES = [
    "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Özdemir", "El Amrani",
    "Müller", "Hoekstra", "'t Hart", "van Dijk",
]  # fmt: skip
PROVIDERS = [
    "Zorgcentrum De Linde", "Thuiszorg Noord B.V.", "=HYPERLINK(\"http://x\")", "@home zorg",
    "-Zorg Plus", "Stichting Zonnehuis", "Buurtzorg Assen", "J. de Boer (zzp)",
]  # fmt: skip
PRODUCTS = ["huishoudelijke_hulp", "begeleiding_individueel", "persoonlijke_verzorging"]
SCHEMES = ["wmo", "jeugdwet", "wlz", "zvw"]


def build_content(declarations: int, days: int, seed: int = 20261001):
    """A batch of ``declarations`` declarations of ``days`` lines each (a tenth with a rate
    change halfway), deterministic."""
    from declarations.exports import BatchContent, ExportDeclaration, ExportLine

    rng = np.random.default_rng(seed)
    month_days = [MONTH + timedelta(days=d) for d in range(31)]
    result = []
    for number in range(declarations):
        chosen = sorted(rng.choice(31, size=min(days, 31), replace=False).tolist())
        rate = Decimal(int(rng.integers(1600, 6500))) / 100
        changed = rng.random() < 0.1
        lines = []
        for position, day in enumerate(chosen):
            line_rate = rate + Decimal("1.25") if changed and position >= len(chosen) // 2 else rate
            quantity = Decimal(int(rng.integers(4, 33)) * 25) / 100
            lines.append(
                ExportLine(
                    care_date=month_days[day],
                    quantity=quantity,
                    unit="hour",
                    rate=line_rate,
                    amount=(quantity * line_rate).quantize(Decimal("0.01")),
                )
            )
        care = sum((line.amount for line in lines), Decimal(0))
        km = Decimal(int(rng.integers(0, 300))) if rng.random() < 0.3 else Decimal(0)
        travel = (km * Decimal("0.23")).quantize(Decimal("0.01"))
        other = Decimal("12.50") if rng.random() < 0.05 else Decimal(0)
        first, last = rng.integers(0, len(FIRST_NAMES)), rng.integers(0, len(LAST_NAMES))
        result.append(
            ExportDeclaration(
                declaration_id=10_000_000 + number,
                corrects_id=9_000_000 + number if rng.random() < 0.02 else None,
                month=MONTH,
                holder_name=f"{FIRST_NAMES[first]} {LAST_NAMES[last]}",
                holder_svb_client_number=f"{int(rng.integers(10**7, 10**8))}",
                agreement_svb_number=f"ZO-{int(rng.integers(10**6, 10**7))}",
                provider_name=PROVIDERS[int(rng.integers(0, len(PROVIDERS)))],
                provider_agb_code=f"{int(rng.integers(10**7, 10**8))}",
                provider_kvk_number=f"{int(rng.integers(10**7, 10**8))}",
                scheme=SCHEMES[int(rng.integers(0, 4))],
                care_product=PRODUCTS[int(rng.integers(0, len(PRODUCTS)))],
                travel_kilometres=km,
                travel_amount=travel,
                other_amount=other,
                total_amount=care + travel + other,
                lines=lines,
            )
        )
    return BatchContent(
        batch_id=4711,
        period=MONTH,
        created_at=datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
        created_by="beheer",
        declarations=result,
        skipped=[{"declaration_id": 1, "reason": "blocking findings"}],
    )


# --- the same cells, prepared before the clock starts ------------------------------------------

MONEY_DECLARATIONS = (12, 45, 47, 48, 49)  # rate, care amount, travel, other, total


def xlsx_rows(content) -> dict[str, list[tuple[list, tuple[int, ...], bool]]]:
    """Every row the app writes, sheet by sheet, as (values, money-formatted positions, bold),
    formula text neutralised: what a raw writer needs to write the same file."""
    from django.utils.translation import gettext as _

    from pgb_admin.core.spreadsheets import sheet_value

    declarations: list[tuple[list, tuple[int, ...], bool]] = [(
        [
            _("Declaration"), _("Correction of"), _("Budget holder"), _("SVB client number"),
            _("SVB agreement number"), _("Care provider"), _("AGB code"), _("KvK number"),
            _("Law"), _("Care product"), _("Month"), _("Unit"), _("Rate"),
            *[str(day) for day in range(1, 32)],
            _("Quantity"), _("Care amount"), _("Travel (km)"), _("Travel costs"),
            _("Other costs"), _("Declaration total"),
        ], (), True,
    )]  # fmt: skip
    weeks: list[tuple[list, tuple[int, ...], bool]] = [(
        [_("SVB agreement number"), _("Budget holder"), _("Care provider"), _("Week"),
         _("From"), _("To"), _("Quantity"), _("Unit"), _("Amount")], (), True,
    )]  # fmt: skip
    for d in content.declarations:
        groups: dict = {}
        for line in d.lines:
            groups.setdefault((line.rate, line.unit), []).append(line)
        items = list(groups.items()) or [((Decimal(0), ""), [])]
        for position, ((rate, unit), lines) in enumerate(items):
            days: list = [None] * 31
            for line in lines:
                days[line.care_date.day - 1] = line.quantity
            last = position == len(items) - 1
            declarations.append((
                [
                    d.declaration_id, d.corrects_id, d.holder_name, d.holder_svb_client_number,
                    d.agreement_svb_number, d.provider_name, d.provider_agb_code,
                    d.provider_kvk_number, d.scheme, d.care_product, f"{d.month:%Y-%m}", unit,
                    rate, *days,
                    sum((line.quantity for line in lines), Decimal(0)),
                    sum((line.amount for line in lines), Decimal(0)),
                    d.travel_kilometres if last else None, d.travel_amount if last else None,
                    d.other_amount if last else None, d.total_amount if last else None,
                ], MONEY_DECLARATIONS, False,
            ))  # fmt: skip
        by_week = defaultdict(list)
        for line in d.lines:
            year, week, _weekday = line.care_date.isocalendar()
            by_week[year, week, line.unit].append(line)
        for (year, week, unit), lines in sorted(by_week.items()):
            weeks.append((
                [
                    d.agreement_svb_number, d.holder_name, d.provider_name, f"{year}-W{week:02d}",
                    min(line.care_date for line in lines), max(line.care_date for line in lines),
                    sum((line.quantity for line in lines), Decimal(0)), unit,
                    sum((line.amount for line in lines), Decimal(0)),
                ], (8,), False,
            ))  # fmt: skip
    summary: list[tuple[list, tuple[int, ...], bool]] = [
        ([_("Export"), content.batch_id], (), False),
        ([_("Month"), f"{content.period:%Y-%m}"], (), False),
        ([_("Exported at"), content.created_at.strftime("%Y-%m-%d %H:%M:%S %Z")], (), False),
        ([_("Exported by"), content.created_by], (), False),
        ([_("Declarations"), len(content.declarations)], (), False),
        ([_("Care lines"), content.line_count], (), False),
        ([_("Total"), content.total], (1,), False),
        ([], (), False),
        ([_("Left out"), _("Reason")], (), True),
        *[([s["declaration_id"], s["reason"]], (), False) for s in content.skipped],
    ]
    sheets = {
        _("Declarations"): declarations,
        _("Weekly totals"): weeks,
        _("Summary"): summary,
    }
    return {
        title: [([sheet_value(value) for value in row], money, bold) for row, money, bold in rows]
        for title, rows in sheets.items()
    }


def csv_rows(content) -> list[list]:
    from declarations.exports import CSV_COLUMNS
    from pgb_admin.core.spreadsheets import neutralise

    rows = [list(CSV_COLUMNS)]
    for d in content.declarations:
        common = [
            content.batch_id, d.declaration_id, d.corrects_id or "", f"{d.month:%Y-%m}",
            neutralise(d.holder_svb_client_number), neutralise(d.holder_name),
            neutralise(d.agreement_svb_number), neutralise(d.provider_name),
            neutralise(d.provider_agb_code), neutralise(d.provider_kvk_number),
            neutralise(d.scheme), neutralise(d.care_product),
        ]  # fmt: skip
        for line in d.lines:
            rows.append(
                ["line", *common, line.care_date.isoformat(), line.quantity, line.unit,
                 line.rate, line.amount, "", "", "", ""]
            )  # fmt: skip
        rows.append(
            ["declaration", *common, "", "", "", "", "", d.travel_kilometres, d.travel_amount,
             d.other_amount, d.total_amount]
        )  # fmt: skip
    return rows


def raw_xlsx(sheets: dict[str, list[tuple[list, tuple[int, ...], bool]]], styled=True) -> bytes:
    """openpyxl ``write_only`` writing the prepared rows: plain values from openpyxl's reused
    cell, a cell of its own only where a style is needed (bold headers, money), the header
    frozen. With ``styled=False`` every value plain and nothing frozen (values only: a file
    that differs from the app's, for comparison)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    from pgb_admin.core.spreadsheets import BOLD, MONEY_FORMAT

    workbook = Workbook(write_only=True)
    for position, (title, rows) in enumerate(sheets.items()):
        sheet = workbook.create_sheet(title)
        if styled and position < 2:
            sheet.freeze_panes = "A2"
        for values, money, bold in rows:
            if styled and bold:
                cells = []
                for value in values:
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.font = BOLD
                    cells.append(cell)
                values = cells
            elif styled and money:
                values = list(values)
                for index in money:
                    if values[index] is not None:
                        cell = WriteOnlyCell(sheet, value=values[index])
                        cell.number_format = MONEY_FORMAT
                        values[index] = cell
            sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def raw_csv(rows: list[list]) -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_cells(content: bytes) -> dict[str, dict[str, int]]:
    """Rows, cells and cells with a value in each worksheet of an XLSX file."""
    result = {}
    for name, xml in xlsx_parts(content).items():
        if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", name):
            result[name] = {
                "rows": xml.count(b"<row "),
                "cells": xml.count(b"<c "),
                "valued": xml.count(b"<v>") + xml.count(b"<is>"),
            }
    return result


def xlsx_parts(content: bytes) -> dict[str, bytes]:
    """Every part of an XLSX file but ``docProps/core.xml`` (it holds the time of writing)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {
            name: archive.read(name)
            for name in sorted(archive.namelist())
            if name != "docProps/core.xml"
        }


def canonical(content: bytes) -> dict[str, str]:
    """The XML parts in canonical form (C14N 2.0): what two serialisers of the same document
    agree on, whatever they do with spaces before ``/>`` or where a namespace is declared."""
    from xml.etree.ElementTree import canonicalize

    return {
        name: canonicalize(xml.decode("utf-8"))
        for name, xml in xlsx_parts(content).items()
        if name.endswith((".xml", ".rels"))
    }


SAMPLE_DECLARATIONS = 300


def without_lxml_same() -> bool | None:
    """Does openpyxl write the same document with lxml as without (OPENPYXL_LXML=False, in a
    child process)? Every XML part canonically equal (the bytes differ: lxml writes ``"/>"``
    for ``" />"`` and declares a namespace where it is used). None: lxml is not in use."""
    import openpyxl.xml

    from declarations.exports import write_xlsx

    if not openpyxl.xml.LXML:
        return None
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "stdlib.xlsx"
        subprocess.run(  # noqa: S603 - this script, run by this Python
            [sys.executable, __file__, "--write-sample", str(target)],
            env={**os.environ, "OPENPYXL_LXML": "False"},
            check=True,
        )
        stdlib = target.read_bytes()
    mine = write_xlsx(build_content(SAMPLE_DECLARATIONS, 20))
    return canonical(mine) == canonical(stdlib)


def write_sample(path: str) -> int:
    from declarations.exports import write_xlsx

    Path(path).write_bytes(write_xlsx(build_content(SAMPLE_DECLARATIONS, 20)))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 5,000 declarations")
    parser.add_argument("--declarations", type=int, default=None, help="overrides --scale")
    parser.add_argument("--days", type=int, default=20, help="lines per declaration")
    parser.add_argument("--max-rounds", type=int, default=10, help="rounds at most per figure")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also one traced run each (slow for XLSX)"
    )
    parser.add_argument("--write-sample", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.declarations = args.declarations or max(1, round(5_000 * args.scale))

    setup_django()
    if args.write_sample:
        return write_sample(args.write_sample)
    from declarations.exports import write_csv, write_xlsx

    info = versions()
    print(f"== export benchmark: {args.declarations:,} declarations x {args.days} lines ==")
    print_versions(info)
    content = build_content(args.declarations, args.days)
    sheets = xlsx_rows(content)
    rows = csv_rows(content)
    print(
        f"\n{content.line_count:,} lines; XLSX sheets: "
        + ", ".join(
            f"{title} {len(r):,} rows x {max((len(v) for v, _m, _b in r), default=0)} columns"
            for title, r in sheets.items()
        )
        + f"; CSV {len(rows):,} rows x {len(rows[0])} columns"
    )

    # the same output? (also the warm-up) -------------------------------------------------
    app_csv, baseline_csv = write_csv(content), raw_csv(rows)
    app_xlsx, baseline_xlsx = write_xlsx(content), raw_xlsx(sheets)
    values_xlsx = raw_xlsx(sheets, styled=False)
    app_cells, raw_cells = xlsx_cells(app_xlsx), xlsx_cells(baseline_xlsx)
    lxml_same = without_lxml_same()
    checks = {
        "CSV: the app's file is byte for byte the raw csv.writer's": app_csv == baseline_csv,
        "XLSX: every part but the time of writing byte for byte the raw writer's": (
            xlsx_parts(app_xlsx) == xlsx_parts(baseline_xlsx)
        ),
    }
    if lxml_same is not None:
        checks["XLSX: with lxml the same document as without (canonical XML, sample)"] = lxml_same

    print(
        f"\ntiming interleaved rounds after a warm-up until the spread is under "
        f"{SPREAD_LIMIT:.0%} (at most {args.max_rounds}) …",
        flush=True,
    )
    timing = stable_rounds(
        {
            "write_xlsx": lambda: write_xlsx(content),
            "raw openpyxl write_only": lambda: raw_xlsx(sheets),
            "raw, values only": lambda: raw_xlsx(sheets, styled=False),
        },
        max_rounds=args.max_rounds,
        clock="cpu",
        warmup=0,
    )
    timing.update(
        stable_rounds(
            {"write_csv": lambda: write_csv(content), "raw csv.writer": lambda: raw_csv(rows)},
            min_rounds=5,
            max_rounds=max(args.max_rounds, 15),
            clock="cpu",
            warmup=0,
        )
    )
    candidates = {
        "write_xlsx": lambda: write_xlsx(content),
        "raw openpyxl write_only": lambda: raw_xlsx(sheets),
        "raw, values only": lambda: raw_xlsx(sheets, styled=False),
        "write_csv": lambda: write_csv(content),
        "raw csv.writer": lambda: raw_csv(rows),
    }
    memory = {
        name: {
            "peak_rss": timing[name]["peak_rss"],
            "peak_rss_delta": timing[name]["peak_rss_delta"],
            "tracemalloc_peak": traced_peak(fn) if args.tracemalloc else None,
        }
        for name, fn in candidates.items()
    }
    sizes = {
        "write_xlsx": len(app_xlsx),
        "raw openpyxl write_only": len(baseline_xlsx),
        "raw, values only": len(values_xlsx),
        "write_csv": len(app_csv),
        "raw csv.writer": len(baseline_csv),
    }

    print(
        "\ntimes: CPU time of this process (the work is all in it; a busy machine's other "
        "processes barely change it); typical: the median of the kept, fastest-half rounds"
    )
    lines = content.line_count
    table(
        [
            [
                name,
                seconds(t["typical"]),
                seconds(t["best"]),
                f"{t['spread'] * 100:.1f}%",
                f"{t['rounds']}",
                "yes" if t["stable"] else "NO",
                f"{lines / t['typical']:,.0f}",
                megabytes(sizes[name]),
                megabytes(memory[name]["peak_rss"]),
                megabytes(memory[name]["peak_rss_delta"]),
                megabytes(memory[name]["tracemalloc_peak"]),
            ]
            for name, t in timing.items()
        ],
        ["what", "typical", "best", "spread", "rounds", "steady", "lines/s", "file",
         "peak RSS", "delta RSS", "tracemalloc"],
    )  # fmt: skip
    print("\nXLSX worksheets (rows / cells / cells with a value): app vs raw")
    table(
        [
            [name, f"{a['rows']:,}", f"{a['cells']:,}", f"{a['valued']:,}",
             f"{raw_cells.get(name, {}).get('rows', 0):,}",
             f"{raw_cells.get(name, {}).get('cells', 0):,}",
             f"{raw_cells.get(name, {}).get('valued', 0):,}"]
            for name, a in app_cells.items()
        ],
        ["sheet", "app rows", "app cells", "app valued", "raw rows", "raw cells", "raw valued"],
    )  # fmt: skip

    xlsx = ratio_of(timing, "write_xlsx", "raw openpyxl write_only")
    values_only = ratio_of(timing, "write_xlsx", "raw, values only")
    csv_ratio = ratio_of(timing, "write_csv", "raw csv.writer")
    print("\nratios (of the typical times)")
    table(
        [
            ["write_xlsx / raw openpyxl write_only (same file)", f"{xlsx['value']:.2f}x",
             steadiness(xlsx)],
            ["write_xlsx / raw, values only (no styles: another file)",
             f"{values_only['value']:.2f}x", steadiness(values_only)],
            ["write_csv / raw csv.writer", f"{csv_ratio['value']:.2f}x", steadiness(csv_ratio)],
        ],
        ["ratio", "value", "steadiness"],
    )  # fmt: skip
    targets = [
        {
            "name": f"XLSX export <= {TARGET_XLSX:g}x the raw writer writing the same file",
            "value": f"{xlsx['value']:.2f}x ({seconds(timing['write_xlsx']['typical'])} vs "
            f"{seconds(timing['raw openpyxl write_only']['typical'])}; "
            f"lxml {'on' if info['openpyxl.xml.LXML'] else 'OFF'})",
            "limit": f"<= {TARGET_XLSX:g}x",
            "ok": xlsx["value"] <= TARGET_XLSX,
            "stable": xlsx["stable"],
        },
        {
            "name": f"CSV export <= {TARGET_CSV:g}x raw csv.writer",
            "value": f"{csv_ratio['value']:.2f}x ({seconds(timing['write_csv']['typical'])} vs "
            f"{seconds(timing['raw csv.writer']['typical'])})",
            "limit": f"<= {TARGET_CSV:g}x",
            "ok": csv_ratio["value"] <= TARGET_CSV,
            "stable": csv_ratio["stable"],
        },
    ]
    write_json(
        "export",
        {
            "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "declarations": args.declarations,
            "lines": lines,
            "versions": info,
            "timing_s": timing,
            "memory_bytes": memory,
            "file_bytes": sizes,
            "xlsx_cells": {"app": app_cells, "raw": raw_cells},
            "ratios": {"xlsx": xlsx, "xlsx_values_only": values_only, "csv": csv_ratio},
            "targets": targets,
            "checks": checks,
        },
    )
    return verdict(targets, checks)


if __name__ == "__main__":
    sys.exit(main())
