"""Validation at national scale: the full rule catalogue (``engine.run``) against a bare numpy
pass computing the same predicates on the same columns, and against per-row Python rules on a
sample, all in one process and one run; and ``engine.run`` with the CSV's tariff table against
the same month with many more funders' tables (the tariff join must be linear in tariff rows).
The numbers of offences per rule must agree (engine = numpy on the whole month, engine =
Python on the sample); the script exits 1 when they do not. Timings are only reported
(PASS/FAIL against the targets of issue 18), never asserted.

    .venv/bin/python bench/bench_validation.py --scale 1.0
"""

import argparse
import dataclasses
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    GB,
    load_average,
    megabytes,
    print_versions,
    ratio_of,
    seconds,
    setup_django,
    stable_rounds,
    steadiness,
    table,
    timed,
    traced_peak,
    verdict,
    versions,
    write_json,
)

# issue 18: the whole national month
TARGET_NUMPY_RATIO = 1.5  # engine time <= 1.5x the numpy pass
TARGET_SECONDS = 2.0  # engine.run < 2 s
TARGET_PEAK = 1.2 * GB  # peak RSS of the process while the engine runs, input included
# linear in tariff rows: ~20x more rows (340 more funders' tables) add < 10 % to engine.run
TARGET_TARIFF_RATIO = 1.10
LINEARITY_FUNDERS = 340


def counts_of(findings) -> dict[str, int]:
    return findings.groupby("rule_code").size().astype(int).to_dict() if len(findings) else {}


def compare(codes, left: dict, right: dict, names: tuple[str, str]) -> list[list]:
    """One row per rule: the two counts and whether they agree."""
    return [
        [code, left.get(code, 0), right.get(code, 0), "yes" if left.get(code, 0) == right.get(
            code, 0) else "MISMATCH"]
        for code in codes
    ]  # fmt: skip


