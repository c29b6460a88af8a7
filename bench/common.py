"""Shared helpers for the benchmark scripts: Django setup without a database, timing (best of N
after a warm-up, candidates interleaved; :func:`stable_rounds` repeats until the figures are
steady), peak memory, versions, the load average, the targets block, the verdict and JSON."""

import gc
import json
import math
import os
import platform
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
GB = 1024**3
MB = 1024**2


def setup_django() -> None:
    """The rules and exports use Django's translation machinery; no database is touched."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pgb_admin.settings.base")
    os.environ.setdefault("DJANGO_READ_DOT_ENV_FILE", "false")
    import django

    django.setup()


# --- time --------------------------------------------------------------------------------------


def best_of(candidates: dict[str, Callable], rounds: int = 3, warmup: int = 1) -> dict:
    """Run every candidate ``warmup`` times, then ``rounds`` times interleaved (A, B, A, B …);
    return for each the best and median wall time in seconds, all round times, and the peak
    RSS of the process while it ran (the largest over the rounds, and that peak minus the RSS
    just before; see :func:`peak_rss_of`)."""
    for _ in range(warmup):
        for fn in candidates.values():
            fn()
    times: dict[str, list[float]] = {name: [] for name in candidates}
    peaks: dict[str, list[tuple]] = {name: [] for name in candidates}
    for _ in range(rounds):
        for name, fn in candidates.items():
            gc.collect()
            before = _start_peak()
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
            peaks[name].append((_peak(), before))
    result = {}
    for name, values in times.items():
        peak, before = max(peaks[name], key=lambda pair: pair[0] or 0)
        result[name] = {
            "best": min(values),
            "median": sorted(values)[len(values) // 2],
            "runs": values,
            "peak_rss": peak,
            "peak_rss_delta": None if before is None or peak is None else peak - before,
        }
    return result


SPREAD_LIMIT = 0.10  # a figure is steady when its kept rounds differ by less than this
MIN_ROUNDS = 3
MAX_ROUNDS = 15


def load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages (None where the system has none)."""
    return [round(v, 2) for v in os.getloadavg()] if hasattr(os, "getloadavg") else None


def kept(values: list[float]) -> list[float]:
    """The rounds a figure is judged on: the fastest half, at least three (or all there are).
    On a shared machine other processes only ever slow a round down, so the slow rounds are the
    noisy ones; the fast half is what the code itself costs."""
    count = min(len(values), max(MIN_ROUNDS, math.ceil(len(values) / 2)))
    return sorted(values)[:count]


def spread(values: list[float]) -> float:
    """max / min - 1 of the kept rounds (inf while there is nothing to compare)."""
    chosen = kept(values)
    if len(chosen) < 2 or chosen[0] <= 0:
        return math.inf
    return chosen[-1] / chosen[0] - 1


