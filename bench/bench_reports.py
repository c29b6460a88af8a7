"""A municipality-scale report: the exhaustion figures of every grant (sums by status and kind,
the monthly grid, burn rates, both projections with run-out dates, alerts) and the report's
sections (spend by scheme, product, provider and month), against a bare pandas groupby of the
same sums on the same frames, in one process and one run. The sums must agree to the cent;
the script exits 1 when they do not. Timings are only reported, never asserted.

    .venv/bin/python bench/bench_reports.py --holders 50000 [--scale 0.1]
"""

import argparse
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    GB,
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

TARGET_RATIO = 3.0  # the report <= 3x the bare groupby of the same sums
TARGET_PEAK = 2 * GB
REFERENCE = date(2026, 10, 1)  # October is the last month over: two months ahead


def generate(holders: int, seed: int = 518):
    """A municipality's year: one grant per holder (some start mid-year), a provider per two
    holders, a declaration per holder and month up to October (a few drafts and rejections
    left out), fixed monthly pay for one in ten, agreed hours for the rest."""
    import numpy as np
    import pandas as pd

    from declarations.constants import DeclarationStatus
    from reports.frames import AGREED_HOURS, FIXED_PAY, ReportData, frame

    rng = np.random.default_rng(seed)
    ids = np.arange(1, holders + 1)
    start_month = np.where(rng.random(holders) < 0.1, rng.integers(2, 7, holders), 1)
    starts = pd.to_datetime({"year": 2026, "month": start_month, "day": 1})
    budgets = pd.DataFrame(
        {
            "budget_id": ids,
            "holder_id": ids,
            "funder_id": 1,
            "scheme": rng.choice(["wmo", "jeugdwet"], holders, p=[0.7, 0.3]),
            "start": starts.astype("datetime64[ns]"),
            "end": pd.Timestamp("2026-12-31"),
            "granted": rng.integers(200_000, 3_000_000, holders),
        }
    )
    monthly = (budgets["granted"].to_numpy() / 12 * rng.uniform(0.6, 1.3, holders)).astype(int)
    provider = (ids + 1) // 2
    product = rng.integers(1, 6, holders)
    fixed = rng.random(holders) < 0.1
    month_numbers = np.arange(1, 11)
    holder_of = np.repeat(ids, len(month_numbers))
    month_of = np.tile(month_numbers, holders)
    keep = month_of >= np.repeat(start_month, len(month_numbers))
    status = rng.choice(
        [DeclarationStatus.PAID, DeclarationStatus.SUBMITTED, DeclarationStatus.VALIDATED],
        len(holder_of),
        p=[0.85, 0.1, 0.05],
    )
    status = np.where(np.repeat(fixed, len(month_numbers)), FIXED_PAY, status)
    cents = (np.repeat(monthly, len(month_numbers)) * rng.uniform(0.7, 1.3, len(holder_of))).astype(
        np.int64
    )
    spend = pd.DataFrame(
        {
            "budget_id": holder_of,
            "declaration_id": np.arange(len(holder_of)),
            "agreement_id": holder_of,
            "holder_id": holder_of,
            "provider_id": provider[holder_of - 1],
            "product_id": product[holder_of - 1],
            "month": pd.to_datetime({"year": 2026, "month": month_of, "day": 1}).astype(
                "datetime64[ns]"
            ),
            "status": status,
            "cents": cents,
            "hours_c": 0,
        }
    )[keep].reset_index(drop=True)
    ahead = np.repeat(ids, 2)
    agreed = pd.DataFrame(
        {
            "budget_id": ahead,
            "agreement_id": ahead,
            "provider_id": provider[ahead - 1],
            "product_id": product[ahead - 1],
            "month": pd.to_datetime(
                {"year": 2026, "month": np.tile([11, 12], holders), "day": 1}
            ).astype("datetime64[ns]"),
            "cents": np.repeat(monthly, 2),
            "kind": np.where(np.repeat(fixed, 2), FIXED_PAY, AGREED_HOURS),
        }
    )
    return ReportData(
        budgets=budgets,
        spend=spend,
        agreed=agreed,
        versions=frame("versions", []),
        providers=frame("providers", []),
        drafts={},
        reference=REFERENCE,
    )


