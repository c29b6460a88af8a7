"""The bureau console's reads: a pgb bureau acts for hundreds of holders (a mandate in the role
"bureau") and handles a month for many of them at once.

Every holder's state in the month and the deadlines across the holders are read in a fixed
number of queries, however many holders the bureau has (aggregates, never a query per holder).
The progress of the background tasks the console starts is rolled up here too.
"""

import uuid
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from contracts.constants import AgreementType
from pgb_admin.accounts.constants import MandateRole
from pgb_admin.accounts.scoping import AnyUser, represented_holder_ids
from pgb_admin.budgets.models import Budget, BudgetHolder
from pgb_admin.core.models import TaskRun, TaskStatus
from pgb_admin.core.periods import month_end, month_start, previous_month
from pgb_admin.figures.constants import FigureKind
from pgb_admin.figures.models import FigureLookup

from ..constants import FROZEN_STATUSES, OPEN_STATUSES, DeclarationStatus, Severity
from ..models import Batch, Declaration, Expense, Finding, TimeEntry

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from pgb_admin.accounts.models import User

GRANT_HORIZON_DAYS = 90


class MonthState(models.TextChoices):
    """Where a holder's month stands, from what needs work first to what is done."""

    ERRORS = "errors", _("Errors")
    NOT_DRAFTED = "not_drafted", _("Hours, not drafted")
    DRAFT = "draft", _("Draft")
    WARNINGS = "warnings", _("Warnings to acknowledge")
    VALIDATED = "validated", _("Validated")
    EXPORTED = "exported", _("Exported")
    NO_HOURS = "no_hours", _("No hours")


#: the badge class of each state (site.css)
STATE_BADGES: dict[str, str] = {
    MonthState.ERRORS: "error",
    MonthState.NOT_DRAFTED: "warning",
    MonthState.DRAFT: "info",
    MonthState.WARNINGS: "warning",
    MonthState.VALIDATED: "ok",
    MonthState.EXPORTED: "ok",
    MonthState.NO_HOURS: "info",
}


def default_month(today: date) -> date:
    """The month a bureau works on: last month."""
    return previous_month(today)


def bureau_holder_ids(user: "User") -> QuerySet[Any, Any]:
    """Ids of the holders the user has a bureau mandate for today (a subquery)."""
    return represented_holder_ids(user, roles=[MandateRole.BUREAU])


