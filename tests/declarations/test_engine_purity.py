"""The validation engine is pure (issue 15): it runs on frames without Django being set up, so
it cannot read or write the database. import-linter keeps models, selectors and services out
of its imports (pyproject.toml); this runs it to show nothing reaches for them at run time."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, sys
sys.path.insert(0, "bench")
from generate import generate
from declarations.validation.engine import run
from django.conf import settings

findings = run(generate(0.005))
loaded = sorted(
    name for name in sys.modules
    if name.split(".")[0] in ("declarations", "contracts", "reports", "pgb_admin")
    and (name.endswith(".models") or ".selectors" in name or ".services" in name)
)
print(json.dumps({
    "findings": len(findings),
    "rules": sorted(set(findings["rule_code"])),
    "loaded": loaded,
    "settings_configured": settings.configured,
}))
"""


def test_the_engine_runs_without_django_set_up():
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["settings_configured"] is False
    assert outcome["loaded"] == []
    assert outcome["findings"] > 0
    assert len(outcome["rules"]) >= 10