def report(data, thresholds):
    from reports.exhaustion import exhaustion

    grants, _ = exhaustion(data, thresholds, with_months=False)
    spend = data.spend.merge(data.budgets[["budget_id", "scheme"]], on="budget_id")
    sections = {
        name: spend.groupby(column)["cents"].sum().sort_values(ascending=False)
        for name, column in (
            ("scheme", "scheme"),
            ("product", "product_id"),
            ("provider", "provider_id"),
            ("month", "month"),
        )
    }
    return grants, sections


def baseline(data):
    """The bare sums: per grant (used, committed), per grant and month, and the sections."""
    spend, agreed = data.spend, data.agreed
    spend = spend.merge(data.budgets[["budget_id", "scheme"]], on="budget_id")
    return {
        "used": spend.groupby("budget_id")["cents"].sum(),
        "committed": agreed.groupby("budget_id")["cents"].sum(),
        "monthly": spend.groupby(["budget_id", "month"])["cents"].sum(),
        "scheme": spend.groupby("scheme")["cents"].sum(),
        "product": spend.groupby("product_id")["cents"].sum(),
        "provider": spend.groupby("provider_id")["cents"].sum(),
        "month": spend.groupby("month")["cents"].sum(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holders", type=int, default=50_000)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies --holders")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    setup_django()
    from reports.exhaustion import Thresholds

    info = versions()
    print_versions(info)
    start = time.perf_counter()
    holders = max(int(args.holders * args.scale), 1)
    data = generate(holders)
    generated = time.perf_counter() - start
    print(
        f"\n{holders:,} holders, {len(data.spend):,} spend rows (12 months, October the "
        f"last over), {len(data.agreed):,} agreed rows; generated in {seconds(generated)}"
    )
    thresholds = Thresholds(attention=75, nearly_exhausted=90)
    timing = best_of(
        {"report": lambda: report(data, thresholds), "pandas groupby": lambda: baseline(data)},
        rounds=args.rounds,
    )
    grants, sections = report(data, thresholds)
    from reports.exhaustion import exhaustion

    _, months = exhaustion(data, thresholds)
    bare = baseline(data)
    ours = grants.set_index("budget_id")
    checks = {
        "used per grant": ours["used"].equals(bare["used"].reindex(ours.index, fill_value=0)),
        "committed per grant": ours["committed"].equals(
            bare["committed"].reindex(ours.index, fill_value=0)
        ),
        "spend per grant and month": int(months["actual"].sum()) == int(bare["monthly"].sum()),
        **{
            f"spend by {name}": sections[name].sort_index().equals(bare[name].sort_index())
            for name in ("scheme", "product", "provider", "month")
        },
    }
    tracemalloc_peak = traced_peak(lambda: report(data, thresholds))
    ratio = timing["report"]["median"] / timing["pandas groupby"]["median"]
    peak = timing["report"]["peak_rss"] or 0

    print("\ntiming (median of the interleaved rounds)")
    table(
        [
            [name, seconds(t["best"]), seconds(t["median"]), megabytes(t["peak_rss"])]
            for name, t in timing.items()
        ],
        ["what", "best", "median", "peak RSS"],
    )
    print(f"\ntracemalloc peak of the report: {megabytes(tracemalloc_peak)}")
    print("\nsums agree")
    table([[name, "yes" if ok else "NO"] for name, ok in checks.items()], ["sum", "agrees"])
    run_outs = int(grants["trend_run_out"].notna().sum())
    print(f"\n{run_outs:,} grants run out before their end on the trend")
    targets = [
        {
            "name": "report <= 3x a bare pandas groupby of the same sums",
            "value": f"{ratio:.2f}x ({seconds(timing['report']['median'])} vs "
            f"{seconds(timing['pandas groupby']['median'])})",
            "limit": f"<= {TARGET_RATIO:g}x",
            "ok": ratio <= TARGET_RATIO,
        },
        {
            "name": "report peak memory (process RSS) < 2 GB",
            "value": megabytes(peak),
            "limit": "< 2,048 MB",
            "ok": peak < TARGET_PEAK,
        },
    ]
    targets_block(targets)
    agree = all(checks.values())
    write_json(
        "reports",
        {
            "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "holders": holders,
            "versions": info,
            "rows": {"spend": len(data.spend), "agreed": len(data.agreed)},
            "timing_s": timing,
            "tracemalloc_peak": tracemalloc_peak,
            "ratio": ratio,
            "checks": checks,
            "targets": targets,
        },
    )
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
