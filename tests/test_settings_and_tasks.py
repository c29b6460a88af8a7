"""Settings that matter for safety, and the Celery wiring."""

import os
import subprocess
import sys
from io import StringIO

from django.conf import settings
from django.core.checks import run_checks
from django.core.management import call_command

import pytest

from pgb_admin.celery import app as celery_app
from pgb_admin.core.tasks import worker_health


def test_celery_reliability_settings_are_in_effect():
    conf = celery_app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit


def test_tasks_run_in_process_without_a_broker():
    assert settings.CELERY_TASK_ALWAYS_EAGER


def test_a_validation_task_stays_far_below_the_soft_time_limit():
    """A month's validation is fanned out in tasks that take, at the measured cost per
    declaration, at most VALIDATION_TASK_SECONDS and a quarter of the soft time limit."""
    from declarations.tasks import chunk_size

    largest = chunk_size(10_000_000)
    seconds = largest * settings.VALIDATION_MS_PER_DECLARATION / 1000
    assert seconds <= settings.VALIDATION_TASK_SECONDS
    assert seconds <= celery_app.conf.task_soft_time_limit / 4


def test_worker_health_task(db):
    answer = worker_health.delay("abc").get()
    assert answer["nonce"] == "abc"
    assert answer["database"] in {"sqlite", "postgresql"}


def test_check_worker_command_in_process(db):
    out = StringIO()
    call_command("check_worker", stdout=out)
    assert "in-process" in out.getvalue()


def test_development_key_is_refused_without_debug(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = settings.DEVELOPMENT_SECRET_KEY
    assert "pgb_admin.E001" in {message.id for message in run_checks()}
    settings.DEBUG = True
    assert "pgb_admin.E001" not in {message.id for message in run_checks()}


def test_language_and_time():
    assert settings.LANGUAGE_CODE == "nl"
    assert [code for code, _ in settings.LANGUAGES] == ["nl", "en"]
    assert settings.TIME_ZONE == "Europe/Amsterdam"
    assert settings.USE_TZ


PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "pgb_admin.settings.base",
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-for-the-check-0123456789-abcdefghij",
    "DJANGO_ALLOWED_HOSTS": "pgb.example.org",
    "DJANGO_READ_DOT_ENV_FILE": "false",
    # required with DEBUG off (SECURITY.md, "BSN")
    "BSN_ENCRYPTION_KEYS": "x1ePvLeCz1tmxFcOZq1yWWh1Zgq3j1r2hKpSkXeZ6lA=",
    "BSN_HASH_KEY": "a-long-random-production-bsn-hash-key-0123456789",
    # required with DEBUG off (pgb_admin.E008): rate limits shared by all web processes
    "CACHE_URL": "redis://127.0.0.1:6379/1",
}


def deploy_check(tmp_path, *, without=()) -> subprocess.CompletedProcess:
    """``manage.py check --deploy`` in a process of its own with production settings, less
    the variables ``without``."""
    env = {**os.environ, **PRODUCTION_ENV, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    for name in without:
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    result = deploy_check(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("debug", ["true", "false"])
def test_settings_load_from_the_environment_only(tmp_path, debug):
    env = {
        **os.environ,
        **PRODUCTION_ENV,
        "DJANGO_DEBUG": debug,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    }
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_RESULT_BACKEND, "
        "s.SESSION_COOKIE_SECURE)"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    is_debug = debug == "true"
    assert result.stdout.split() == [
        str(is_debug),
        "False",
        "redis://127.0.0.1:6379/0",
        str(not is_debug),
    ]
