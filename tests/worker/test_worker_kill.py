"""A real Celery worker on Redis is SIGKILLed in the middle of a bureau's batch validation and
of its export, and started again; its pool process is killed in the middle of another month's.
Afterwards no declaration, finding, batch or batch line is lost or doubled, and each task run
finished once with its progress never going back.

Two kills: the whole worker (main process and pool: nothing is handed back, Redis gives the
unacknowledged task to the next worker after the visibility timeout) and only the pool process
that runs the task (the main process sees it die and, with ``reject_on_worker_lost``, puts the
task back at once). Needs PostgreSQL and Redis (see conftest.py); ``make worker-test``."""

import csv
import io
import os
import signal
import time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Count
from django.utils import timezone

from contracts.constants import AgreementType, ApprovalStatus, ProviderKind, Relation
from contracts.models import AgreementVersion, CareAgreement, HolderProvider, Provider
from declarations import tasks
from declarations.constants import DeclarationStatus
from declarations.models import (
    Batch,
    BatchFile,
    Declaration,
    DeclarationLine,
    Finding,
    TimeEntry,
)
from declarations.selectors import bureau
from declarations.services import declarations as declaration_services
from pgb_admin.accounts.constants import MandateRole
from pgb_admin.accounts.models import Mandate
from pgb_admin.budgets.constants import Scheme
from pgb_admin.budgets.models import Budget, BudgetHolder, Funder
from pgb_admin.core.models import TaskRun, TaskStatus
from pgb_admin.core.periods import month_end, previous_month
from pgb_admin.figures.constants import RateUnit

from ..conftest import restore_reference_data
from ..factories import CareProductFactory, UserFactory, bsn_from, iban_from
from .conftest import VISIBILITY_TIMEOUT

#: holders of the bureau, each with two hourly agreements with hours in each of two months:
#: a month's validation is two chunks of work (a transaction each) and takes a few seconds
AGREEMENTS_PER_HOLDER = 2
HOLDERS = declaration_services.VALIDATION_CHUNK
CARE_DAYS = (0, 3)  # Mondays and Thursdays, 4 hours: the agreed 8 hours a week
TASK_TIMEOUT = VISIBILITY_TIMEOUT + 90


def _build_bureau(months: list[date]):
    """A bureau with HOLDERS holders and their grants, providers, agreements and hours in
    ``months``, written set-based (bulk_create)."""
    user = UserFactory(username="kill-test-bureau")
    funder = Funder.objects.get(code="GM0518")
    product = CareProductFactory()
    start = min(months).replace(month=1, day=1)
    end = max(months).replace(month=12, day=31)
    holders = BudgetHolder.objects.bulk_create(
        BudgetHolder(
            initials="A.",
            first_name=f"Anna{n}",
            surname=f"Zorgvrager {n:04d}",
            bsn=bsn_from(500_000_00 + n * 13),
            date_of_birth=date(1980, 5, 17),
        )
        for n in range(HOLDERS)
    )
    BudgetHolder.funders.through.objects.bulk_create(
        BudgetHolder.funders.through(budgetholder_id=holder.pk, funder_id=funder.pk)
        for holder in holders
    )
    Mandate.objects.bulk_create(
        Mandate(user=user, holder=holder, role=MandateRole.BUREAU, valid_from=start)
        for holder in holders
    )
    budgets = Budget.objects.bulk_create(
        Budget(
            holder=holder,
            funder=funder,
            scheme=Scheme.WMO,
            start_date=start,
            end_date=end,
            amount=Decimal("12000.00"),
            decision_date=start - timedelta(days=31),
            decision_reference=f"KILL-{holder.pk}",
        )
        for holder in holders
    )
    Budget.products.through.objects.bulk_create(
        Budget.products.through(budget_id=budget.pk, careproduct_id=product.pk)
        for budget in budgets
    )
    providers = Provider.objects.bulk_create(
        Provider(
            kind=ProviderKind.PERSON,
            name=f"P. Zorg{n}",
            date_of_birth=date(1985, 3, 3),
            iban=iban_from(700_000 + n),
        )
        for n in range(HOLDERS)
    )
    HolderProvider.objects.bulk_create(
        HolderProvider(holder=holder, provider=provider, relation=Relation.NONE)
        for holder, provider in zip(holders, providers, strict=True)
    )
    agreements = CareAgreement.objects.bulk_create(
        CareAgreement(
            holder=holder, provider=provider, agreement_type=AgreementType.EMPLOYMENT_HOURLY
        )
        for holder, provider in zip(holders, providers, strict=True)
        for _ in range(AGREEMENTS_PER_HOLDER)
    )
    budget_of = {budget.holder_id: budget for budget in budgets}
    AgreementVersion.objects.bulk_create(
        AgreementVersion(
            agreement=agreement,
            budget=budget_of[agreement.holder_id],
            product=product,
            valid_from=start,
            rate=Decimal("18.50"),
            unit=RateUnit.HOUR,
            hours_per_week=Decimal("8"),
            approval_status=ApprovalStatus.APPROVED,
        )
        for agreement in agreements
    )
    days = [
        month + timedelta(days=offset)
        for month in months
        for offset in range((month_end(month) - month).days + 1)
        if (month + timedelta(days=offset)).weekday() in CARE_DAYS
    ]
    TimeEntry.objects.bulk_create(
        (
            TimeEntry(agreement=agreement, care_date=day, quantity=Decimal(4))
            for agreement in agreements
            for day in days
        ),
        batch_size=5000,
    )
    return user


