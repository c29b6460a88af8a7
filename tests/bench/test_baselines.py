"""The benchmark's two reference re-implementations of the rule catalogue (bench/baseline_numpy.py
and bench/baseline_python.py) count the same findings per rule as the engine on a small
generated month, and the generated month exercises the rules that changed with the engine."""

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import baseline_numpy  # noqa: E402
import baseline_python  # noqa: E402
from generate import generate  # noqa: E402

from declarations.validation import engine  # noqa: E402
from declarations.validation.registry import catalogue  # noqa: E402

# rules whose inputs or meaning changed: the generated month must find each at least once
EXERCISED = (
    "hours.day_over_24",
    "hours.provider_day_over_24",
    "atw.day_over_12",
    "atw.week_over_60",
    "entry.duplicate",
    "hours.above_indication",
    "rate.maximum_unknown",
    "wage.below_minimum",
    "wage.monthly_below_minimum",
    "provider.formal_without_registration",
    "provider.zvw_formal_requirements",
)


@pytest.fixture(scope="module")
def month():
    inp = generate(0.02)
    findings = engine.run(inp)
    return inp, findings.groupby("rule_code").size().astype(int).to_dict()


def test_numpy_baseline_counts_what_the_engine_finds(month):
    inp, counts = month
    numpy_counts = baseline_numpy.run(baseline_numpy.columns(inp))
    for code in catalogue():
        assert numpy_counts.get(code, 0) == counts.get(code, 0), code


def test_python_baseline_counts_what_the_engine_finds(month):
    inp, counts = month
    python_counts = baseline_python.run(baseline_python.rows(inp))
    for code in catalogue():
        assert python_counts.get(code, 0) == counts.get(code, 0), code


def test_the_month_exercises_the_changed_rules(month):
    _inp, counts = month
    missing = [code for code in EXERCISED if counts.get(code, 0) == 0]
    assert missing == []
    assert "budget.nearly_exhausted" not in counts
    assert "entry.day_twice" not in counts
