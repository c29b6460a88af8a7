"""The reminders through a real ``celery beat`` and two real workers on Redis and PostgreSQL:
beat sends the daily job every second (REMINDERS_EVERY_SECONDS), the two workers run it at
the same time and again, and each reminder is stored once per user and mailed once."""

import os
import re
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from datetime import time as clock

from django.conf import settings
from django.utils import timezone

from contracts.constants import ApprovalStatus
from contracts.models import AgreementVersion
from pgb_admin.accounts.constants import MandateRole
from reports.reminders.models import Notice

from ..conftest import restore_reference_data
from ..factories import (
    AgreementVersionFactory,
    BudgetFactory,
    BudgetHolderFactory,
    CareAgreementFactory,
    MandateFactory,
    UserFactory,
)
from .conftest import _worker_env

RUNS = 4  # beat's runs of the job to wait for
SUCCEEDED = re.compile(r"Task reports\.send_reminders\[[0-9a-f-]+\] succeeded")
EMAIL = "anna-beat@example.org"


def _seed() -> None:
    today = timezone.localdate()
    holder = BudgetHolderFactory(first_name="Anna")
    anna = UserFactory(username="anna-beat", email=EMAIL)
    MandateFactory(
        user=anna, holder=holder, role=MandateRole.HOLDER, valid_from=today - timedelta(days=100)
    )
    budget = BudgetFactory(
        holder=holder,
        start_date=today - timedelta(days=300),
        end_date=today + timedelta(days=20),  # ends within 8 weeks: grant_ending
    )
    agreement = CareAgreementFactory(holder=holder)
    version = AgreementVersionFactory(
        agreement=agreement,
        budget=budget,
        product=budget.products.first(),
        valid_from=budget.start_date,
        approval_status=ApprovalStatus.PENDING,
    )
    registered = timezone.make_aware(datetime.combine(today - timedelta(days=30), clock(10)))
    AgreementVersion.objects.filter(pk=version.pk).update(registered_at=registered)


def test_beat_and_two_workers_store_and_mail_each_reminder_once(workers, reference_data, tmp_path):
    restore_reference_data(reference_data)
    _seed()
    env = {
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "REMINDERS_EVERY_SECONDS": "1",
    }
    workers.start(env=env)
    workers.start(env=env)
    beat_log = tmp_path / "beat.log"
    with beat_log.open("ab") as out:
        beat = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "pgb_admin",
                "beat",
                "--loglevel=INFO",
                f"--schedule={tmp_path / 'beat-schedule'}",
            ],
            cwd=settings.BASE_DIR,
            env=_worker_env(workers.broker_url, env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:
            if len(SUCCEEDED.findall(workers.log.read_text(errors="replace"))) >= RUNS:
                break
            time.sleep(0.5)
    finally:
        os.killpg(beat.pid, signal.SIGTERM)
        beat.wait(timeout=20)
        workers.stop_all()
    log = workers.log.read_text(errors="replace")
    assert len(SUCCEEDED.findall(log)) >= RUNS, beat_log.read_text(errors="replace")

    notices = list(Notice.objects.filter(user__username="anna-beat").values_list("kind", flat=True))
    assert {"grant_ending", "approval_waiting"} <= set(notices)
    assert len(notices) == len(set(notices))  # one occurrence of each here: once each
    # the console backend prints each e-mail in the worker's log: one per notice
    assert log.count(f"To: {EMAIL}") == len(notices)
    assert Notice.objects.filter(user__username="anna-beat", emailed_at__isnull=True).count() == 0