# --- starting and following a run --------------------------------------------------------------


def _start(bureau_user, month: date, action: str) -> TaskRun:
    """What the bureau console's buttons for all holders do: draft and validate, or export,
    the month of every holder, queueing the task when the transaction commits."""
    holder_ids = [holder.pk for holder in bureau.bureau_holders(bureau_user)]
    if action == "validate":
        return tasks.start_bureau_validation(actor=bureau_user, month=month, holder_ids=holder_ids)
    started = tasks.start_bureau_export(actor=bureau_user, month=month, holder_ids=holder_ids)
    ((run, _holder),) = started.runs  # all holders: one month-wide batch
    return run


class Follow:
    """Polls a task run and remembers every ``done`` it saw, to tell whether progress ever
    went back (a redelivered task that started over)."""

    def __init__(self, run: TaskRun) -> None:
        self.run, self.seen, self.finished_at = run, [], None

    def poll(self) -> TaskRun:
        self.run.refresh_from_db()
        self.seen.append(self.run.done)
        return self.run

    def until(self, condition, what: str, timeout: float = TASK_TIMEOUT) -> TaskRun:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.poll()
            if condition(run):
                return run
            if run.status in (TaskStatus.DONE, TaskStatus.FAILED):
                break
            time.sleep(0.05)
        raise AssertionError(f"{what}: not reached; the run is {self.run} ({self.run.error})")

    def partway(self) -> TaskRun:
        return self.until(lambda run: 0 < run.done < run.total, "validation partway")

    def running(self) -> TaskRun:
        return self.until(lambda run: run.status == TaskStatus.RUNNING, "export running")

    def finished(self) -> TaskRun:
        run = self.until(lambda run: run.status == TaskStatus.DONE, "run done")
        self.finished_at = run.updated_at
        return run

    @property
    def finished_again(self) -> bool:
        """Whether a later delivery wrote to the run after it had finished."""
        return TaskRun.objects.get(pk=self.run.pk).updated_at != self.finished_at

    @property
    def counted_twice(self) -> int:
        """Items the run counted again after its progress went back (work started over)."""
        steps = zip(self.seen, self.seen[1:], strict=False)
        return sum(before - after for before, after in steps if after < before)


