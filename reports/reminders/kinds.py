"""The built-in kinds of reminder. Each says when it is due, for which holder and in what words;
the thresholds are dated figures (where a rule of the world sets them) or settings (where they
are our product choice), never numbers of their own.

Every ``due`` returns the reminders due *on or before* ``today`` while still relevant (until
the deadline, while the grant runs, while the approval is pending), so a day the job did not run
is caught up the next; the occurrence key keeps each from firing twice."""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contracts.constants import ApprovalStatus
from contracts.models import AgreementVersion
from declarations.selectors.reminders import (
    holders_without_hours,
    months_not_declared,
    provider_months_waiting,
)
from pgb_admin.budgets.models import Budget
from pgb_admin.core.dates import format_date, format_month, week_span
from pgb_admin.core.periods import month_end, month_start
from pgb_admin.figures.constants import FigureKind
from pgb_admin.figures.models import FigureLookup, StatutoryFigure

from .registry import Due, Kind, register

#: months back the declaration reminder looks for months whose deadline is near
DECLARATION_LOOKBACK_MONTHS = 6


def months_before(day: date, months: int) -> date:
    """``day`` so many calendar months earlier (the 31st becomes the month's last day)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    first = date(year, month0 + 1, 1)
    return first.replace(day=min(day.day, month_end(first).day))


# -- last week's hours ---------------------------------------------------------------------


def hours_week_due(today: date) -> Iterable[Due]:
    """On the reminder weekday (REMINDER_HOURS_WEEKDAY, Monday) and the rest of that week:
    holders with hourly care in force last week and no hours logged for it."""
    this_monday = today - timedelta(days=today.weekday())
    if today < this_monday + timedelta(days=settings.REMINDER_HOURS_WEEKDAY):
        return []
    monday = this_monday - timedelta(days=7)
    sunday = monday + timedelta(days=6)
    return [
        Due(
            holder_id=holder_id,
            occurrence=f"{holder_id}:{monday.isoformat()}",
            link=reverse("declarations:week", args=[holder_id, monday]),
            params={"monday": monday.isoformat()},
        )
        for holder_id in holders_without_hours(monday=monday, sunday=sunday)
    ]


def hours_week_title(params: dict[str, Any], name: str) -> str:
    week = week_span(date.fromisoformat(params["monday"]))
    return gettext("Enter the hours of last week (%(week)s) for %(name)s.") % {
        "week": week,
        "name": name,
    }


# -- declaration deadline ------------------------------------------------------------------


def declaration_deadline(month: date, figures: FigureLookup) -> date | None:
    """The last day to submit ``month``'s declaration to the SVB: 6 weeks for the provider
    and then 4 for the holder after the month (dated figures, SVB "Correct declareren")."""
    end = month_end(month)
    provider = figures.value_on(FigureKind.DECLARATION_DEADLINE_PROVIDER_WEEKS, end)
    holder = figures.value_on(FigureKind.DECLARATION_DEADLINE_HOLDER_WEEKS, end)
    if provider is None or holder is None:
        return None
    return end + timedelta(weeks=int(provider) + int(holder))


def declaration_due(today: date) -> Iterable[Due]:
    """REMINDER_DECLARATION_MONTHS_BEFORE (one) month before a month's deadline, until the
    deadline: agreements with hours that month and no declaration submitted for it."""
    figures = FigureLookup()
    deadlines: dict[date, date] = {}
    month = month_start(today)
    for _step in range(DECLARATION_LOOKBACK_MONTHS):
        month = month_start(month - timedelta(days=1))
        deadline = declaration_deadline(month, figures)
        if deadline is None:
            continue
        fire_on = months_before(deadline, settings.REMINDER_DECLARATION_MONTHS_BEFORE)
        if fire_on <= today <= deadline:
            deadlines[month] = deadline
    return [
        Due(
            holder_id=int(row["holder_id"]),  # type: ignore[call-overload]
            occurrence=f"{row['agreement_id']}:{row['month']:%Y-%m}",
            link=reverse("declarations:list", args=[row["holder_id"]]),
            params={
                "month": row["month"].isoformat(),  # type: ignore[attr-defined]
                "deadline": deadlines[row["month"]].isoformat(),  # type: ignore[index]
            },
        )
        for row in months_not_declared(months=sorted(deadlines))
    ]


def declaration_title(params: dict[str, Any], name: str) -> str:
    return gettext(
        "Submit the declaration of %(month)s for %(name)s to the SVB: the deadline is %(deadline)s."
    ) % {
        "month": format_month(params["month"]),
        "name": name,
        "deadline": format_date(params["deadline"]),
    }


# -- a grant ends --------------------------------------------------------------------------


def grant_ending_due(today: date) -> Iterable[Due]:
    """``renewal_notice_weeks`` (8) before a grant ends, until it ends: unless a later grant of
    the same scheme for the holder is registered already."""
    weeks = StatutoryFigure.objects.value_on(FigureKind.RENEWAL_NOTICE_WEEKS, today)
    if weeks is None:
        return []
    successor = Budget.objects.filter(
        holder_id=OuterRef("holder_id"),
        scheme=OuterRef("scheme"),
        start_date__gt=OuterRef("end_date"),
    )
    budgets = (
        Budget.objects.of_registered_holders()
        .filter(end_date__gte=today, end_date__lte=today + timedelta(weeks=int(weeks)))
        .filter(~Exists(successor))
        .values("pk", "holder_id", "end_date")
        .order_by("pk")
    )
    return [
        Due(
            holder_id=row["holder_id"],
            occurrence=str(row["pk"]),
            link=reverse("budgets:dashboard", args=[row["holder_id"]]),
            params={"end": row["end_date"].isoformat()},
        )
        for row in budgets
    ]


def grant_ending_title(params: dict[str, Any], name: str) -> str:
    return gettext(
        "The grant of %(name)s ends on %(end)s: ask the funder for a new decision in time."
    ) % {"name": name, "end": format_date(params["end"])}


# -- objection deadline --------------------------------------------------------------------


def objection_due(today: date) -> Iterable[Due]:
    """REMINDER_OBJECTION_DAYS_BEFORE (7) days before the objection period of a grant decision
    ends (``objection_weeks``, Awb art. 6:7), until it ends."""
    weeks = StatutoryFigure.objects.value_on(FigureKind.OBJECTION_WEEKS, today)
    if weeks is None:
        return []
    before = timedelta(days=settings.REMINDER_OBJECTION_DAYS_BEFORE)
    earliest = today - timedelta(weeks=int(weeks)) - timedelta(days=7)  # figure changes
    budgets = (
        Budget.objects.of_registered_holders()
        .filter(decision_date__gte=earliest, decision_date__lte=today)
        .only("pk", "holder_id", "decision_date")
        .order_by("pk")
    )
    figures = FigureLookup()
    due = []
    for budget in budgets:
        deadline = budget.objection_deadline_from(figures)
        if deadline is not None and deadline - before <= today <= deadline:
            due.append(
                Due(
                    holder_id=budget.holder_id,
                    occurrence=str(budget.pk),
                    link=reverse("budgets:dashboard", args=[budget.holder_id]),
                    params={"deadline": deadline.isoformat()},
                )
            )
    return due


def objection_title(params: dict[str, Any], name: str) -> str:
    return gettext("The period to object to a grant decision of %(name)s ends on %(deadline)s.") % {
        "name": name,
        "deadline": format_date(params["deadline"]),
    }


# -- budget used ---------------------------------------------------------------------------


def budget_used_due(today: date) -> Iterable[Due]:
    """A running grant of which ``budget_attention_pct`` (75) or ``budget_nearly_exhausted_pct``
    (90) has been declared: once per level, only the highest level reached."""
    figures = StatutoryFigure.objects
    levels = sorted(
        level
        for level in (
            figures.value_on(FigureKind.BUDGET_ATTENTION_PCT, today),
            figures.value_on(FigureKind.BUDGET_NEARLY_EXHAUSTED_PCT, today),
        )
        if level is not None
    )
    if not levels:
        return []
    budgets = (
        Budget.objects.of_registered_holders()
        .covering(today)
        .alias(used=F("declared") * 100)
        .filter(amount__gt=0, used__gte=F("amount") * levels[0])
        .values("pk", "holder_id", "amount", "declared")
        .order_by("pk")
    )
    due = []
    for row in budgets:
        reached = [level for level in levels if row["declared"] * 100 >= row["amount"] * level]
        if not reached:
            continue
        level = f"{reached[-1].normalize():f}"  # 90, 92.5
        due.append(
            Due(
                holder_id=row["holder_id"],
                occurrence=f"{row['pk']}:{level}",
                link=reverse("budgets:dashboard", args=[row["holder_id"]]),
                params={"percent": level},
            )
        )
    return due


def budget_used_title(params: dict[str, Any], name: str) -> str:
    return gettext("%(percent)s %% of a grant of %(name)s has been declared.") % {
        "percent": params["percent"],
        "name": name,
    }


# -- an agreement waits for the funder's approval ------------------------------------------


def approval_due(today: date) -> Iterable[Due]:
    """An agreement version registered REMINDER_APPROVAL_WAIT_DAYS (14) days ago or more and
    still waiting for the funder's approval (nothing recorded yet)."""
    days = settings.REMINDER_APPROVAL_WAIT_DAYS
    cutoff = timezone.make_aware(datetime.combine(today - timedelta(days=days - 1), time.min))
    versions = (
        AgreementVersion.objects.filter(
            approval_status=ApprovalStatus.PENDING,
            approval_recorded_at__isnull=True,
            registered_at__lt=cutoff,
            agreement__holder__duplicate_of__isnull=True,
        )
        .values("pk", "agreement_id", "agreement__holder_id", "registered_at")
        .order_by("pk")
    )
    return [
        Due(
            holder_id=row["agreement__holder_id"],
            occurrence=str(row["pk"]),
            link=reverse("contracts:agreement", args=[row["agreement_id"]]),
            params={"since": timezone.localdate(row["registered_at"]).isoformat(), "days": days},
        )
        for row in versions
    ]


