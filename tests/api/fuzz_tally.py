"""The contract fuzz's tally (tests/api/test_contract.py): the requests of each role by status,
and how many refused or reading requests were checked to have written nothing, printed at the
end of the run. A pytest plugin (registered in tests/conftest.py), so that under pytest-xdist
the controller, which collects no tests, adds up the workers' tallies and prints them."""

from collections import Counter

import pytest

# role -> the persona of tests/conftest.py that plays it (None: no token at all)
ROLES = {
    "holder": "holder",
    "representative": "representative",
    "bureau": "bureau",
    "family": "family",
    "auditor": "auditor_same",
    "staff": "staff",
    "provider": "provider",
    "anonymous": None,
}

CASES: Counter = Counter()  # (role, status) -> requests
UNCHANGED: Counter = Counter()  # role -> refused or reading requests that left the data as it was


def pytest_sessionfinish(session):
    if hasattr(session.config, "workeroutput"):  # an xdist worker: the controller reports
        session.config.workeroutput["contract_fuzz"] = {
            "cases": [[role, status, n] for (role, status), n in CASES.items()],
            "unchanged": dict(UNCHANGED),
        }


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    part = getattr(node, "workeroutput", {}).get("contract_fuzz")
    if part is not None:
        CASES.update({(role, status): n for role, status, n in part["cases"]})
        UNCHANGED.update(part["unchanged"])


def pytest_terminal_summary(terminalreporter):
    """For each role the requests sent, by status, and the server errors among them."""
    if not CASES or hasattr(terminalreporter.config, "workeroutput"):
        return
    terminalreporter.section("contract fuzzing")
    for role in ROLES:
        statuses = {status: n for (who, status), n in CASES.items() if who == role}
        if not statuses:
            continue
        total = sum(statuses.values())
        server_errors = sum(n for status, n in statuses.items() if status >= 500)
        by_status = ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items()))
        terminalreporter.write_line(
            f"{role}: {total} requests ({by_status}); 5xx: {server_errors}; "
            f"refused or read-only and left the data unchanged: {UNCHANGED[role]}"
        )
    server_errors = sum(n for (_, status), n in CASES.items() if status >= 500)
    terminalreporter.write_line(
        f"all roles: {sum(CASES.values())} requests, server errors: {server_errors}"
    )