def bureau_holders(user: AnyUser) -> list[BudgetHolder]:
    """The holders the user works for as a bureau, by name; empty for everyone else."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    return list(
        BudgetHolder.objects.editable_by(user)
        .filter(pk__in=bureau_holder_ids(user))
        .order_by("surname", "first_name", "initials", "pk")
    )


# --- the month of every holder ---------------------------------------------------------------


@dataclass
class HolderMonth:
    holder: BudgetHolder
    state: str
    agreements_with_hours: int = 0
    not_drafted: int = 0  # agreements with hours or costs but no declaration
    statuses: Counter[str] = field(default_factory=Counter)  # declaration status → how many
    with_errors: int = 0  # open declarations with open errors
    with_warnings: int = 0  # validated declarations with warnings not acknowledged

    @property
    def declarations(self) -> int:
        return sum(self.statuses.values())

    @property
    def state_label(self) -> "StrOrPromise":
        return MonthState(self.state).label

    @property
    def badge(self) -> str:
        return STATE_BADGES[self.state]

    @property
    def status_counts(self) -> list[tuple["StrOrPromise", int]]:
        """(label, count) of the declaration statuses present, in the order of the workflow."""
        return [
            (status.label, self.statuses[status])
            for status in DeclarationStatus
            if self.statuses[status]
        ]


def _state(row: HolderMonth) -> str:
    frozen = sum(row.statuses[status] for status in FROZEN_STATUSES)
    if row.with_errors:
        return MonthState.ERRORS
    if row.not_drafted:
        return MonthState.NOT_DRAFTED
    if row.statuses[DeclarationStatus.DRAFT]:
        return MonthState.DRAFT
    if row.with_warnings:
        return MonthState.WARNINGS
    if row.statuses[DeclarationStatus.VALIDATED]:
        return MonthState.VALIDATED
    if frozen:
        return MonthState.EXPORTED
    return MonthState.NO_HOURS


def _active_agreements(
    user: "User", holder_ids: QuerySet[Any, Any], month: date
) -> dict[int, set[int]]:
    """Per holder, the agreements with hours or costs in the month (fixed monthly pay needs no
    declaration): two queries."""
    period = (month, month_end(month))
    active: defaultdict[int, set[int]] = defaultdict(set)
    for model, date_field in ((TimeEntry, "care_date"), (Expense, "expense_date")):
        rows = (
            model.objects.editable_by(user)
            .filter(agreement__holder_id__in=holder_ids, **{f"{date_field}__range": period})
            .exclude(agreement__agreement_type=AgreementType.EMPLOYMENT_FIXED)
            .order_by()
            .values_list("agreement__holder_id", "agreement_id")
            .distinct()
        )
        for holder_id, agreement_id in rows:
            active[holder_id].add(agreement_id)
    return active


def holder_months(*, user: "User", month: date, holders: list[BudgetHolder]) -> list[HolderMonth]:
    """The month's state of each of ``holders`` (the user's bureau holders), in four queries."""
    holder_ids = bureau_holder_ids(user)
    statuses: defaultdict[int, Counter[str]] = defaultdict(Counter)
    declared: defaultdict[int, set[int]] = defaultdict(set)
    for holder_id, agreement_id, status, count in (
        Declaration.objects.editable_by(user)
        .filter(agreement__holder_id__in=holder_ids, month=month)
        .order_by()
        .values_list("agreement__holder_id", "agreement_id", "status")
        .annotate(count=Count("pk"))
    ):
        statuses[holder_id][status] += count
        declared[holder_id].add(agreement_id)
    findings = {
        row["holder_id"]: row
        for row in Finding.objects.editable_by(user)
        .open()
        .filter(
            declaration__agreement__holder_id__in=holder_ids,
            declaration__month=month,
            declaration__status__in=OPEN_STATUSES,
        )
        .order_by()
        .values(holder_id=models.F("declaration__agreement__holder_id"))
        .annotate(
            errors=Count("declaration_id", distinct=True, filter=Q(severity=Severity.ERROR)),
            warnings=Count(
                "declaration_id",
                distinct=True,
                filter=Q(
                    severity=Severity.WARNING, declaration__status=DeclarationStatus.VALIDATED
                ),
            ),
        )
    }
    active = _active_agreements(user, holder_ids, month)
    rows = []
    for holder in holders:
        found = findings.get(holder.pk, {})
        row = HolderMonth(
            holder=holder,
            state=MonthState.NO_HOURS,
            agreements_with_hours=len(active[holder.pk]),
            not_drafted=len(active[holder.pk] - declared[holder.pk]),
            statuses=statuses[holder.pk],
            with_errors=found.get("errors", 0),
            with_warnings=found.get("warnings", 0),
        )
        row.state = _state(row)
        rows.append(row)
    return rows


# --- deadlines across the holders --------------------------------------------------------------


@dataclass(frozen=True)
class LateMonth:
    holder: BudgetHolder
    month: date
    deadline: date


def grants_ending(
    *, user: "User", today: date, horizon_days: int = GRANT_HORIZON_DAYS
) -> list[Budget]:
    """The bureau holders' grants that end within the horizon (one query)."""
    return list(
        Budget.objects.editable_by(user)
        .filter(
            holder_id__in=bureau_holder_ids(user),
            end_date__range=(today, today + timedelta(days=horizon_days)),
        )
        .select_related("holder", "funder")
        .order_by("end_date", "holder__surname", "holder_id", "pk")
    )


def _declaration_deadline(month: date, figures: FigureLookup) -> date | None:
    """The last day to declare a month: the provider's and the holder's weeks after its end
    (the rule ``declaration.late``); ``None`` when the figures do not say."""
    last = month_end(month)
    provider = figures.value_on(FigureKind.DECLARATION_DEADLINE_PROVIDER_WEEKS, last)
    holder = figures.value_on(FigureKind.DECLARATION_DEADLINE_HOLDER_WEEKS, last)
    if provider is None or holder is None or provider + holder <= 0:
        return None
    return last + timedelta(weeks=int(provider + holder))


def late_months(*, user: "User", today: date, holders: list[BudgetHolder]) -> list[LateMonth]:
    """Months with hours or costs that are not exported although their declaration deadline
    has passed, per holder: two queries and the deadline figures."""
    by_id = {holder.pk: holder for holder in holders}
    holder_ids = bureau_holder_ids(user)
    this_month = month_start(today)
    exported = Declaration.objects.filter(
        agreement_id=OuterRef("agreement_id"), month=OuterRef("month"), status__in=FROZEN_STATUSES
    )
    months: set[tuple[int, date]] = set()
    for model, date_field in ((TimeEntry, "care_date"), (Expense, "expense_date")):
        months |= set(
            model.objects.editable_by(user)
            .filter(agreement__holder_id__in=holder_ids, **{f"{date_field}__lt": this_month})
            .exclude(agreement__agreement_type=AgreementType.EMPLOYMENT_FIXED)
            .annotate(month=TruncMonth(date_field))
            .filter(~Exists(exported))
            .order_by()
            .values_list("agreement__holder_id", "month")
            .distinct()
        )
    figures = FigureLookup()
    late = []
    for holder_id, month in months:
        deadline = _declaration_deadline(month, figures)
        if holder_id in by_id and deadline is not None and today > deadline:
            late.append(LateMonth(holder=by_id[holder_id], month=month, deadline=deadline))
    return sorted(late, key=lambda row: (row.deadline, row.holder.surname, row.holder.pk))


