"""A municipality-scale report: the exhaustion figures of every grant (sums by status and kind,
the monthly grid, burn rates, both projections with run-out dates, alerts) and the report's
sections (spend by scheme, product, provider and month), against a bare pandas groupby + cumsum
of the same sums on the same frames, in one process and one run, interleaved rounds until the
figures are steady. The sums must agree to the cent; the script exits 1 when they do not.
Timings are reported with a PASS/FAIL verdict, never a failure of the script.

    .venv/bin/python bench/bench_reports.py --holders 50000 [--scale 0.1]
"""

import argparse
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pandas as pd
from common import (
    GB,
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

TARGET_RATIO = 1.5  # issue 18: <= 1.5x a bare pandas groupby + cumsum of the same sums
TARGET_SECONDS = 0.5  # the report at 50,000 holders x 12 months
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
    return grants, sections(data)


def sections(data):
    """The report's spend by scheme, product, provider and month (as the municipal report
    sums them), the same in the report and the baseline."""
    spend = data.spend.merge(data.budgets[["budget_id", "scheme"]], on="budget_id")
    return {
        name: spend.groupby(column)["cents"].sum().sort_values(ascending=False)
        for name, column in (
            ("scheme", "scheme"),
            ("product", "product_id"),
            ("provider", "provider_id"),
            ("month", "month"),
        )
    }


def exhaustion_only(data, thresholds):
    from reports.exhaustion import exhaustion

    return exhaustion(data, thresholds, with_months=False)[0]


def grant_sums(data):
    """The bare sums the exhaustion figures start from: per grant and status (paid, validated
    and not paid …), per grant and kind of agreement, per grant and month, and the running
    total of each grant over its months (groupby + cumsum)."""
    spend, agreed = data.spend, data.agreed
    monthly = spend.groupby(["budget_id", "month"])["cents"].sum()
    return {
        "by_status": spend.groupby(["budget_id", "status"])["cents"].sum(),
        "by_kind": agreed.groupby(["budget_id", "kind"])["cents"].sum(),
        "monthly": monthly,
        "running": monthly.groupby(level=0).cumsum(),
    }


def baseline(data):
    """The bare sums of the whole report: the grants' (:func:`grant_sums`) and the sections."""
    spend = data.spend.merge(data.budgets[["budget_id", "scheme"]], on="budget_id")
    sums = grant_sums(data)
    sums.update(
        {
            "used": sums["by_status"].groupby(level=0).sum(),
            "committed": sums["by_kind"].groupby(level=0).sum(),
            "scheme": spend.groupby("scheme")["cents"].sum(),
            "product": spend.groupby("product_id")["cents"].sum(),
            "provider": spend.groupby("provider_id")["cents"].sum(),
            "month": spend.groupby("month")["cents"].sum(),
        }
    )
    return sums


def agree(data, thresholds) -> dict[str, bool]:
    """The report's figures against the bare sums, to the cent."""
    from reports.exhaustion import PAID, UNPAID, exhaustion

    grants, found = report(data, thresholds)
    _, months = exhaustion(data, thresholds)
    bare = baseline(data)
    ours = grants.set_index("budget_id")
    by_status = bare["by_status"].unstack(fill_value=0)

    def status_sum(chosen) -> pd.Series:
        columns = [c for c in by_status.columns if c in chosen]
        return by_status[columns].sum(axis=1).reindex(ours.index, fill_value=0)

    running = months.set_index(["budget_id", "month"])["actual_cumulative"]
    return {
        "used per grant": ours["used"].equals(bare["used"].reindex(ours.index, fill_value=0)),
        "paid per grant": ours["paid"].equals(status_sum(PAID)),
        "validated, not paid, per grant": ours["validated_unpaid"].equals(status_sum(UNPAID)),
        "committed per grant": ours["committed"].equals(
            bare["committed"].reindex(ours.index, fill_value=0)
        ),
        "spend per grant and month": int(months["actual"].sum()) == int(bare["monthly"].sum()),
        "running total per grant and month (cumsum)": bool(
            (running.reindex(bare["running"].index) == bare["running"]).all()
        ),
        **{
            f"spend by {name}": found[name].sort_index().equals(bare[name].sort_index())
            for name in ("scheme", "product", "provider", "month")
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holders", type=int, default=50_000)
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies --holders")
    parser.add_argument("--max-rounds", type=int, default=15, help="rounds at most")
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
    checks = agree(data, thresholds)
    timing = stable_rounds(
        {
            "exhaustion()": lambda: exhaustion_only(data, thresholds),
            "groupby + cumsum": lambda: grant_sums(data),
            "report": lambda: report(data, thresholds),
            "report's bare sums": lambda: baseline(data),
        },
        min_rounds=5,
        max_rounds=args.max_rounds,
        clock="cpu",
    )
    tracemalloc_peak = traced_peak(lambda: report(data, thresholds))
    alone = ratio_of(timing, "exhaustion()", "groupby + cumsum")
    whole = ratio_of(timing, "report", "report's bare sums")
    peak = timing["report"]["peak_rss"] or 0

    print(
        "\ntiming: CPU time of this process (the work is all in it; a busy machine's other "
        "processes barely change it); typical: the median of the kept, fastest-half rounds"
    )
    table(
        [
            [name, seconds(t["typical"]), seconds(t["best"]), f"{t['spread'] * 100:.1f}%",
             f"{t['rounds']}", "yes" if t["stable"] else "NO", megabytes(t["peak_rss"])]
            for name, t in timing.items()
        ],
        ["what", "typical", "best", "spread", "rounds", "steady", "peak RSS"],
    )  # fmt: skip
    print(f"\ntracemalloc peak of the report: {megabytes(tracemalloc_peak)}")
    print("\nratios (of the typical times)")
    table(
        [
            ["exhaustion() / groupby + cumsum", f"{alone['value']:.2f}x", steadiness(alone)],
            ["report / its bare sums", f"{whole['value']:.2f}x", steadiness(whole)],
        ],
        ["ratio", "value", "steadiness"],
    )
    grants, _ = report(data, thresholds)
    run_outs = int(grants["trend_run_out"].notna().sum())
    print(f"\n{run_outs:,} grants run out before their end on the trend")
    report_s = timing["report"]["typical"]
    bare_s = timing["report's bare sums"]["typical"]
    targets = [
        {
            "name": f"exhaustion() <= {TARGET_RATIO:g}x a bare pandas groupby + cumsum",
            "value": f"{alone['value']:.2f}x ({seconds(timing['exhaustion()']['typical'])} vs "
            f"{seconds(timing['groupby + cumsum']['typical'])})",
            "limit": f"<= {TARGET_RATIO:g}x",
            "ok": alone["value"] <= TARGET_RATIO,
            "stable": alone["stable"],
        },
        {
            "name": f"report (exhaustion and sections) <= {TARGET_RATIO:g}x its bare sums",
            "value": f"{whole['value']:.2f}x ({seconds(report_s)} vs {seconds(bare_s)})",
            "limit": f"<= {TARGET_RATIO:g}x",
            "ok": whole["value"] <= TARGET_RATIO,
            "stable": whole["stable"],
        },
        {
            "name": f"report at {holders:,} holders < {TARGET_SECONDS:g} s",
            "value": seconds(report_s),
            "limit": f"< {TARGET_SECONDS:g} s",
            "ok": report_s < TARGET_SECONDS,
            "stable": timing["report"]["stable"],
        },
        {
            "name": "report peak memory (process RSS) < 2 GB",
            "value": megabytes(peak),
            "limit": "< 2,048 MB",
            "ok": peak < TARGET_PEAK,
        },
    ]
    write_json(
        "reports",
        {
            "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "holders": holders,
            "versions": info,
            "rows": {"spend": len(data.spend), "agreed": len(data.agreed)},
            "timing_s": timing,
            "tracemalloc_peak": tracemalloc_peak,
            "ratios": {"exhaustion": alone, "report": whole},
            "checks": checks,
            "targets": targets,
        },
    )
    return verdict(targets, checks)


if __name__ == "__main__":
    sys.exit(main())
