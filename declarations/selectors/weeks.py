"""A week of care (Monday to Sunday, across months): the week in words, and the holder's
agreements that run in it with their entries and which days can still change, read in a fixed
number of queries however many agreements there are."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import AgreementVersion, CareAgreement
from contracts.selectors import version_on
from pgb_admin.accounts.scoping import AnyUser
from pgb_admin.core.dates import week_span
from pgb_admin.core.periods import month_start, valid_during_q
from pgb_admin.figures.constants import RateUnit

from ..models import TimeEntry
from .months import locked_months

#: how many weeks that are over the dashboard looks back for weeks without hours
WEEKS_BACK = 4
#: how far back a week looks for entries with times, to offer times rather than quantities
TIMES_LOOKBACK = timedelta(weeks=4)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_days(monday: date) -> list[date]:
    return [monday + timedelta(days=offset) for offset in range(7)]


def week_number(monday: date) -> int:
    return monday.isocalendar()[1]


def week_title(monday: date, *, with_year: bool = True) -> str:
    """``Week 40 (28 september - 4 oktober 2026)``, in the page's language."""
    return _("Week %(number)s (%(span)s)") % {
        "number": week_number(monday),
        "span": week_span(monday, with_year=with_year),
    }


# --- the holder's agreements in a week -------------------------------------------------------


@dataclass
class WeekDay:
    """One day of one agreement in the week: what is logged and whether it can change."""

    day: date
    version: AgreementVersion | None
    entries: list[TimeEntry]
    locked: bool
    future: bool

    @property
    def runs(self) -> bool:
        return self.version is not None

    @property
    def quantity(self) -> Decimal:
        return sum((entry.quantity for entry in self.entries), Decimal(0))

    @property
    def slots(self) -> list[TimeEntry]:
        return [entry for entry in self.entries if entry.start_time is not None]

    @property
    def note(self) -> str:
        return "; ".join(entry.note for entry in self.entries if entry.note)

    @property
    def editable(self) -> bool:
        return self.runs and not self.locked and not self.future

    @property
    def why_not(self) -> str:
        """Why the day cannot change, in a few words (empty when it can)."""
        if not self.runs:
            return _("no agreement this day")
        if self.locked:
            return _("declared and exported")
        if self.future:
            return _("not yet: in the future")
        return ""

    @property
    def weekend(self) -> bool:
        return self.day.weekday() >= 5


@dataclass
class WeekAgreement:
    """An agreement of the holder that runs in the week, with its seven days."""

    agreement: CareAgreement
    versions: list[AgreementVersion]
    days: list[WeekDay] = field(default_factory=list)
    uses_times: bool = False

    @property
    def version(self) -> AgreementVersion:
        """The version the week is measured against: the one of the last day it runs."""
        return next(day.version for day in reversed(self.days) if day.version is not None)

    @property
    def unit(self) -> str:
        return self.version.unit

    @property
    def agreed(self) -> Decimal | None:
        """The agreed hours a week (hours only)."""
        return self.version.hours_per_week if self.unit == RateUnit.HOUR else None

    @property
    def total(self) -> Decimal:
        return sum((day.quantity for day in self.days), Decimal(0))

    @property
    def months(self) -> list[date]:
        return sorted({month_start(day.day) for day in self.days if day.runs})

    @property
    def editable(self) -> bool:
        return any(day.editable for day in self.days)


def holder_week(*, user: AnyUser, holder_id: int, monday: date) -> list[WeekAgreement]:
    """The agreements of the holder that the user sees and that run (and take hours) in the
    week of ``monday``, in a fixed number of queries: the agreements with their provider, their
    versions with the product, the entries (and those of the weeks before, to see whether the
    agreement is logged with times) and which of the months are declared and exported."""
    sunday = monday + timedelta(days=6)
    running = AgreementVersion.objects.filter(agreement=OuterRef("pk")).filter(
        valid_during_q(monday, sunday)
    )
    agreements = list(
        CareAgreement.objects.visible_to(user)
        .filter(holder_id=holder_id)
        .filter(Exists(running))
        .select_related("provider")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=AgreementVersion.objects.select_related("product", "budget").order_by(
                    "valid_from"
                ),
            )
        )
        .order_by("provider__name", "pk")
    )
    if not agreements:
        return []
    entries: dict[tuple[int, date], list[TimeEntry]] = {}
    with_times: set[int] = set()
    for entry in TimeEntry.objects.filter(
        agreement__in=agreements, care_date__range=(monday - TIMES_LOOKBACK, sunday)
    ).order_by("care_date", "start_time", "pk"):
        if entry.start_time is not None:
            with_times.add(entry.agreement_id)
        if entry.care_date >= monday:
            entries.setdefault((entry.agreement_id, entry.care_date), []).append(entry)
    days = week_days(monday)
    locked = locked_months(
        (agreement.pk, month_start(day)) for agreement in agreements for day in days
    )
    today = timezone.localdate()
    week = []
    for agreement in agreements:
        versions = list(agreement.versions.all())
        shown = WeekAgreement(agreement, versions, uses_times=agreement.pk in with_times)
        for day in days:
            shown.days.append(
                WeekDay(
                    day=day,
                    version=version_on(versions, day),
                    entries=entries.get((agreement.pk, day), []),
                    locked=(agreement.pk, month_start(day)) in locked,
                    future=day > today,
                )
            )
        if shown.unit != RateUnit.MONTH:  # fixed monthly pay takes no hours
            week.append(shown)
    return week


@dataclass(frozen=True)
class HourWeeks:
    """The weeks that are over without any hours, and whether an agreement takes hours in the
    current week (then the page offers to enter them)."""

    missing: list[date]  # their Mondays, the oldest first
    runs_this_week: bool


def weeks_without_hours(*, user: AnyUser, holder_id: int, today: date) -> HourWeeks:
    """Of the last :data:`WEEKS_BACK` weeks that are over, those in which an agreement the
    user may change takes hours (not fixed monthly pay) on a day whose month is still open,
    and no hours are entered for any agreement. Three queries, however many agreements."""
    this_monday = monday_of(today)
    first = this_monday - timedelta(weeks=WEEKS_BACK)
    last = this_monday + timedelta(days=6)
    versions = list(
        AgreementVersion.objects.filter(
            agreement__in=CareAgreement.objects.editable_by(user).filter(holder_id=holder_id)
        )
        .filter(valid_during_q(first, last))
        .exclude(unit=RateUnit.MONTH)
        .values_list("agreement_id", "valid_from", "valid_to")
    )
    if not versions:
        return HourWeeks(missing=[], runs_this_week=False)
    agreement_ids = {agreement_id for agreement_id, _from, _to in versions}
    logged = set(
        TimeEntry.objects.filter(
            agreement_id__in=agreement_ids,
            care_date__range=(first, this_monday - timedelta(days=1)),
        ).values_list("care_date", flat=True)
    )
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    running = [
        (agreement_id, day)
        for day in days
        for agreement_id, valid_from, valid_to in versions
        if valid_from <= day and (valid_to is None or day <= valid_to)
    ]
    locked = locked_months({(agreement_id, month_start(day)) for agreement_id, day in running})
    open_days: dict[date, set[date]] = defaultdict(set)  # Monday: days an agreement runs
    for agreement_id, day in running:
        if (agreement_id, month_start(day)) not in locked:
            open_days[monday_of(day)].add(day)
    missing = [
        monday
        for monday in sorted(open_days)
        if monday < this_monday and not open_days[monday] & logged
    ]
    return HourWeeks(missing=missing, runs_this_week=this_monday in open_days)
