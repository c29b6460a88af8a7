"""Batch export of 100,000 lines (5,000 declarations x 20 days): ``write_xlsx`` against a raw
openpyxl ``Workbook(write_only=True)`` writing the same cells, and ``write_csv`` against a raw
``csv.writer`` writing the same rows; interleaved, best of N, in one process. The raw CSV must
come out byte for byte the same as the app's, the raw XLSX with the same valued cells.

    .venv/bin/python bench/bench_export.py --scale 1.0      # or --declarations 5000 --days 20
"""

import argparse
import csv
import io
import re
import sys
import time
import zipfile
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    best_of,
    megabytes,
    print_versions,
    seconds,
    setup_django,
    table,
    targets_block,
    traced_peak,
    versions,
    write_json,
)

TARGET_XLSX = 1.5
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


def xlsx_rows(content) -> dict[str, list[list]]:
    """The values of every cell the app writes, sheet by sheet (formula text neutralised)."""
    from django.utils.translation import gettext as _

    from pgb_admin.core.spreadsheets import sheet_value

    declarations: list[list[object]] = [
        [
            _("Declaration"), _("Correction of"), _("Budget holder"), _("SVB client number"),
            _("SVB agreement number"), _("Care provider"), _("AGB code"), _("KvK number"),
            _("Law"), _("Care product"), _("Month"), _("Unit"), _("Rate"),
            *[str(day) for day in range(1, 32)],
            _("Quantity"), _("Care amount"), _("Travel (km)"), _("Travel costs"),
            _("Other costs"), _("Declaration total"),
        ]
    ]  # fmt: skip
    weeks: list[list[object]] = [
        [_("SVB agreement number"), _("Budget holder"), _("Care provider"), _("Week"),
         _("From"), _("To"), _("Quantity"), _("Unit"), _("Amount")]
    ]  # fmt: skip
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
            declarations.append(
                [
                    d.declaration_id, d.corrects_id, d.holder_name, d.holder_svb_client_number,
                    d.agreement_svb_number, d.provider_name, d.provider_agb_code,
                    d.provider_kvk_number, d.scheme, d.care_product, f"{d.month:%Y-%m}", unit,
                    rate, *days,
                    sum((line.quantity for line in lines), Decimal(0)),
                    sum((line.amount for line in lines), Decimal(0)),
                    d.travel_kilometres if last else None, d.travel_amount if last else None,
                    d.other_amount if last else None, d.total_amount if last else None,
                ]
            )  # fmt: skip
        by_week = defaultdict(list)
        for line in d.lines:
            year, week, _weekday = line.care_date.isocalendar()
            by_week[year, week, line.unit].append(line)
        for (year, week, unit), lines in sorted(by_week.items()):
            weeks.append(
                [
                    d.agreement_svb_number, d.holder_name, d.provider_name, f"{year}-W{week:02d}",
                    min(line.care_date for line in lines), max(line.care_date for line in lines),
                    sum((line.quantity for line in lines), Decimal(0)), unit,
                    sum((line.amount for line in lines), Decimal(0)),
                ]
            )  # fmt: skip
    summary = [
        [_("Batch"), content.batch_id],
        [_("Month"), f"{content.period:%Y-%m}"],
        [_("Exported at"), content.created_at.strftime("%Y-%m-%d %H:%M:%S %Z")],
        [_("Exported by"), content.created_by],
        [_("Declarations"), len(content.declarations)],
        [_("Care lines"), content.line_count],
        [_("Total"), content.total],
        [],
        [_("Left out"), _("Reason")],
        *[[s["declaration_id"], s["reason"]] for s in content.skipped],
    ]
    sheets = {
        _("Declarations"): declarations,
        _("Weekly totals"): weeks,
        _("Summary"): summary,
    }
    return {
        title: [[sheet_value(value) for value in row] for row in rows]
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


def raw_xlsx(sheets: dict[str, list[list]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
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
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in sorted(archive.namelist()):
            if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", name):
                xml = archive.read(name)
                result[name] = {
                    "rows": xml.count(b"<row "),
                    "cells": xml.count(b"<c "),
                    "valued": xml.count(b"<v>") + xml.count(b"<is>"),
                }
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: 5,000 declarations")
    parser.add_argument("--declarations", type=int, default=None, help="overrides --scale")
    parser.add_argument("--days", type=int, default=20, help="lines per declaration")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also one traced run each (slow for XLSX)"
    )
    args = parser.parse_args()
    rounds = max(3, args.rounds)
    args.declarations = args.declarations or max(1, round(5_000 * args.scale))

    setup_django()
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
            f"{title} {len(r):,} rows x {max(map(len, r), default=0)} columns"
            for title, r in sheets.items()
        )
        + f"; CSV {len(rows):,} rows x {len(rows[0])} columns"
    )

    # the same output? (also the warm-up) -------------------------------------------------
    app_csv, baseline_csv = write_csv(content), raw_csv(rows)
    csv_same = app_csv == baseline_csv
    app_xlsx, baseline_xlsx = write_xlsx(content), raw_xlsx(sheets)
    app_cells, raw_cells = xlsx_cells(app_xlsx), xlsx_cells(baseline_xlsx)
    cells_same = {k: v["valued"] for k, v in app_cells.items()} == {
        k: v["valued"] for k, v in raw_cells.items()
    } and {k: v["rows"] for k, v in app_cells.items()} == {
        k: v["rows"] for k, v in raw_cells.items()
    }

    print(f"\ntiming {rounds} interleaved rounds after a warm-up …", flush=True)
    timing = best_of(
        {
            "write_xlsx": lambda: write_xlsx(content),
            "raw openpyxl write_only": lambda: raw_xlsx(sheets),
        },
        rounds=rounds,
        warmup=0,
    )
    timing.update(
        best_of(
            {"write_csv": lambda: write_csv(content), "raw csv.writer": lambda: raw_csv(rows)},
            rounds=max(rounds, 5),
            warmup=0,
        )
    )
    memory = {
        name: {
            "peak_rss": timing[name]["peak_rss"],
            "peak_rss_delta": timing[name]["peak_rss_delta"],
            "tracemalloc_peak": traced_peak(fn) if args.tracemalloc else None,
        }
        for name, fn in (
            ("write_xlsx", lambda: write_xlsx(content)),
            ("raw openpyxl write_only", lambda: raw_xlsx(sheets)),
            ("write_csv", lambda: write_csv(content)),
            ("raw csv.writer", lambda: raw_csv(rows)),
        )
    }
    sizes = {
        "write_xlsx": len(app_xlsx),
        "raw openpyxl write_only": len(baseline_xlsx),
        "write_csv": len(app_csv),
        "raw csv.writer": len(baseline_csv),
    }

    print(f"\ntimes (best of {rounds}, CSV of {max(rounds, 5)}; median in brackets)")
    lines = content.line_count
    table(
        [
            [
                name,
                seconds(t["best"]),
                seconds(t["median"]),
                f"{lines / t['best']:,.0f}",
                megabytes(sizes[name]),
                megabytes(memory[name]["peak_rss"]),
                megabytes(memory[name]["peak_rss_delta"]),
                megabytes(memory[name]["tracemalloc_peak"]),
            ]
            for name, t in timing.items()
        ],
        ["what", "best", "median", "lines/s", "file", "peak RSS", "delta RSS", "tracemalloc"],
    )
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
    print("(the app also writes empty cells that carry a number format; the raw writer skips them)")

    xlsx_ratio = timing["write_xlsx"]["best"] / timing["raw openpyxl write_only"]["best"]
    csv_ratio = timing["write_csv"]["best"] / timing["raw csv.writer"]["best"]
    print("\nratios")
    table(
        [
            ["write_xlsx / raw openpyxl write_only", f"{xlsx_ratio:.2f}x"],
            ["write_csv / raw csv.writer", f"{csv_ratio:.2f}x"],
            [
                "write_xlsx / write_csv",
                f"{timing['write_xlsx']['best'] / timing['write_csv']['best']:.1f}x",
            ],
        ],
        ["ratio", "value"],
    )
    targets = [
        {
            "name": "XLSX export <= 1.5x raw openpyxl write_only",
            "value": f"{xlsx_ratio:.2f}x ({seconds(timing['write_xlsx']['best'])} vs "
            f"{seconds(timing['raw openpyxl write_only']['best'])})",
            "limit": f"<= {TARGET_XLSX:g}x",
            "ok": xlsx_ratio <= TARGET_XLSX,
        },
        {
            "name": "CSV export <= 2x raw csv.writer",
            "value": f"{csv_ratio:.2f}x ({seconds(timing['write_csv']['best'])} vs "
            f"{seconds(timing['raw csv.writer']['best'])})",
            "limit": f"<= {TARGET_CSV:g}x",
            "ok": csv_ratio <= TARGET_CSV,
        },
    ]
    targets_block(targets)
    print(
        f"\nsame output: CSV byte for byte {'yes' if csv_same else 'NO'}; "
        f"XLSX rows and valued cells {'yes' if cells_same else 'NO'}"
    )
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
            "ratios": {"xlsx": xlsx_ratio, "csv": csv_ratio},
            "targets": targets,
            "same_output": {"csv": csv_same, "xlsx_cells": cells_same},
        },
    )
    return 0 if csv_same and cells_same else 1


if __name__ == "__main__":
    sys.exit(main())
