"""Reads for the daily reminder job (reports.reminders): facts over all registered holders,
answered in one query each, never one per holder. They are the system's own reads: whom a
reminder reaches is decided from the mandates valid that day, not here."""

from datetime import date, datetime

from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import TruncMonth

from contracts.models import AgreementVersion
from pgb_admin.figures.constants import RateUnit

from ..constants import DeclarationStatus
from ..models import Declaration, ProviderMonth, TimeEntry

#: a declaration in one of these needs no reminder to submit it
DECLARED_STATUSES = (DeclarationStatus.SUBMITTED, DeclarationStatus.PAID)


def holders_without_hours(*, monday: date, sunday: date) -> list[int]:
    """Registered holders with an agreement paid by the hour, day part or 24 hours in force in
    the week ``monday`` to ``sunday`` and no hours logged in that week under any of their
    agreements (fixed monthly pay needs no hours)."""
    logged = TimeEntry.objects.filter(
        agreement__holder_id=OuterRef("agreement__holder_id"),
        care_date__gte=monday,
        care_date__lte=sunday,
    )
    return list(
        AgreementVersion.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=monday),
            valid_from__lte=sunday,
            agreement__holder__duplicate_of__isnull=True,
        )
        .exclude(unit=RateUnit.MONTH)
        .filter(~Exists(logged))
        .values_list("agreement__holder_id", flat=True)
        .distinct()
        .order_by("agreement__holder_id")
    )


def months_not_declared(*, months: list[date]) -> list[dict[str, object]]:
    """Per agreement and month of ``months`` (first days) with hours logged: no declaration of
    it submitted to (or paid by) the SVB yet. Rows: ``agreement_id``, ``holder_id``, ``month``."""
    if not months:
        return []
    declared = Declaration.objects.filter(
        agreement_id=OuterRef("agreement_id"),
        month=OuterRef("month"),
        status__in=DECLARED_STATUSES,
    )
    return list(
        TimeEntry.objects.filter(
            agreement__holder__duplicate_of__isnull=True,
            care_date__gte=min(months),
            care_date__lt=_after(max(months)),
        )
        .annotate(month=TruncMonth("care_date"))
        .filter(month__in=months)
        .filter(~Exists(declared))
        .values("agreement_id", "month", holder_id=F("agreement__holder_id"))
        .distinct()
        .order_by("month", "agreement_id")
    )


def _after(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def provider_months_waiting(
    *, submitted_before: datetime
) -> list[tuple[int, int, date, datetime | None]]:
    """``(id, holder id, month, submitted at)`` of the registered holders' provider months
    submitted before ``submitted_before`` and still waiting for review, in one query."""
    return list(
        ProviderMonth.objects.waiting_for_review()
        .filter(submitted_at__lt=submitted_before, agreement__holder__duplicate_of__isnull=True)
        .values_list("pk", "agreement__holder_id", "month", "submitted_at")
        .order_by("pk")
    )