def per_rule_times(engine, inp, rules) -> list[list]:
    """Each rule's check and the turning of its offences into findings, timed once on a
    prepared context (for profiling; the sum differs a little from engine.run)."""
    context = engine.prepare(inp)
    result = []
    for code, rule in rules.items():
        offences, check = timed(lambda rule=rule: rule.check(context))
        found = 0 if offences is None else len(offences)
        if offences is not None and not offences.empty:
            findings, turn = timed(
                lambda rule=rule, offences=offences: engine._findings(rule, offences)
            )
            found = len(findings)
        else:
            turn = 0.0
        result.append([code, check, turn, found])
    return sorted(result, key=lambda row: -(row[1] + row[2]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: ~1M lines, 150k holders")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds after a warm-up")
    parser.add_argument("--sample-lines", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument(
        "--tariff-funders",
        type=int,
        default=0,
        help="extra municipalities with their own Wmo tariff table (default: the CSV only)",
    )
    parser.add_argument(
        "--linearity-funders",
        type=int,
        default=LINEARITY_FUNDERS,
        help="funders' tables for the tariff linearity check (0: skip it)",
    )
    parser.add_argument("--no-per-rule", action="store_true", help="skip the per-rule timings")
    args = parser.parse_args()
    rounds = max(3, args.rounds)

    setup_django()
    import baseline_numpy
    import baseline_python
    import pandas as pd
    from generate import MONTH, SEED, describe, figure_frames, generate, sample_input

    from declarations.validation import engine
    from declarations.validation.registry import catalogue

    rules = catalogue()
    info = versions()
    print(f"== validation benchmark, scale {args.scale} ==")
    print_versions(info)

    inp, generated = timed(
        lambda: generate(args.scale, seed=args.seed or SEED, tariff_funders=args.tariff_funders)
    )
    sizes = describe(inp)
    print(
        f"\ngenerated in {generated:.1f} s: "
        + ", ".join(f"{name} {size:,}" for name, size in sizes.items())
    )
    n_lines = sizes["lines"]
    arrays = baseline_numpy.columns(inp)

    # correctness first (doubles as the warm-up): the same offences per rule -------------------
    engine_counts = counts_of(engine.run(inp))
    numpy_counts = baseline_numpy.run(arrays)
    numpy_rows = compare(rules, engine_counts, numpy_counts, ("engine", "numpy"))
    numpy_agrees = all(row[3] == "yes" for row in numpy_rows)

    # time: engine.run and the numpy pass interleaved, until steady --------------------------
    print("\ntiming interleaved rounds until the spread is steady …", flush=True)
    timing = stable_rounds(
        {"engine.run": lambda: engine.run(inp), "numpy": lambda: baseline_numpy.run(arrays)},
        min_rounds=rounds,
        warmup=0,
    )
    timing.update(stable_rounds({"engine.prepare": lambda: engine.prepare(inp)}, min_rounds=rounds))
    memory = {
        name: {
            "peak_rss": timing[name]["peak_rss"],
            "peak_rss_delta": timing[name]["peak_rss_delta"],
            "tracemalloc_peak": traced_peak(fn),
        }
        for name, fn in (
            ("engine.run", lambda: engine.run(inp)),
            ("numpy", lambda: baseline_numpy.run(arrays)),
        )
    }

    # tariff linearity: the same month with the CSV's tariffs and with many funders' tables ---
    linearity: dict[str, Any] | None = None
    if args.linearity_funders:
        month_end = (pd.Timestamp(MONTH) + pd.offsets.MonthEnd(0)).date()
        _figures, few = figure_frames(month_end, 0, args.seed or SEED)
        _figures, many = figure_frames(month_end, args.linearity_funders, args.seed or SEED)
        with_few = dataclasses.replace(inp, tariffs=few)
        with_many = dataclasses.replace(inp, tariffs=many)
        names = (f"engine.run, {len(few):,} tariff rows", f"engine.run, {len(many):,} tariff rows")
        print(f"timing the tariff linearity ({len(few):,} vs {len(many):,} rows) …", flush=True)
        engine.run(with_many)  # warm-up
        tariff_timing = stable_rounds(
            {names[0]: lambda: engine.run(with_few), names[1]: lambda: engine.run(with_many)},
            min_rounds=rounds,
            warmup=0,
        )
        timing.update(tariff_timing)
        linearity = {
            "rows": [len(few), len(many)],
            "ratio": ratio_of(timing, names[1], names[0]),
            "max_tariffs_s": [
                _max_tariffs_seconds(engine, with_few),
                _max_tariffs_seconds(engine, with_many),
            ],
        }

    # per-row Python on a sample, against the engine on the same sample ----------------------
    sample = sample_input(inp, args.sample_lines, seed=args.seed or SEED)
    sample_lines = len(sample.lines)
    rows, converted = timed(lambda: baseline_python.rows(sample))
    python_counts = baseline_python.run(rows)
    sample_engine_counts = counts_of(engine.run(sample))
    python_rows = compare(rules, sample_engine_counts, python_counts, ("engine", "python"))
    python_agrees = all(row[3] == "yes" for row in python_rows)
    timing.update(
        stable_rounds(
            {
                "python (sample)": lambda: baseline_python.run(rows),
                "engine.run (sample)": lambda: engine.run(sample),
            },
            min_rounds=rounds,
        )
    )

    # ratios of the typical (kept-median) times, see common.stable_rounds
    engine_time = timing["engine.run"]["typical"]
    numpy_time = timing["numpy"]["typical"]
    prepare_time = timing["engine.prepare"]["typical"]
    python_per_line = timing["python (sample)"]["typical"] / sample_lines
    engine_per_line = engine_time / n_lines
    numpy_per_line = numpy_time / n_lines
    numpy_figure = ratio_of(timing, "engine.run", "numpy")
    numpy_ratio = numpy_figure["value"]
    python_speedup = python_per_line / engine_per_line
    peak = memory["engine.run"]["peak_rss"]

    # report ----------------------------------------------------------------------------------
    print(f"\nfindings per rule: engine vs numpy ({n_lines:,} lines)")
    table(numpy_rows, ["rule", "engine", "numpy", "same"])
    print(
        f"total: engine {sum(engine_counts.values()):,}, numpy {sum(numpy_counts.values()):,}; "
        + ("all rules agree" if numpy_agrees else "MISMATCH: see the rows marked above")
    )
    print(f"\nfindings per rule on the sample: engine vs per-row python ({sample_lines:,} lines)")
    mismatches = [row for row in python_rows if row[3] != "yes"]
    if mismatches:
        table(mismatches, ["rule", "engine", "python", "same"])
    print(
        f"total: engine {sum(sample_engine_counts.values()):,}, python "
        f"{sum(python_counts.values()):,}; "
        + ("all rules agree" if python_agrees else "MISMATCH: see the rows above")
    )

    print("\ntimes (typical: the median of the fastest rounds; best; spread of those rounds)")
    table(
        [
            [
                name,
                seconds(result["typical"]),
                seconds(result["best"]),
                f"{result['typical'] / (sample_lines if 'sample' in name else n_lines) * 1e6:.2f}"
                " us",
                f"{result['spread'] * 100:.1f}%",
                result["rounds"],
            ]
            for name, result in timing.items()
        ],
        ["what", "typical", "best", "per line", "spread", "rounds"],
    )
    print(f"(sample rows converted to tuples in {seconds(converted)}, not timed above)")
    print(
        "\npeak memory (peak RSS: the whole process while it ran, input data included; delta: "
        "above the RSS before; tracemalloc: Python and numpy allocations of one run)"
    )
    table(
        [
            [
                name,
                megabytes(m["peak_rss"]),
                megabytes(m["peak_rss_delta"]),
                megabytes(m["tracemalloc_peak"]),
            ]
            for name, m in memory.items()
        ],
        ["what", "peak RSS", "delta RSS", "tracemalloc peak"],
    )

    print("\nratios")
    table(
        [
            ["engine.run / numpy pass", f"{numpy_ratio:.2f}x"],
            *(
                [
                    [
                        f"engine.run {linearity['rows'][1]:,} / {linearity['rows'][0]:,} tariff "
                        "rows",
                        f"{linearity['ratio']['value']:.2f}x",
                    ],
                    [
                        "max_tariffs alone (one run each)",
                        " vs ".join(seconds(value) for value in linearity["max_tariffs_s"]),
                    ],
                ]
                if linearity
                else []
            ),
            ["python per line / engine per line", f"{python_speedup:.1f}x"],
            ["python per line / numpy per line", f"{python_per_line / numpy_per_line:.1f}x"],
            ["engine.prepare / engine.run", f"{prepare_time / engine_time:.2f}x"],
        ],
        ["ratio", "value"],
    )  # fmt: skip

    per_rule = []
    if not args.no_per_rule:
        per_rule = per_rule_times(engine, inp, rules)
        print("\nper rule on the prepared context (one run): check, offences -> findings")
        table(
            [[code, seconds(a), seconds(b), f"{n:,}"] for code, a, b, n in per_rule],
            ["rule", "check", "findings", "found"],
        )

    targets = [
        {
            "name": "validation time <= 1.5x the numpy pass",
            "value": f"{numpy_ratio:.2f}x ({seconds(engine_time)} vs {seconds(numpy_time)}; "
            f"{steadiness(numpy_figure)})",
            "limit": f"<= {TARGET_NUMPY_RATIO:g}x",
            "ok": numpy_ratio <= TARGET_NUMPY_RATIO,
            "stable": numpy_figure["stable"],
        },
        {
            "name": "validation of the month < 2 s",
            "value": f"{seconds(engine_time)} (load {timing['engine.run']['load_before']})",
            "limit": f"< {TARGET_SECONDS:g} s",
            "ok": engine_time < TARGET_SECONDS,
            "stable": timing["engine.run"]["stable"],
        },
        {
            "name": "validation peak memory (process RSS) < 1.2 GB",
            "value": f"{megabytes(peak)} (tracemalloc peak "
            f"{megabytes(memory['engine.run']['tracemalloc_peak'])})",
            "limit": f"< {megabytes(int(TARGET_PEAK))}",
            "ok": peak is not None and peak < TARGET_PEAK,
        },
    ]
    if linearity:
        targets.append(
            {
                "name": "validation linear in tariff rows",
                "value": f"{linearity['ratio']['value']:.2f}x with {linearity['rows'][1]:,} "
                f"rows against {linearity['rows'][0]:,} ({steadiness(linearity['ratio'])})",
                "limit": f"<= {TARGET_TARIFF_RATIO:g}x",
                "ok": linearity["ratio"]["value"] <= TARGET_TARIFF_RATIO,
                "stable": linearity["ratio"]["stable"],
            }
        )
    agree = numpy_agrees and python_agrees
    exit_code = verdict(
        targets,
        {
            "engine and numpy pass find the same offences per rule": numpy_agrees,
            "engine and per-row python find the same offences per rule (sample)": python_agrees,
        },
    )

    write_json(
        "validation",
        {
            "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "scale": args.scale,
            "tariff_funders": args.tariff_funders,
            "versions": info,
            "sizes": sizes,
            "sample_lines": sample_lines,
            "timing_s": timing,
            "memory_bytes": memory,
            "load_average_end": load_average(),
            "tariff_linearity": linearity,
            "ratios": {
                "engine_over_numpy": numpy_ratio,
                "python_per_line_over_engine_per_line": python_speedup,
                "python_per_line_over_numpy_per_line": python_per_line / numpy_per_line,
            },
            "findings": {"engine": engine_counts, "numpy": numpy_counts},
            "sample_findings": {"engine": sample_engine_counts, "python": python_counts},
            "per_rule_s": [
                {"rule": c, "check": a, "findings": b, "found": n} for c, a, b, n in per_rule
            ],
            "targets": targets,
            "counts_agree": agree,
        },
    )
    return exit_code


def _max_tariffs_seconds(engine, inp) -> float:
    """One run of the tariff lookup on a prepared month (the rest of the engine does not
    depend on the tariff table)."""
    from declarations.validation.rules.rate import _find_max_tariffs

    context = engine.prepare(inp)
    _found, elapsed = timed(lambda: _find_max_tariffs(context))
    return elapsed


if __name__ == "__main__":
    sys.exit(main())
