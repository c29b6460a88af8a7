"""The checks every way of entering hours and costs goes through (a form, the API, a weekly
pattern, an import), with one wording each: a month that is declared and exported, a day the
agreement does not run, a quantity that cannot be, travel without an agreed allowance.

:mod:`.hours` stores what passes them; nothing here writes."""

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import NamedTuple, TypedDict

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from contracts.models import AgreementVersion, CareAgreement
from contracts.selectors import version_on
from pgb_admin.accounts.models import User
from pgb_admin.budgets.models import FigureSource
from pgb_admin.core.dates import format_date
from pgb_admin.core.money import round_money
from pgb_admin.core.periods import month_start
from pgb_admin.figures.constants import FigureKind, RateUnit
from pgb_admin.figures.models import FigureLookup, StatutoryFigure

from ..constants import ExpenseKind
from ..models import TimeEntry
from ..selectors.months import locked_months, month_is_locked
from .common import conflict, field_error, parse_quantity

HUNDREDTH = Decimal("0.01")

# --- the month and the day -------------------------------------------------------------------


MONTH_DECLARED = _(
    "The hours and costs of %(month)s are declared and exported; open a correction "
    "of that declaration to change them."
)


def month_declared(day: date) -> ValidationError:
    return ValidationError(MONTH_DECLARED, code="month_declared", params={"month": f"{day:%m-%Y}"})


def require_open_month(agreement: CareAgreement, day: date, field: str) -> None:
    if month_is_locked(agreement.pk, month_start(day)):
        raise conflict(field, MONTH_DECLARED, "month_declared", month=f"{day:%m-%Y}")


def outside_agreement(day: date) -> ValidationError:
    return ValidationError(
        _("The agreement does not run on %(date)s."),
        code="outside_agreement",
        params={"date": format_date(day)},
    )


def version_in_force(
    versions: Iterable[AgreementVersion], day: date, field: str
) -> AgreementVersion:
    """The agreement's version on the day; a day it does not run is refused."""
    version = version_on(versions, day)
    if version is None:
        raise ValidationError({field: outside_agreement(day)})
    return version


def versions_of(agreement: CareAgreement) -> list[AgreementVersion]:
    versions = list(agreement.versions.order_by("valid_from"))
    if not versions:
        raise field_error(
            "agreement", _("The agreement has no versions."), "agreement_without_versions"
        )
    return versions


# --- quantities ------------------------------------------------------------------------------


def check_quantity(
    quantity: Decimal,
    unit: str,
    *,
    typed: bool,
    day: date,
    figures: FigureSource = StatutoryFigure.objects,
) -> None:
    if quantity < 0:
        raise field_error("quantity", _("%(value)s is negative."), "negative_value", value=quantity)
    if quantity != quantity.quantize(HUNDREDTH):
        raise field_error(
            "quantity",
            _("%(value)s has more than two decimals."),
            "too_many_decimals",
            value=quantity,
        )
    if unit == RateUnit.HOUR:
        maximum = figures.value_on(FigureKind.MAX_HOURS_PER_DAY, day)
        if maximum is not None and quantity > maximum:
            raise field_error(
                "quantity",
                _("%(value)s hours do not fit in one day (at most %(maximum)s)."),
                "more_than_a_day",
                value=quantity,
                maximum=f"{maximum.normalize():f}",
            )
        step = figures.value_on(FigureKind.HOURS_INCREMENT, day)
        if typed and step and quantity % step:
            raise field_error(
                "quantity",
                _("%(value)s hours is not in quarter hours: use steps of %(step)s, e.g. 1.25."),
                "not_in_quarter_hours",
                value=quantity,
                step=f"{step.normalize():f}",
            )
    elif unit in (RateUnit.DAY_PART, RateUnit.DAY) and quantity != quantity.to_integral_value():
        raise field_error(
            "quantity",
            _("%(value)s: count whole day parts or 24-hour periods."),
            "not_whole_units",
            value=quantity,
        )
    elif unit == RateUnit.MONTH:
        raise field_error(
            "agreement",
            _("Fixed monthly pay is paid by the SVB without hours or a declaration."),
            "monthly_pay_without_hours",
        )


