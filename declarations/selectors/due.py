"""What needs a holder's attention on their dashboard: months to declare, grants ending,
objection periods still open."""

from datetime import date, timedelta
from typing import NamedTuple

from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import TruncMonth

from pgb_admin.accounts.scoping import AnyUser
from pgb_admin.budgets.models import Budget, BudgetHolder
from pgb_admin.figures.models import FigureLookup

from ..constants import DeclarationStatus
from ..models import Declaration, TimeEntry


class Due(NamedTuple):
    """What needs the holder's attention: months to declare, grants ending, objection periods."""

    declarations: list[Declaration]  # not yet exported, of months that are over
    # agreement, month: hours logged, nothing drafted
    months_without_declaration: list[dict[str, object]]
    grants_ending: list[Budget]
    objections_open: list[tuple[Budget, date]]


def holder_due(*, user: AnyUser, holder: BudgetHolder, today: date, horizon_days: int = 90) -> Due:
    this_month = today.replace(day=1)
    open_declarations = list(
        Declaration.objects.visible_to(user)
        .filter(
            agreement__holder=holder,
            month__lt=this_month,
            status__in=[DeclarationStatus.DRAFT, DeclarationStatus.VALIDATED],
        )
        .select_related("agreement__provider")
        .order_by("month", "agreement_id")
    )
    declared = Declaration.objects.filter(
        agreement_id=OuterRef("agreement_id"), month=OuterRef("month")
    )
    undeclared = list(
        TimeEntry.objects.visible_to(user)
        .filter(agreement__holder=holder, care_date__lt=this_month)
        .annotate(month=TruncMonth("care_date"))
        .values("agreement_id", "agreement__provider__name", "month")
        .annotate(entries=Count("pk"))
        .filter(~Exists(declared))
        .order_by("month", "agreement_id")
    )
    budgets = list(Budget.objects.visible_to(user).filter(holder=holder).select_related("funder"))
    horizon = today + timedelta(days=horizon_days)
    figures = FigureLookup()
    objections = []
    for budget in budgets:
        deadline = budget.objection_deadline_from(figures)
        if deadline is not None and deadline >= today:
            objections.append((budget, deadline))
    return Due(
        declarations=open_declarations,
        months_without_declaration=undeclared,
        grants_ending=[b for b in budgets if today <= b.end_date <= horizon],
        objections_open=objections,
    )