@dataclass
class Console:
    month: date
    rows: list[HolderMonth]
    grants_ending: list[Budget]
    late_months: list[LateMonth]

    @property
    def state_counts(self) -> list[tuple[str, "StrOrPromise", int]]:
        """(state, label, how many holders) of the states present, worst first."""
        counts = Counter(row.state for row in self.rows)
        return [(state.value, state.label, counts[state]) for state in MonthState if counts[state]]


def bureau_console(
    *, user: "User", month: date, today: date, holders: list[BudgetHolder]
) -> Console:
    return Console(
        month=month,
        rows=holder_months(user=user, month=month, holders=holders),
        grants_ending=grants_ending(user=user, today=today),
        late_months=late_months(user=user, today=today, holders=holders),
    )


def all_editable(user: AnyUser, holder_ids: set[int]) -> bool:
    """Whether ``holder_ids`` are all the holders the user may change: then one month-wide
    call of a service does what a call per holder would."""
    editable = set(BudgetHolder.objects.editable_by(user).values_list("pk", flat=True))
    return editable == holder_ids


def exportable_holder_ids(actor: AnyUser, month: date) -> set[int]:
    """Holders with a validated declaration in the month that has no open findings, among
    those the actor may change: what an export of the month would take."""
    blocking = Finding.objects.open().filter(declaration_id=OuterRef("pk"))
    return set(
        Declaration.objects.editable_by(actor)
        .filter(month=month, status=DeclarationStatus.VALIDATED)
        .filter(~Exists(blocking))
        .order_by()
        .values_list("agreement__holder_id", flat=True)
        .distinct()
    )


# --- the progress of the tasks the console started ---------------------------------------------

FINISHED = {TaskStatus.DONE, TaskStatus.FAILED}


def task_run(*, user: AnyUser, task_id: uuid.UUID) -> TaskRun | None:
    """A task run its maker (or staff) may follow; None for anyone else."""
    run: TaskRun | None = TaskRun.objects.visible_to(user).filter(pk=task_id).first()
    return run


def task_progress(
    *, user: "User", run: TaskRun, holder_of: Mapping[str, int | None]
) -> dict[str, object]:
    """How far a task is (and, for an export of several holders, the other tasks started with
    it: ``holder_of`` maps each task's id to the holder it is about) and, when finished, its
    results: the tasks with their holders and batches, the validation's counts, the
    failures."""
    holder_by_run = {uuid.UUID(str(task_id)): holder for task_id, holder in holder_of.items()}
    runs = [run]
    if len(holder_by_run) > 1:
        runs = list(
            TaskRun.objects.visible_to(user)
            .filter(pk__in=list(holder_by_run))
            .order_by("created_at", "pk")
        )
    holders = BudgetHolder.objects.visible_to(user).in_bulk(
        [h for h in holder_by_run.values() if h]
    )
    # an export makes one batch per channel (``batch_ids``); older results name one
    batch_ids = [b for r in runs for b in _batch_ids(r.result)]
    batches = Batch.objects.visible_to(user).select_related("holder").in_bulk(batch_ids)
    total = sum(r.total for r in runs)
    done = sum(r.done for r in runs)
    statuses = {r.status for r in runs}
    finished = statuses <= FINISHED
    if not finished:
        status = TaskStatus.RUNNING if statuses - {TaskStatus.QUEUED} else TaskStatus.QUEUED
    else:
        status = TaskStatus.FAILED if statuses == {TaskStatus.FAILED} else TaskStatus.DONE
    validated = [r for r in runs if r.kind == "validate" and r.status == TaskStatus.DONE]
    task_rows = [
        {
            "run": r,
            "holder": holders.get(holder_by_run.get(r.pk)),
            "batch": batches.get(r.result.get("batch_id")),
            "batches": [batches[b] for b in _batch_ids(r.result) if b in batches],
        }
        for r in runs
    ]
    return {
        "run": run,
        "kind": run.kind,
        "total": total,
        "done": done,
        "percent": 100 if not total else min(100, round(100 * done / total)),
        "bar_max": total or 1,
        "bar_value": done if total else int(finished),
        "status": status,
        "status_label": TaskStatus(status).label,
        "finished": finished,
        "tasks": task_rows,
        "exported": [row for row in task_rows if row["batch"]],
        "validation": {
            key: sum(r.result.get(key, 0) for r in validated)
            for key in ("declarations", "validated", "with_errors")
        }
        if validated
        else None,
        "failures": [r for r in runs if r.status == TaskStatus.FAILED],
        "is_bureau": bureau_holder_ids(user).exists(),
    }


def _batch_ids(result: dict[str, Any]) -> list[int]:
    return list(result.get("batch_ids") or ([result["batch_id"]] if result.get("batch_id") else []))