def approval_title(params: dict[str, Any], name: str) -> str:
    return gettext(
        "A care agreement of %(name)s has been waiting for the funder's approval since %(since)s."
    ) % {"name": name, "since": format_date(params["since"])}


# -- a provider's month waits for the holder's review ------------------------------------


def provider_month_review_due(today: date) -> Iterable[Due]:
    """A month a care provider submitted REMINDER_REVIEW_WAIT_DAYS (3) days ago or more and
    the holder has neither approved nor sent back: nothing the provider entered counts before
    the review, and the holder has 4 weeks to declare (domain.md, "Deadlines"). The holder had
    an e-mail when it was submitted; this is the reminder. A month sent back and submitted
    again is a new occurrence."""
    days = settings.REMINDER_REVIEW_WAIT_DAYS
    cutoff = timezone.make_aware(datetime.combine(today - timedelta(days=days - 1), time.min))
    return [
        Due(
            holder_id=holder_id,
            occurrence=f"{pk}:{submitted_at:%Y%m%d%H%M%S}",
            link=reverse("providers:review", args=[pk]),
            params={"month": month.isoformat()},
        )
        for pk, holder_id, month, submitted_at in provider_months_waiting(submitted_before=cutoff)
    ]


def provider_month_review_title(params: dict[str, Any], name: str) -> str:
    return gettext("A care provider's month %(month)s for %(name)s waits for your review.") % {
        "month": format_month(date.fromisoformat(params["month"])),
        "name": name,
    }


HOURS_WEEK = register(
    Kind("hours_week", _("Enter last week's hours"), hours_week_due, hours_week_title)
)
DECLARATION_DEADLINE = register(
    Kind(
        "declaration_deadline",
        _("A declaration's deadline comes near"),
        declaration_due,
        declaration_title,
    )
)
GRANT_ENDING = register(
    Kind("grant_ending", _("A grant ends soon"), grant_ending_due, grant_ending_title)
)
OBJECTION_DEADLINE = register(
    Kind(
        "objection_deadline",
        _("The period to object to a decision ends"),
        objection_due,
        objection_title,
    )
)
BUDGET_USED = register(
    Kind("budget_used", _("Most of a grant is used"), budget_used_due, budget_used_title)
)
APPROVAL_WAITING = register(
    Kind(
        "approval_waiting",
        _("An agreement waits for the funder's approval"),
        approval_due,
        approval_title,
    )
)
PROVIDER_MONTH_REVIEW = register(
    Kind(
        "provider_month_review",
        _("A care provider's month waits for your review"),
        provider_month_review_due,
        provider_month_review_title,
    )
)