def _kill_pool_process(worker) -> None:
    (child,) = worker.pool_children()
    os.kill(child, signal.SIGKILL)


# --- what the runs left ----------------------------------------------------------------------


def _extra(counts) -> int:
    return sum(count - 1 for count in counts if count > 1)


def _validation_outcome(month: date, run: TaskRun, follow: Follow) -> dict:
    """Lost: agreements with hours in the month without a validated declaration, hours without
    a declaration line. Duplicated: second declarations of an agreement, second lines of a day,
    findings found twice, declarations counted past the total or validated again after the
    progress went back."""
    with_hours = set(
        TimeEntry.objects.filter(care_date__range=(month, month_end(month))).values_list(
            "agreement_id", flat=True
        )
    )
    declarations = Declaration.objects.filter(month=month)
    per_agreement = Counter(declarations.values_list("agreement_id", flat=True))
    validated = set(
        declarations.filter(status=DeclarationStatus.VALIDATED).values_list(
            "agreement_id", flat=True
        )
    )
    hours = TimeEntry.objects.filter(care_date__range=(month, month_end(month))).count()
    lines = DeclarationLine.objects.filter(declaration__month=month)
    line_days = lines.values("declaration_id", "care_date").annotate(n=Count("pk"))
    findings = (
        Finding.objects.filter(declaration__month=month)
        .values("declaration_id", "rule_code", "care_date")
        .annotate(n=Count("pk"))
    )
    return {
        "declarations": len(with_hours),
        "lost": len(with_hours - validated) + max(0, hours - lines.count()),
        "duplicated": _extra(per_agreement.values())
        + _extra(row["n"] for row in line_days)
        + _extra(row["n"] for row in findings)
        + max(0, run.done - run.total)
        + follow.counted_twice,
        "run": (run.status, run.done, run.total, run.result.get("validated")),
    }


def _csv_records(batch: Batch) -> list[dict]:
    content = BatchFile.objects.get(batch=batch, format=BatchFile.Format.CSV).content
    return list(csv.DictReader(io.StringIO(bytes(content).decode("utf-8-sig")), delimiter=";"))


def _export_outcome(month: date, run: TaskRun) -> dict:
    """Lost: validated declarations of the month not exported or not in a batch file, their
    lines missing from it. Duplicated: more than one batch, a declaration or a day twice in
    the files, more than the two files of a batch."""
    declarations = Declaration.objects.filter(month=month)
    ids = set(declarations.values_list("pk", flat=True))
    batches = list(Batch.objects.filter(period=month))
    records = [record for batch in batches for record in _csv_records(batch)]
    in_files = Counter(int(r["declaration_id"]) for r in records if r["record"] == "declaration")
    days = Counter(
        (int(r["declaration_id"]), r["care_date"]) for r in records if r["record"] == "line"
    )
    lines = DeclarationLine.objects.filter(declaration__month=month).count()
    files = BatchFile.objects.filter(batch__in=batches).count()
    return {
        "declarations": len(ids),
        "lines": lines,
        "lost": declarations.exclude(status=DeclarationStatus.EXPORTED).count()
        + declarations.filter(batch__isnull=True).count()
        + len(ids - set(in_files))
        + max(0, lines - len(days)),
        "duplicated": max(0, len(batches) - 1)
        + _extra(in_files.values())
        + _extra(days.values())
        + max(0, files - 2 * len(batches)),
        "run": (run.status, run.result.get("declarations")),
    }


# --- the test ----------------------------------------------------------------------------------


def _validate(user, month: date, kill) -> tuple[Follow, str]:
    follow = Follow(_start(user, month, "validate"))
    at = follow.partway().done
    kill()
    return follow, f"at {at}/{follow.run.total}"


