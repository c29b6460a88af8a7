"""The suite runs in parallel (pytest-xdist, make test): what the session-wide plugins see on
each worker still adds up to one run. A BSN that one worker stored and another logged fails
the whole run, as it would in one process, and the contract fuzz's tally counts every
worker's requests."""

import os
import re
import subprocess
import sys

from django.conf import settings


def test_a_leak_on_one_worker_fails_the_run_and_the_tallies_add_up(tmp_path):
    env = {
        **os.environ,
        # SQLite: a file per process; never the PostgreSQL test databases of the suite's workers
        "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}",
        "DJANGO_READ_DOT_ENV_FILE": "false",
    }
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "-v", "tests/parallel_probe.py"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    out = run.stdout
    assert run.returncode == 1, out + run.stderr  # the tests passed; the scan failed the run
    assert "2 passed" in out
    workers = dict(re.findall(r"\[(gw\d)\] .*PASSED tests/parallel_probe.py::(\w+)", out))
    assert set(workers) == {"gw0", "gw1"}, out  # the BSN was stored on one, logged on the other
    assert "BSN found where it may not be" in out
    assert "*****2333 in log pgb_admin WARNING" in out
    assert "111222333" not in out
    assert re.search(r"; 1 found where not allowed \(1 BSNs of the run;", out), out
    assert "holder: 2 requests (200: 1, 404: 1)" in out