def stable_rounds(
    candidates: dict[str, Callable],
    *,
    min_rounds: int = MIN_ROUNDS,
    max_rounds: int = MAX_ROUNDS,
    limit: float = SPREAD_LIMIT,
    warmup: int = 1,
    before: Callable[[], object] | None = None,
    after: Callable[[str, object], object] | None = None,
    clock: str = "wall",
) -> dict:
    """Like :func:`best_of`, but the interleaved rounds go on until every candidate's spread
    (:func:`spread` of its kept rounds) is under ``limit``, or ``max_rounds`` is reached; then
    the figure says it is not steady. ``before()`` (a reset) and ``after(name, result)`` (a
    check) run around every run, outside the clock and the memory peak. Per candidate: best,
    median (all rounds), ``typical`` (the median of the kept rounds: what ratios are taken
    of), the spread, ``stable``, the rounds, the peak RSS and its delta, and the load average
    before the first and after the last round.

    ``clock``: ``"wall"`` (elapsed time) or ``"cpu"`` (the process's CPU time,
    ``time.process_time``: what a busy machine's other processes barely change, so use it for
    work done in this process alone; work a database server does is not in it). Both are
    recorded (``wall_runs``, ``cpu_runs``); the figures are of the one chosen."""
    if clock not in ("wall", "cpu"):
        raise ValueError(f"clock is 'wall' or 'cpu', not {clock!r}")
    load_before = load_average()
    for _ in range(warmup):
        for name, fn in candidates.items():
            if before is not None:
                before()
            result = fn()
            if after is not None:
                after(name, result)
    walls: dict[str, list[float]] = {name: [] for name in candidates}
    cpus: dict[str, list[float]] = {name: [] for name in candidates}
    times = walls if clock == "wall" else cpus
    peaks: dict[str, list[tuple]] = {name: [] for name in candidates}
    for round_number in range(1, max(min_rounds, max_rounds) + 1):
        for name, fn in candidates.items():
            if before is not None:
                before()
            gc.collect()
            rss_before = _start_peak()
            start, cpu_start = time.perf_counter(), time.process_time()
            result = fn()
            cpus[name].append(time.process_time() - cpu_start)
            walls[name].append(time.perf_counter() - start)
            peaks[name].append((_peak(), rss_before))
            if after is not None:
                after(name, result)
        steady = all(spread(values) < limit for values in times.values())
        if round_number >= min_rounds and steady:
            break
    load_after = load_average()
    out = {}
    for name, values in times.items():
        peak, rss_before = max(peaks[name], key=lambda pair: pair[0] or 0)
        chosen = kept(values)
        out[name] = {
            "best": min(values),
            "median": sorted(values)[len(values) // 2],
            "typical": chosen[len(chosen) // 2],
            "spread": spread(values),
            "stable": spread(values) < limit,
            "rounds": len(values),
            "clock": clock,
            "runs": values,
            "wall_runs": walls[name],
            "cpu_runs": cpus[name],
            "peak_rss": peak,
            "peak_rss_delta": None if rss_before is None or peak is None else peak - rss_before,
            "load_before": load_before,
            "load_after": load_after,
        }
    return out


def ratio_of(timing: dict, app: str, baseline: str) -> dict:
    """app / baseline of the typical (kept-median) times; steady when both figures are."""
    value = timing[app]["typical"] / timing[baseline]["typical"]
    return {
        "value": value,
        "stable": bool(timing[app]["stable"] and timing[baseline]["stable"]),
        "spread": max(timing[app]["spread"], timing[baseline]["spread"]),
        "rounds": max(timing[app]["rounds"], timing[baseline]["rounds"]),
        "clock": timing[app].get("clock", "wall"),
    }


def steadiness(figure: dict) -> str:
    """How steady a figure (or ratio) of :func:`stable_rounds` came out, in words."""
    text = (
        f"{figure.get('clock', 'wall')} time, spread {figure['spread'] * 100:.1f}% over "
        f"{figure['rounds']} rounds"
    )
    if figure["stable"]:
        return text
    return f"{text}; NOT STEADY: could not get the spread under {SPREAD_LIMIT:.0%}"


def timed(fn: Callable):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


# --- memory ------------------------------------------------------------------------------------


def _status(field: str) -> int | None:
    """A VmXXX field of /proc/self/status in bytes (Linux only)."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux 4.0+: write 5 to clear_refs)."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        return False
    return True


def max_rss() -> int:
    """The process's peak RSS so far in bytes (getrusage; kilobytes on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def _start_peak() -> int | None:
    """Reset the peak RSS to the current RSS and return the current RSS (None: not Linux)."""
    before = _status("VmRSS")
    return before if before is not None and _reset_peak_rss() else None


def _peak() -> int:
    return _status("VmHWM") or max_rss()


def peak_rss_of(fn: Callable) -> dict:
    """The process's peak RSS while ``fn`` ran: VmHWM after a reset, so the data already in
    memory counts but earlier peaks do not (without /proc: the peak so far, an upper bound).
    Memory freed earlier but kept by the allocator counts in ``rss_before``, so the delta can
    understate what ``fn`` needs on a fresh process."""
    gc.collect()
    before = _start_peak()
    fn()
    peak = _peak()
    return {
        "peak_rss": peak,
        "rss_before": before,
        "peak_rss_delta": None if before is None else peak - before,
    }


def traced_peak(fn: Callable) -> int:
    """The tracemalloc peak of one call of ``fn`` (Python objects and numpy buffers; slows the
    call down, so never timed)."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# --- output ------------------------------------------------------------------------------------


def versions() -> dict:
    import django

    import numpy
    import openpyxl
    import openpyxl.xml
    import pandas

    return {
        "python": platform.python_version(),
        "django": django.get_version(),
        "pandas": pandas.__version__,
        "numpy": numpy.__version__,
        "openpyxl": openpyxl.__version__,
        "openpyxl.xml.LXML": openpyxl.xml.LXML,
        "openpyxl.xml.DEFUSEDXML": openpyxl.xml.DEFUSEDXML,
        "cpu_count": os.cpu_count(),
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "platform": platform.platform(),
    }


def print_versions(info: dict) -> None:
    print(
        "versions: "
        + ", ".join(f"{key}={value}" for key, value in info.items() if key != "load_average")
    )
    if info.get("load_average"):
        print("load average at start: " + ", ".join(f"{v:.2f}" for v in info["load_average"]))


def table(rows: list[list], header: list[str]) -> None:
    """A plain aligned table: text columns left, the rest right."""
    cells = [[str(value) for value in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    numeric = [
        all(_is_number(row[i]) for row in cells[1:]) if len(cells) > 1 else False
        for i in range(len(header))
    ]
    for index, row in enumerate(cells):
        print(
            "  ".join(
                value.rjust(widths[i]) if numeric[i] else value.ljust(widths[i])
                for i, value in enumerate(row)
            ).rstrip()
        )
        if index == 0:
            print("  ".join("-" * width for width in widths))


def _is_number(text: str) -> bool:
    text = text.replace(",", "").rstrip("x%").replace(" MB", "").replace(" s", "")
    text = text.replace(" ms", "").replace(" us", "")
    try:
        float(text)
    except ValueError:
        return False
    return True


def seconds(value: float) -> str:
    return f"{value:.3f} s" if value >= 1 else f"{value * 1000:.1f} ms"


def megabytes(value: int | None) -> str:
    return "n/a" if value is None else f"{value / MB:,.0f} MB"


def targets_block(targets: list[dict]) -> None:
    """targets: dicts with name, value (text), limit (text) and ok (bool); optionally
    ``stable`` (False: the figure's rounds never came within the spread limit)."""
    print()
    print("targets")
    print("-------")
    for target in targets:
        verdict = "PASS" if target["ok"] else "FAIL"
        note = "" if target.get("stable", True) else " [not steady]"
        print(f"{verdict}  {target['name']}: {target['value']} (target {target['limit']}){note}")


def verdict(targets: list[dict], checks: dict[str, bool]) -> int:
    """Print the targets block, the correctness checks and one final verdict line; return the
    exit code. Only a failed correctness check makes it 1: a missed timing target is shown,
    never a failure of the script (CI must not fail on a busy machine's timings)."""
    targets_block(targets)
    print()
    print("correctness")
    print("-----------")
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    missed = [t["name"] for t in targets if not t["ok"]]
    unsteady = [t["name"] for t in targets if not t.get("stable", True)]
    wrong = [name for name, ok in checks.items() if not ok]
    load = load_average()
    parts = [
        f"targets {len(targets) - len(missed)}/{len(targets)} met",
        f"checks {len(checks) - len(wrong)}/{len(checks)} passed",
    ]
    if unsteady:
        parts.append(f"{len(unsteady)} figure(s) not steady")
    if load:
        parts.append("load " + ", ".join(f"{v:.2f}" for v in load))
    word = "FAIL" if wrong or missed else "PASS"
    print(f"\nVERDICT: {word} ({'; '.join(parts)})" + (" [correctness]" if wrong else ""))
    return 1 if wrong else 0


def write_json(name: str, data: dict) -> Path:
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    print(f"\nresults written to {path.relative_to(ROOT)}")
    return path
