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
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from contracts.constants import AgreementType
from pgb_admin.accounts.constants import MandateRole
from pgb_admin.accounts.scoping import AnyUser, represented_holder_ids
from pgb_admin.budgets.models import Budget, BudgetHolder
from pgb_admin.core.models import TaskRun, TaskStatus
from pgb_admin.core.periods import month_end, previous_month

from ..constants import FROZEN_STATUSES, OPEN_STATUSES, DeclarationStatus, Severity
from ..models import Batch, Declaration, Expense, Finding, TimeEntry
from .bureau_deadlines import (  # noqa: F401  (the deadline names: still found here too)
    DEADLINE_NAMES,
    GRANT_HORIZON_DAYS,
    DeadlineGroup,
    LateMonth,
    deadline_groups,
    grants_ending,
    late_months,
)
from .bureau_list import ListQuery, NameKey, holder_key, matcher, page_of, sort_rows

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from pgb_admin.accounts.models import User

#: what the console reads of a holder (not the BSN: decrypting it for hundreds of holders
#: costs time, and the console never shows it)
HOLDER_FIELDS = ("pk", "initials", "first_name", "surname", "svb_client_number")


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
        .only(*HOLDER_FIELDS)
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
    name_key: NameKey | None = None  # how the list orders the holder by name (holder_key)
    grant_ends: date | None = None  # the soonest end of the grants running in the month
    granted: Decimal | None = None  # the amount of those grants
    declared: Decimal | None = None  # what is declared against them

    @property
    def declared_share(self) -> Decimal | None:
        """The share of the grants declared, 0 to 1; None without a grant in the month."""
        if not self.granted:
            return None
        return (self.declared or Decimal(0)) / self.granted

    @property
    def declared_percent(self) -> int | None:
        share = self.declared_share
        return None if share is None else int(share * 100)

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
    if any(row.statuses[status] for status in FROZEN_STATUSES):
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


def _grants_in(
    user: "User", holder_ids: QuerySet[Any, Any], month: date
) -> dict[int, dict[str, Any]]:
    """Per holder, the grants running in the month: their soonest end, amount and what is
    declared against them (one query)."""
    return {
        row["holder_id"]: row
        for row in Budget.objects.editable_by(user)
        .filter(holder_id__in=holder_ids, start_date__lte=month_end(month), end_date__gte=month)
        .order_by()
        .values("holder_id")
        .annotate(ends=Min("end_date"), granted=Sum("amount"), declared=Sum("declared"))
    }


def holder_months(*, user: "User", month: date, holders: list[BudgetHolder]) -> list[HolderMonth]:
    """The month's state of each of ``holders`` (the user's bureau holders), in five queries."""
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
    grants = _grants_in(user, holder_ids, month)
    rows = []
    for holder in holders:
        pk = holder.pk
        found = findings.get(pk, {})
        grant = grants.get(pk, {})
        row = HolderMonth(
            holder=holder,
            state=MonthState.NO_HOURS,
            agreements_with_hours=len(active[pk]),
            not_drafted=len(active[pk] - declared[pk]),
            statuses=statuses[pk],
            with_errors=found.get("errors", 0),
            with_warnings=found.get("warnings", 0),
            grant_ends=grant.get("ends"),
            granted=grant.get("granted"),
            declared=grant.get("declared"),
            name_key=holder_key(holder),
        )
        row.state = _state(row)
        rows.append(row)
    return rows


# --- the console ------------------------------------------------------------------------------


@dataclass
class Console:
    month: date
    rows: list[HolderMonth]  # every holder of the bureau, by name
    deadlines: list[DeadlineGroup]

    @property
    def deadline_holder_ids(self) -> set[int]:
        """The holders the deadlines name."""
        return {listed.holder.pk for group in self.deadlines for listed in group.listed}


def bureau_console(
    *, user: "User", month: date, today: date, holders: list[BudgetHolder]
) -> Console:
    rows = holder_months(user=user, month=month, holders=holders)
    return Console(
        month=month,
        rows=rows,
        deadlines=deadline_groups(
            grants=grants_ending(user=user, holder_ids=bureau_holder_ids(user), today=today),
            late=late_months(
                user=user, holder_ids=bureau_holder_ids(user), today=today, holders=holders
            ),
            holders=holders,
            name_keys={row.holder.pk: row.name_key or holder_key(row.holder) for row in rows},
        ),
    )


#: the states in the console's order: what needs work first
STATE_ORDER = {state.value: index for index, state in enumerate(MonthState)}


@dataclass
class ConsoleList:
    """The holders the list shows: those matching the search and the deadline group (counted
    per state), of those the state chosen, in the order chosen, a page of them."""

    query: ListQuery
    total: int  # all the bureau's holders
    matching: list[HolderMonth]  # every page
    state_counts: list[tuple[str, "StrOrPromise", int]]
    page: Any  # django.core.paginator.Page
    deadline: DeadlineGroup | None  # the deadline group the list is narrowed to

    @property
    def rows(self) -> list[HolderMonth]:
        return list(self.page.object_list)


def console_list(console: Console, query: ListQuery) -> ConsoleList:
    """No query: the console's rows narrowed, ordered and paged in Python. A deadline group
    that is no longer there (its day has passed) narrows nothing."""
    deadline = next((g for g in console.deadlines if g.key == query.deadline), None)
    matches = matcher(query.q)
    found = [
        row
        for row in console.rows
        if matches(row) and (deadline is None or row.holder.pk in deadline.holder_ids)
    ]
    counts = Counter(row.state for row in found)
    in_state = [row for row in found if not query.state or row.state == query.state]
    ordered = sort_rows(in_state, query.sort, STATE_ORDER)
    page = page_of(ordered, query.page)
    return ConsoleList(
        query=query,
        total=len(console.rows),
        matching=ordered,
        state_counts=[(s.value, s.label, counts[s]) for s in MonthState if counts[s]],
        page=page,
        deadline=deadline,
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