def _in_transaction_of(run: TaskRun, timeout: float = TASK_TIMEOUT) -> None:
    """Wait until another connection holds the run's row locked: the export's transaction
    has begun (it locks the run first). A fixed sleep missed it once the export got fast."""
    table = TaskRun._meta.db_table
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT 1 FROM pg_locks l WHERE l.relation = %s::regclass "
                "AND l.mode = 'RowShareLock' AND l.granted AND l.pid <> pg_backend_pid()",
                [table],
            )
            if cursor.fetchone():
                return
            time.sleep(0.002)
    raise AssertionError("the export's transaction never began")


def _export(user, month: date, kill) -> tuple[Follow, str]:
    follow = Follow(_start(user, month, "export"))
    follow.running()
    _in_transaction_of(follow.run)
    kill()
    assert not Batch.objects.filter(period=month).exists(), "the export ended before the kill"
    return follow, "mid-batch"


def test_killed_workers_lose_and_double_nothing(workers, reference_data):
    started = time.monotonic()
    restore_reference_data(reference_data)
    month_a = previous_month(timezone.localdate())
    month_b = previous_month(month_a)
    user = _build_bureau([month_a, month_b])
    built = time.monotonic() - started
    kills, outcomes, follows = [], {}, []

    # month A: the whole worker SIGKILLed mid-validation (prefork) and mid-export (solo), and a
    # new one started; Redis hands it the task after the visibility timeout
    worker = workers.start("prefork")
    follow, at = _validate(user, month_a, worker.kill)
    kills.append(f"validation A: worker killed {at}")
    worker = workers.start("solo")
    outcomes["validation A"] = _validation_outcome(month_a, follow.finished(), follow)
    follows.append(follow)

    follow, at = _export(user, month_a, worker.kill)
    kills.append(f"export A: worker killed {at}")
    worker = workers.start("prefork")
    outcomes["export A"] = _export_outcome(month_a, follow.finished())
    follows.append(follow)

    # month B: only the pool process running the task is killed; the worker puts the task back
    # at once (reject_on_worker_lost) and lives on
    follow, at = _validate(user, month_b, lambda: _kill_pool_process(worker))
    kills.append(f"validation B: pool process killed {at}")
    outcomes["validation B"] = _validation_outcome(month_b, follow.finished(), follow)
    follows.append(follow)

    follow, at = _export(user, month_b, lambda: _kill_pool_process(worker))
    kills.append(f"export B: pool process killed {at}")
    outcomes["export B"] = _export_outcome(month_b, follow.finished())
    follows.append(follow)
    assert worker.process.poll() is None, "the worker died with its pool process"

    deliveries = workers.deliveries()
    finished_again = sum(follow.finished_again for follow in follows)
    lost = sum(outcome["lost"] for outcome in outcomes.values())
    duplicated = sum(outcome["duplicated"] for outcome in outcomes.values()) + finished_again
    exports = [outcome for name, outcome in outcomes.items() if name.startswith("export")]
    print(
        f"\nworker kill test: lost={lost} duplicated={duplicated} "
        f"redeliveries={sum(deliveries.values()) - len(deliveries)} "
        f"(declarations {sum(o['declarations'] for o in exports)}, "
        f"batch lines {sum(o['lines'] for o in exports)}; {'; '.join(kills)}; "
        f"data built in {built:.1f} s, all in {time.monotonic() - started:.1f} s)"
    )
    for name, outcome in outcomes.items():
        print(f"  {name}: {outcome}")
    assert (lost, duplicated) == (0, 0), outcomes
    # every task was killed and handed out again
    assert len(deliveries) == len(follows), deliveries
    assert min(deliveries.values()) >= 2, deliveries
    total = HOLDERS * AGREEMENTS_PER_HOLDER
    for name in ("validation A", "validation B"):
        assert outcomes[name]["declarations"] == total
        assert outcomes[name]["run"] == (TaskStatus.DONE, total, total, total)
    for name in ("export A", "export B"):
        assert outcomes[name]["run"] == (TaskStatus.DONE, total)
