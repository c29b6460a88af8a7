# pgb-admin: `make run` serves the app with demo data, `make test` runs the suite.
# Both set up what they need first: a virtualenv in .venv, the locked packages, translations.
# Three installs, each a stamp in .venv: the app (run), + the test tools (test), + the
# browser tools (e2e); `make run` installs only the first.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PIP_INSTALL := $(PY) -m pip install --quiet -c requirements/constraints.txt
INSTALLED_RUN := $(VENV)/.installed-run
INSTALLED_TEST := $(VENV)/.installed-test
INSTALLED_E2E := $(VENV)/.installed-e2e
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= 1.0
# test processes (pytest-xdist, a test database each): one per core; 0 runs them in this one
PYTEST_WORKERS ?= auto

.PHONY: install install-run install-test install-e2e setup run test e2e lint format check messages compilemessages lock clean bench schema fuzz worker-test vendor screenshots

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit("pgb-admin needs Python 3.11 or newer" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)

# what the app needs to run
$(INSTALLED_RUN): pyproject.toml requirements/constraints.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	$(PIP_INSTALL) -e .
	@touch $@

# + pytest, ruff, schemathesis and the other test tools
$(INSTALLED_TEST): $(INSTALLED_RUN)
	$(PIP_INSTALL) -e ".[dev]"
	@touch $@

# + Playwright and axe-core for the browser tests
$(INSTALLED_E2E): $(INSTALLED_TEST)
	$(PIP_INSTALL) -e ".[dev,e2e]"
	@touch $@

install-run: $(INSTALLED_RUN)
install-test: $(INSTALLED_TEST)
install-e2e: $(INSTALLED_E2E)
# everything (CI, `make lock`)
install: install-e2e

compilemessages: install-run
	$(BIN)/pybabel compile --domain django --directory pgb_admin/locale --statistics

setup: compilemessages
	$(PY) manage.py migrate --no-input
	$(PY) manage.py check --database default
	$(PY) manage.py loaddemo --if-empty
	# the reminders due today, once: their e-mails are printed here (the console mail backend)
	$(PY) manage.py send_reminders

run: setup
	@$(PY) manage.py demo_logins --host $(HOST) --port $(PORT)
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install-test compilemessages
	$(BIN)/pytest --ignore=tests/e2e -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Real Celery workers SIGKILLed mid-validation and mid-export (tests/worker; skipped by `make
# test` without a broker). Needs PostgreSQL and a Redis database of its own, which it empties:
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
#   CELERY_BROKER_URL=redis://127.0.0.1:6379/15 make worker-test
worker-test: install-test compilemessages
	PGB_WORKER_TEST=required $(BIN)/pytest tests/worker -q -s $(PYTEST_ARGS)

# Browser tests in Debian's chromium (apt-get install chromium); never `playwright install`.
e2e: install-e2e compilemessages
	$(BIN)/pytest tests/e2e $(PYTEST_ARGS)

# The NL Design System's component CSS and example theme, from npm at the versions pinned in
# pgb_admin/vendor.py, into pgb_admin/static/vendor/nlds/ (committed: `make run` needs no Node).
vendor: install-run
	$(PY) -m pgb_admin.vendor

# Pictures of the main pages on a phone and a desktop from a fresh demo world, for the README.
screenshots: install-e2e compilemessages
	$(PY) -m tests.e2e.screenshots

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: lint
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check --database default
	$(MAKE) test

# The committed OpenAPI schema; tests/api/test_schema.py fails when it is stale.
schema: install-run
	$(PY) manage.py spectacular --validate --fail-on-warn --lang en --file pgb_admin/api/openapi.yaml

# Contract fuzzing with many more examples than the suite runs (FUZZ_EXAMPLES per operation).
FUZZ_EXAMPLES ?= 60
fuzz: install-test compilemessages
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest tests/api/test_contract.py -q -n $(PYTEST_WORKERS)

# Benchmarks (bench/README.md): a national month (SCALE=1.0: ~1M lines), a 100k-line export,
# a municipality-scale report (50,000 holders x 12 months), an import and the bureau console at
# 20, 200 and 500 holders (below SCALE=1.0 with --quick: 10 requests a size instead of 30).
CONSOLE_BENCH ?= $(if $(filter 1 1.0,$(SCALE)),,--quick)
# The month end to end on PostgreSQL and Redis (DATABASE_URL's server, redis db 13), in process
# and with 1 and 2 Celery workers: 1,500 holders by default (< 3 minutes); MONTH_SCALE=1.0 is the
# national world (150,000 holders, ~10M time entries), made once in a database of its own.
MONTH_SCALE ?= 0.01
bench: install-run
	@status=0; \
	$(PY) bench/bench_validation.py --scale $(SCALE) || status=1; \
	$(PY) bench/bench_export.py --scale $(SCALE) || status=1; \
	$(PY) bench/bench_reports.py --scale $(SCALE) || status=1; \
	$(PY) bench/bench_import.py --scale $(SCALE) || status=1; \
	$(PY) bench/bench_console.py $(CONSOLE_BENCH) || status=1; \
	$(PY) bench/bench_month.py --scale $(MONTH_SCALE) || status=1; \
	exit $$status

# Developers: extract new strings into the Dutch catalogue (needs GNU gettext).
messages: install-run
	$(PY) manage.py makemessages --locale nl --locale en --ignore ".venv/*" --ignore "tests/*" --no-obsolete

# Re-resolve the pinned versions after changing pyproject.toml.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -e ".[dev,e2e]"
	.lock-venv/bin/pip freeze --exclude-editable | grep -v '^-e' > requirements/constraints.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
