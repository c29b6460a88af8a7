"""Validation at national scale: the full rule catalogue (``engine.run``) against a bare numpy
pass computing the same predicates on the same columns, and against per-row Python rules on a
sample, all in one process and one run. The numbers of offences per rule must agree (engine =
numpy on the whole month, engine = Python on the sample); the script exits 1 when they do not.
Timings are only reported (PASS/FAIL against the targets), never asserted.

    .venv/bin/python bench/bench_validation.py --scale 1.0
"""

import argparse
import sys
import time
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
    timed,
    traced_peak,
    versions,
    write_json,
)

TARGET_NUMPY_RATIO = 3.0  # engine time <= 3x the numpy pass
TARGET_PYTHON_SPEEDUP = 50.0  # engine >= 50x faster per line than per-row Python
TARGET_PEAK = 2 * GB


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
    parser.add_argument("--no-per-rule", action="store_true", help="skip the per-rule timings")
    args = parser.parse_args()
    rounds = max(3, args.rounds)

    setup_django()
    import baseline_numpy
    import baseline_python
    from generate import SEED, describe, generate, sample_input

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

    # time: engine.run and the numpy pass interleaved, best of N -------------------------------
    print(f"\ntiming {rounds} interleaved rounds after a warm-up …", flush=True)
    timing = best_of(
        {"engine.run": lambda: engine.run(inp), "numpy": lambda: baseline_numpy.run(arrays)},
        rounds=rounds,
        warmup=0,
    )
    timing.update(best_of({"engine.prepare": lambda: engine.prepare(inp)}, rounds=rounds))
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

    # per-row Python on a sample, against the engine on the same sample ----------------------
    sample = sample_input(inp, args.sample_lines, seed=args.seed or SEED)
    sample_lines = len(sample.lines)
    rows, converted = timed(lambda: baseline_python.rows(sample))
    python_counts = baseline_python.run(rows)
    sample_engine_counts = counts_of(engine.run(sample))
    python_rows = compare(rules, sample_engine_counts, python_counts, ("engine", "python"))
    python_agrees = all(row[3] == "yes" for row in python_rows)
    timing.update(
        best_of(
            {
                "python (sample)": lambda: baseline_python.run(rows),
                "engine.run (sample)": lambda: engine.run(sample),
            },
            rounds=rounds,
        )
    )

    engine_time = timing["engine.run"]["best"]
    numpy_time = timing["numpy"]["best"]
    prepare_time = timing["engine.prepare"]["best"]
    python_per_line = timing["python (sample)"]["best"] / sample_lines
    engine_per_line = engine_time / n_lines
    numpy_per_line = numpy_time / n_lines
    numpy_ratio = engine_time / numpy_time
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

    print(f"\ntimes (best of {rounds}; median in brackets)")
    table(
        [
            [
                name,
                seconds(result["best"]),
                seconds(result["median"]),
                f"{result['best'] / (sample_lines if 'sample' in name else n_lines) * 1e6:.2f} us",
            ]
            for name, result in timing.items()
        ],
        ["what", "best", "median", "per line"],
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
            "name": "validation time <= 3x the numpy pass",
            "value": f"{numpy_ratio:.2f}x ({seconds(engine_time)} vs {seconds(numpy_time)})",
            "limit": f"<= {TARGET_NUMPY_RATIO:g}x",
            "ok": numpy_ratio <= TARGET_NUMPY_RATIO,
        },
        {
            "name": "validation >= 50x faster than per-row Python (per line)",
            "value": f"{python_speedup:.1f}x ({python_per_line * 1e6:.2f} us vs "
            f"{engine_per_line * 1e6:.2f} us a line)",
            "limit": f">= {TARGET_PYTHON_SPEEDUP:g}x",
            "ok": python_speedup >= TARGET_PYTHON_SPEEDUP,
        },
        {
            "name": "validation peak memory (process RSS) < 2 GB",
            "value": f"{megabytes(peak)} (tracemalloc peak "
            f"{megabytes(memory['engine.run']['tracemalloc_peak'])})",
            "limit": "< 2,048 MB",
            "ok": peak < TARGET_PEAK,
        },
    ]
    targets_block(targets)
    agree = numpy_agrees and python_agrees
    print(f"\ncorrectness: engine and numpy {'agree' if numpy_agrees else 'DISAGREE'}; "
          f"engine and per-row python {'agree' if python_agrees else 'DISAGREE'}")  # fmt: skip

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
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