def _duration(start: time, end: time) -> Decimal:
    start_at, end_at = datetime.combine(date.min, start), datetime.combine(date.min, end)
    if end_at <= start_at:
        end_at += timedelta(days=1)  # a night shift runs past midnight
    minutes = Decimal((end_at - start_at).seconds // 60)
    return round_money(minutes / 60)


def entry_quantity(
    quantity: object, start_time: time | None, end_time: time | None
) -> tuple[Decimal, bool]:
    """The quantity to store and whether the person typed it (rather than gave times)."""
    if start_time is None or end_time is None:
        if start_time is not None or end_time is not None:
            raise field_error(
                "end_time", _("Fill in both the start and the end time."), "half_times"
            )
        duration = None
    else:
        duration = _duration(start_time, end_time)
    if quantity in (None, ""):
        if duration is None:
            raise field_error("quantity", _("Fill in the quantity or the times."), "required")
        return duration, False
    number = parse_quantity(quantity)
    if duration is not None and number != duration:
        raise field_error(
            "quantity",
            _("%(value)s does not match the times, which make %(duration)s hours."),
            "quantity_does_not_match_times",
            value=number,
            duration=duration,
        )
    return number, True


def new_entry(
    agreement: CareAgreement,
    versions: list[AgreementVersion],
    *,
    care_date: date,
    quantity: object = None,
    start_time: time | None = None,
    end_time: time | None = None,
    note: str = "",
    month: date | None = None,
    figures: FigureSource = StatutoryFigure.objects,
) -> TimeEntry:
    """An unsaved entry, checked as every form, the API and an import check it."""
    if month is not None and month_start(care_date) != month_start(month):
        raise field_error(
            "care_date",
            _("%(date)s lies outside %(month)s."),
            "date_outside_month",
            date=format_date(care_date),
            month=f"{month:%m-%Y}",
        )
    number, typed = entry_quantity(quantity, start_time, end_time)
    version = version_in_force(versions, care_date, "care_date")
    check_quantity(number, version.unit, typed=typed, day=care_date, figures=figures)
    entry = TimeEntry(
        agreement=agreement,
        care_date=care_date,
        quantity=number,
        start_time=start_time,
        end_time=end_time,
        note=note,
    )
    entry.full_clean(exclude=["agreement"])
    return entry


# --- costs -----------------------------------------------------------------------------------


def expense_money(
    versions: Iterable[AgreementVersion],
    expense_date: date,
    kind: str,
    amount: object,
    kilometres: object,
) -> tuple[Decimal | None, Decimal]:
    """Kilometres and amount as stored: travel is kilometres at the agreed allowance, unless
    an amount is given (the validation reports travel costs that were not agreed)."""
    km = None if kilometres in (None, "") else parse_quantity(kilometres, field="kilometres")
    if km is not None and km < 0:
        raise field_error("kilometres", _("%(value)s is negative."), "negative_value", value=km)
    if amount in (None, ""):
        version = version_on(versions, expense_date)
        allowance = version.travel_allowance_per_km if version else None
        if kind != ExpenseKind.TRAVEL or km is None:
            raise field_error("amount", _("Fill in the amount."), "required")
        if allowance is None:
            raise field_error(
                "amount",
                _("No travel allowance per km is agreed: fill in the amount."),
                "required",
            )
        money = round_money(km * allowance)
    else:
        money = parse_quantity(amount, field="amount")
    if money < 0:
        raise field_error("amount", _("%(value)s is negative."), "negative_value", value=money)
    return km, money


# --- many days at once (a file) --------------------------------------------------------------


class RowCost(TypedDict):
    """One cost of a day as a file gives it."""

    kind: str
    kilometres: Decimal | None
    amount: Decimal | None
    description: str


class DayRow(NamedTuple):  # a tuple: an import holds 100,000 of them
    """A day of one agreement as a file gives it: its care (a quantity, a note) and/or one cost
    (``kind``, ``kilometres``, ``amount``, ``description``). A row without either means no care
    that day."""

    agreement_id: int
    day: date
    quantity: Decimal | None = None
    note: str = ""
    cost: RowCost | None = None


@dataclass(frozen=True)
class RowRefusal:
    index: int  # the row's place in the rows checked
    field: str  # what of the row is refused: agreement, day, quantity or amount
    error: ValidationError  # one message with its code and params


class RowsRefused(ValidationError):
    """Rows that cannot be stored; none of them is."""

    def __init__(self, refusals: list[RowRefusal]) -> None:
        self.refusals = refusals
        super().__init__([refusal.error for refusal in refusals])


@dataclass(frozen=True)
class EditableAgreement:
    """An agreement that rows may change, with its versions by start."""

    agreement: CareAgreement
    versions: list[AgreementVersion]


def editable_agreements(actor: User, rows: list[DayRow]) -> dict[int, EditableAgreement]:
    """The rows' agreements the actor may change, each with its versions (two queries)."""
    ids = {row.agreement_id for row in rows}
    if not ids:
        return {}
    found = {
        a.pk: EditableAgreement(a, [])
        for a in CareAgreement.objects.editable_by(actor).filter(pk__in=ids)
    }
    for version in AgreementVersion.objects.filter(agreement_id__in=found).order_by("valid_from"):
        found[version.agreement_id].versions.append(version)
    return found


def row_refusals(rows: list[DayRow], agreements: dict[int, EditableAgreement]) -> list[RowRefusal]:
    """Every row that cannot be stored, with why: the checks of :func:`time_entry_add` and
    :func:`expense_add` (the same wording), and no day twice."""
    figures = FigureLookup()
    locked = locked_months(
        (row.agreement_id, month_start(row.day)) for row in rows if row.agreement_id in agreements
    )
    care_days = Counter((row.agreement_id, row.day) for row in rows if row.quantity is not None)
    refusals: list[RowRefusal] = []
    for index, row in enumerate(rows):
        refused = _row_refusal(row, agreements.get(row.agreement_id), locked, care_days, figures)
        if refused is not None:
            refusals.append(RowRefusal(index, *refused))
    return refusals


def _row_refusal(
    row: DayRow,
    agreement: EditableAgreement | None,
    locked: Collection[tuple[int, date]],
    care_days: Counter[tuple[int, date]],
    figures: FigureSource,
) -> tuple[str, ValidationError] | None:
    if agreement is None:
        return "agreement", ValidationError(
            _("There is no agreement %(value)s that you may change."),
            code="unknown_agreement",
            params={"value": row.agreement_id},
        )
    if (row.agreement_id, month_start(row.day)) in locked:
        return "day", month_declared(row.day)
    version = version_on(agreement.versions, row.day)
    if version is None:
        return "day", outside_agreement(row.day)
    if row.quantity is not None:
        if care_days[(row.agreement_id, row.day)] > 1:
            return "day", ValidationError(
                _("%(date)s has care on more than one row."),
                code="day_twice",
                params={"date": format_date(row.day)},
            )
        try:
            check_quantity(row.quantity, version.unit, typed=True, day=row.day, figures=figures)
        except ValidationError as error:
            return "quantity", _first(error)
    if row.cost is not None:
        cost = row.cost
        try:
            expense_money([version], row.day, cost["kind"], cost["amount"], cost["kilometres"])
        except ValidationError as error:
            return next(iter(error.error_dict)), _first(error)
    return None


def _first(error: ValidationError) -> ValidationError:
    return next(iter(error.error_dict.values()))[0]
