"""The deadlines across a bureau's holders, grouped by day: grants that end within the horizon
("20 grants end on 31 December 2026") and months not exported by their declaration deadline
("12 holders have not exported August 2026"). A fixed number of queries for any number of
holders; each group names its first holders, the console's list shows them all."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.functions import Substr, TruncMonth

from contracts.constants import AgreementType
from pgb_admin.budgets.constants import Scheme
from pgb_admin.budgets.models import Budget, BudgetHolder
from pgb_admin.budgets.naming import funder_title
from pgb_admin.core.periods import month_end, month_start
from pgb_admin.figures.constants import FigureKind
from pgb_admin.figures.models import FigureLookup

from ..constants import FROZEN_STATUSES
from ..models import Declaration, Expense, TimeEntry
from .bureau_list import NameKey, holder_key

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from pgb_admin.accounts.models import User

GRANT_HORIZON_DAYS = 90
#: a deadline group names this many holders; the console's list shows them all
DEADLINE_NAMES = 10


@dataclass(frozen=True)
class LateMonth:
    holder: BudgetHolder
    month: date
    deadline: date


@dataclass(frozen=True)
class GrantEnding:
    holder_id: int
    end_date: date
    scheme: str
    funder_name: str
    funder_kind: str

    @property
    def scheme_label(self) -> "StrOrPromise":
        return Scheme(self.scheme).label

    @property
    def funder(self) -> str:
        return funder_title(self.funder_name, self.funder_kind)


def grants_ending(
    *,
    user: "User",
    holder_ids: QuerySet[Any, Any],
    today: date,
    horizon_days: int = GRANT_HORIZON_DAYS,
) -> list[GrantEnding]:
    """The grants of ``holder_ids`` (a subquery) that end within the horizon (one query)."""
    return [
        GrantEnding(*row)
        for row in Budget.objects.editable_by(user)
        .filter(
            holder_id__in=holder_ids,
            end_date__range=(today, today + timedelta(days=horizon_days)),
        )
        .order_by("end_date", "holder_id", "pk")
        .values_list("holder_id", "end_date", "scheme", "funder__name", "funder__kind")
    ]


def declaration_deadline(month: date, figures: FigureLookup) -> date | None:
    """The last day to declare a month: the provider's and the holder's weeks after its end
    (the rule ``declaration.late``); ``None`` when the figures do not say."""
    last = month_end(month)
    provider = figures.value_on(FigureKind.DECLARATION_DEADLINE_PROVIDER_WEEKS, last)
    holder = figures.value_on(FigureKind.DECLARATION_DEADLINE_HOLDER_WEEKS, last)
    if provider is None or holder is None or provider + holder <= 0:
        return None
    return last + timedelta(weeks=int(provider + holder))


def _month_of(date_field: str) -> Substr | TruncMonth:
    """The month of a date column, computed by the database itself: SQLite has no native
    month truncation (Django's is a Python function called per row), but stores a date as
    ``YYYY-MM-DD`` text, so its first seven characters name the month."""
    if connection.vendor == "sqlite":
        return Substr(date_field, 1, 7)
    return TruncMonth(date_field)


def _as_month(value: date | str) -> date:
    return value if isinstance(value, date) else date(int(value[:4]), int(value[5:7]), 1)


def late_months(
    *, user: "User", holder_ids: QuerySet[Any, Any], today: date, holders: list[BudgetHolder]
) -> list[LateMonth]:
    """Months with hours or costs that are not exported although their declaration deadline
    has passed, per holder of ``holders`` (``holder_ids``: their ids as a subquery): three
    queries (the agreements' months with work, the months exported) and the deadline
    figures."""
    by_id = {holder.pk: holder for holder in holders}
    this_month = month_start(today)
    worked: set[tuple[int, int, date]] = set()
    for model, date_field in ((TimeEntry, "care_date"), (Expense, "expense_date")):
        worked |= {
            (agreement_id, holder_id, _as_month(month))
            for agreement_id, holder_id, month in model.objects.editable_by(user)
            .filter(agreement__holder_id__in=holder_ids, **{f"{date_field}__lt": this_month})
            .exclude(agreement__agreement_type=AgreementType.EMPLOYMENT_FIXED)
            .annotate(month=_month_of(date_field))
            .order_by()
            .values_list("agreement_id", "agreement__holder_id", "month")
            .distinct()
        }
    exported = set(
        Declaration.objects.filter(
            agreement__holder_id__in=holder_ids, month__lt=this_month, status__in=FROZEN_STATUSES
        )
        .order_by()
        .values_list("agreement_id", "month")
        .distinct()
    )
    months = {
        (holder_id, month)
        for agreement_id, holder_id, month in worked
        if (agreement_id, month) not in exported
    }
    figures = FigureLookup()
    deadlines = {month: declaration_deadline(month, figures) for month in {m for _h, m in months}}
    late = []
    for holder_id, month in months:
        deadline = deadlines[month]
        if holder_id in by_id and deadline is not None and today > deadline:
            late.append(LateMonth(holder=by_id[holder_id], month=month, deadline=deadline))
    return sorted(late, key=lambda row: (row.deadline, row.holder.surname, row.holder.pk))


@dataclass(frozen=True)
class Listed:
    """A holder named in a deadline group, with what ends (for a grant)."""

    holder: BudgetHolder
    grants: tuple[GrantEnding, ...] = ()


@dataclass(frozen=True)
class DeadlineGroup:
    """Holders with the same deadline: grants ending on one day ("20 grants end on 31
    December 2026"), or a month not exported by its declaration deadline. The first
    :data:`DEADLINE_NAMES` holders are named; the list of the console shows them all."""

    key: str  # the list's ``deadline`` parameter
    kind: str  # "ends" or "late"
    day: date  # the grants' end, or the declaration deadline
    month: date | None  # the month not exported ("late")
    count: int  # grants ("ends") or holders ("late")
    holder_ids: frozenset[int]
    listed: tuple[Listed, ...]

    @property
    def holders(self) -> int:
        return len(self.holder_ids)

    @property
    def unlisted(self) -> int:
        return self.holders - len(self.listed)


def deadline_groups(
    *,
    grants: list[GrantEnding],
    late: list[LateMonth],
    holders: list[BudgetHolder],
    name_keys: dict[int, NameKey] | None = None,
) -> list[DeadlineGroup]:
    """The grants ending and the late months, grouped by their day, soonest first; the holders
    named in each by name (``name_keys``: their keys, when the caller has them already)."""
    by_id = {holder.pk: holder for holder in holders}
    keys = name_keys if name_keys is not None else {h.pk: holder_key(h) for h in holders}
    groups = _ending_groups(grants, by_id, keys) + _late_groups(late, keys)
    return sorted(groups, key=lambda group: (group.day, group.kind, group.key))


def _ending_groups(
    grants: list[GrantEnding], by_id: dict[int, BudgetHolder], keys: dict[int, NameKey]
) -> list[DeadlineGroup]:
    ending: defaultdict[date, defaultdict[int, list[GrantEnding]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for grant in grants:
        if grant.holder_id in by_id:
            ending[grant.end_date][grant.holder_id].append(grant)
    groups = []
    for day, of_holder in ending.items():
        named = sorted(of_holder, key=keys.__getitem__)[:DEADLINE_NAMES]
        groups.append(
            DeadlineGroup(
                key=f"ends-{day:%Y-%m-%d}",
                kind="ends",
                day=day,
                month=None,
                count=sum(len(found) for found in of_holder.values()),
                holder_ids=frozenset(of_holder),
                listed=tuple(Listed(by_id[pk], tuple(of_holder[pk])) for pk in named),
            )
        )
    return groups


def _late_groups(late: list[LateMonth], keys: dict[int, NameKey]) -> list[DeadlineGroup]:
    late_of: defaultdict[date, dict[int, LateMonth]] = defaultdict(dict)
    for row in late:
        late_of[row.month][row.holder.pk] = row
    groups = []
    for month, of_holder in late_of.items():
        named = sorted(of_holder, key=keys.__getitem__)[:DEADLINE_NAMES]
        groups.append(
            DeadlineGroup(
                key=f"late-{month:%Y-%m}",
                kind="late",
                day=next(iter(of_holder.values())).deadline,
                month=month,
                count=len(of_holder),
                holder_ids=frozenset(of_holder),
                listed=tuple(Listed(of_holder[pk].holder) for pk in named),
            )
        )
    return groups
