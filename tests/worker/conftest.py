"""Real Celery workers for tests/worker: processes of their own (``celery -A pgb_admin worker``)
on the test's PostgreSQL database and a Redis broker, which a test can SIGKILL and start again.

They need ``CELERY_BROKER_URL=redis://host:6379/N`` with a database N of their own (not 0: the
tests empty it) and ``DATABASE_URL=postgres://...``; without them the tests are skipped, or fail
when ``PGB_WORKER_TEST=required`` (``make worker-test``, CI), so CI never passes by skipping."""

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection

import pytest

#: how long Redis waits before it hands a task of a dead worker to another (seconds): short
#: here so a test sees the redelivery, and longer than what is left of a task after a kill
#: (a task still running then is handed out a second time, which changes nothing but time)
VISIBILITY_TIMEOUT = 15
READY_TIMEOUT = 60
RECEIVED = re.compile(r"Task (?P<name>[\w.]+)\[(?P<id>[0-9a-f-]+)\] received")


@pytest.fixture(autouse=True)
def _fixed_today():
    """Overrides the suite's fixed 23 November 2026: the workers are other processes and run
    on the machine's clock, so the test (which drafts what they validate) does too."""
    return


def _broker_url() -> str | None:
    """The Redis broker from the environment, if it names a database other than 0."""
    url = os.environ.get("CELERY_BROKER_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        return None
    database = parts.path.strip("/") or "0"
    return url if database.isdigit() and database != "0" else None


def _missing() -> str | None:
    if connection.vendor != "postgresql":
        return "needs DATABASE_URL=postgres://...: the workers share the test's database"
    if _broker_url() is None:
        return (
            "needs CELERY_BROKER_URL=redis://host:6379/N with a Redis database N other than 0 "
            "(the test empties it)"
        )
    return None


@pytest.fixture
def broker(transactional_db):
    """The Redis broker URL, its database emptied before and after the test; skips (or, with
    PGB_WORKER_TEST=required, fails) when there is no PostgreSQL or Redis to use."""
    import redis

    missing = _missing()
    if missing:
        if os.environ.get("PGB_WORKER_TEST") == "required":
            pytest.fail(f"the worker tests are required here but cannot run: {missing}")
        pytest.skip(missing)
    url = _broker_url()
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def send_to_broker(broker):
    """Make this process send tasks to the broker instead of running them in-process (the test
    settings run them eagerly), as the web app does in production."""
    from pgb_admin.celery import app

    keys = ("broker_url", "task_always_eager", "broker_transport_options", "result_backend")
    before = {key: app.conf[key] for key in keys}
    app.conf.update(
        broker_url=broker,
        task_always_eager=False,
        broker_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT},
        result_backend=None,
    )
    _forget_connections(app)
    yield broker
    app.conf.update(before)
    _forget_connections(app)


def _forget_connections(app) -> None:
    """Drop the app's broker connection pools, so the next send connects to the broker now
    configured (what Celery does after a fork). kombu keeps its pools by broker URL too: they
    are closed and forgotten, or a later test with the same broker would get a closed one."""
    from kombu import pools

    if app._pool is not None:
        app._pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    pools.reset()


def _worker_env(broker_url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a worker: production settings on the test's database (and the
    ``extra`` settings a test gives it)."""
    database_url = urlsplit(os.environ["DATABASE_URL"])
    test_database = database_url._replace(path="/" + connection.settings_dict["NAME"]).geturl()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CELERY_", "PYTEST_")) and key != "DJANGO_SETTINGS_MODULE"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="pgb_admin.settings.base",
        DJANGO_READ_DOT_ENV_FILE="false",
        DJANGO_DEBUG="false",
        **_secrets(),
        DATABASE_URL=test_database,
        CELERY_BROKER_URL=broker_url,
        CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
        CELERY_UNACKED_RESTORE_INTERVAL="1",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra or {})
    return env


def _secrets() -> dict[str, str]:
    """The keys this process signs and encrypts with (the test settings'): a worker holds the
    same ones as the web app it works for, or it could not read the BSNs the app stored."""
    env = {"DJANGO_SECRET_KEY": settings.SECRET_KEY}
    for name in ("BSN_ENCRYPTION_KEYS", "BSN_HASH_KEY_FALLBACKS"):
        if getattr(settings, name, None):
            env[name] = ",".join(getattr(settings, name))
    if getattr(settings, "BSN_HASH_KEY", ""):
        env["BSN_HASH_KEY"] = settings.BSN_HASH_KEY
    return env


class Worker:
    """One ``celery worker`` in a process group of its own (its pool children with it)."""

    def __init__(
        self, broker_url: str, log: Path, name: str, pool: str, env: dict[str, str] | None = None
    ) -> None:
        self.log, self.name, self.pool = log, name, pool
        self._offset = log.stat().st_size if log.exists() else 0
        command = [
            sys.executable, "-m", "celery", "-A", "pgb_admin", "worker",
            f"--pool={pool}", "--concurrency=1", "--loglevel=INFO", f"--hostname={name}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        with log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603
                command,
                cwd=settings.BASE_DIR,
                env=_worker_env(broker_url, env),
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self) -> str:
        with self.log.open("rb") as log:
            log.seek(self._offset)
            return log.read().decode(errors="replace")

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> "Worker":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if f"{self.name}@" in self.output() and " ready." in self.output():
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"worker {self.name} did not start:\n{self.output()}")

    def pool_children(self) -> list[int]:
        """Pids of the prefork pool's processes (children of the worker's main process)."""
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return children

    def kill(self) -> None:
        """SIGKILL the whole worker: main process and pool, no time to hand anything back."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """Warm shutdown (SIGTERM), or SIGKILL when it takes too long; then SIGKILL whatever
        of its process group is left, so no pool process outlives the test."""
        if self.process.poll() is not None:
            return  # killed before, with its whole group, or ended by itself
        os.killpg(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):  # the group is gone already
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)


class Workers:
    """The workers a test started, all stopped when it ends, and what their logs say."""

    def __init__(self, broker_url: str, log: Path) -> None:
        self.broker_url, self.log, self.started = broker_url, log, []

    def start(self, pool: str = "prefork", env: dict[str, str] | None = None) -> Worker:
        name = f"kill-test-{len(self.started) + 1}"
        worker = Worker(self.broker_url, self.log, name, pool, env)
        self.started.append(worker)
        return worker.wait_ready()

    def deliveries(self) -> Counter:
        """How often each task (by its Celery id) was handed to a worker."""
        return Counter(match["id"] for match in RECEIVED.finditer(self.log.read_text()))

    def stop_all(self) -> None:
        for worker in self.started:
            worker.stop()

    def story(self) -> str:
        """What the workers did, from their log: starts, deliveries, results, deaths."""
        if not self.log.exists():
            return ""
        return "\n".join(
            line[:200]
            for line in self.log.read_text(errors="replace").splitlines()
            if re.search(r" ready\.| received| succeeded| raised| exited with|WorkerLost", line)
        )


@pytest.fixture
def workers(send_to_broker, tmp_path):
    started = Workers(send_to_broker, tmp_path / "workers.log")
    try:
        yield started
    finally:
        started.stop_all()
        print(f"\nworkers' log ({started.log}):\n{started.story()}")
