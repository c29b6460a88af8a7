"""Hours, costs and declarations: every change is one transaction, scoped to the actor.

The hours of a month stay editable until its declaration is exported; after that, a correction
(a new declaration referencing the exported one) reopens them. A validated declaration whose
hours change goes back to draft, so nothing is exported that was not validated as it is.
"""

from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.constants import AgreementType
from contracts.models import AgreementVersion, CareAgreement
from contracts.selectors import version_on, version_or_nearest
from pgb_admin.accounts.models import User
from pgb_admin.accounts.scoping import get_editable, get_visible, refuse_auditors
from pgb_admin.audit.events import log_changes, log_reads
from pgb_admin.audit.models import Action
from pgb_admin.audit.provenance import recording
from pgb_admin.budgets.models import Budget, BudgetHolder, Funder
from pgb_admin.core.dates import format_date
from pgb_admin.core.errors import Conflict
from pgb_admin.core.files import sha256, svb_batch_name
from pgb_admin.core.money import round_money
from pgb_admin.core.periods import days_of_month, month_end, month_start
from pgb_admin.core.text import lower_lazy
from pgb_admin.figures.constants import FigureKind, RateUnit
from pgb_admin.figures.models import FigureLookup, StatutoryFigure

from ..constants import FROZEN_STATUSES, OPEN_STATUSES, DeclarationStatus, ExpenseKind, Severity
from ..exports import BatchContent, ExportDeclaration, ExportLine, write_csv, write_xlsx
from ..grants import grants_of, refresh_declared
from ..models import (
    Batch,
    BatchFile,
    Declaration,
    DeclarationLine,
    Expense,
    Finding,
    TimeEntry,
)

HUNDREDTH = Decimal("0.01")


def _error(field: str, message, code: str, **params) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params)})


def _conflict(field: str, message, code: str, **params) -> Conflict:
    """The change is refused because of the state it meets (an exported declaration)."""
    return Conflict({field: ValidationError(message, code=code, params=params)})


# --- months --------------------------------------------------------------------------------


def open_declaration(agreement_id: int, month: date) -> Declaration | None:
    """The declaration of the month that can still change (a draft, a validated one, or an
    open correction), if any."""
    return (
        Declaration.objects.filter(agreement_id=agreement_id, month=month, status__in=OPEN_STATUSES)
        .order_by("-pk")
        .first()
    )


def month_is_locked(agreement_id: int, month: date) -> bool:
    """A month is locked once a declaration of it is exported, until a correction is opened."""
    declarations = Declaration.objects.filter(agreement_id=agreement_id, month=month)
    frozen = declarations.filter(status__in=FROZEN_STATUSES)
    if not frozen.exists():
        return False
    return not declarations.filter(status__in=OPEN_STATUSES, corrects__isnull=False).exists()


def locked_months(pairs) -> set[tuple[int, date]]:
    """Of the (agreement id, month) pairs, those that are locked, as :func:`month_is_locked`
    says, in one query for all of them."""
    pairs = set(pairs)
    if not pairs:
        return set()
    frozen, reopened = set(), set()
    for agreement_id, month, status, corrects_id in Declaration.objects.filter(
        agreement_id__in={agreement for agreement, _month in pairs},
        month__in={month for _agreement, month in pairs},
    ).values_list("agreement_id", "month", "status", "corrects_id"):
        if status in FROZEN_STATUSES:
            frozen.add((agreement_id, month))
        elif status in OPEN_STATUSES and corrects_id is not None:
            reopened.add((agreement_id, month))
    return (frozen - reopened) & pairs


def back_to_draft_many(pairs) -> None:
    """:func:`back_to_draft` for many (agreement id, month) pairs in two queries."""
    pairs = set(pairs)
    if not pairs:
        return
    validated = Declaration.objects.filter(
        agreement_id__in={agreement for agreement, _month in pairs},
        month__in={month for _agreement, month in pairs},
        status=DeclarationStatus.VALIDATED,
    ).values_list("pk", "agreement_id", "month")
    ids = [pk for pk, agreement_id, month in validated if (agreement_id, month) in pairs]
    if ids:
        Declaration.objects.filter(pk__in=ids).update(
            status=DeclarationStatus.DRAFT, validated_at=None
        )
        refresh_declared(grants_of(Declaration.objects.filter(pk__in=ids)))


def _require_open_month(agreement: CareAgreement, day: date, field: str) -> None:
    if month_is_locked(agreement.pk, month_start(day)):
        raise _conflict(
            field,
            _(
                "The hours and costs of %(month)s are declared and exported; open a correction "
                "of that declaration to change them."
            ),
            "month_declared",
            month=f"{day:%m-%Y}",
        )


def back_to_draft(agreement_id: int, month: date) -> None:
    """The month's validated declaration becomes a draft again (its hours or costs changed);
    it no longer counts against its grant."""
    same_month = Declaration.objects.filter(agreement_id=agreement_id, month=month)
    if same_month.filter(status=DeclarationStatus.VALIDATED).update(
        status=DeclarationStatus.DRAFT, validated_at=None
    ):
        refresh_declared(grants_of(same_month))


def _log_bulk(actor, action: Action, model, holder_ids: list[int]) -> None:
    """Changes made without ``save()`` (which the change log sees): one access-log row per
    holder with how many rows changed."""
    if holder_ids:
        log_changes(user=actor, action=action, what=model._meta.label, holder_ids=holder_ids)


def _holders_of_agreements(agreement_ids: list[int]) -> list[int]:
    holder_of = dict(
        CareAgreement.objects.filter(pk__in=set(agreement_ids)).values_list("pk", "holder_id")
    )
    return [holder_of[agreement_id] for agreement_id in agreement_ids]


# --- time entries --------------------------------------------------------------------------


def _versions(agreement: CareAgreement) -> list[AgreementVersion]:
    versions = list(agreement.versions.order_by("valid_from"))
    if not versions:
        raise _error("agreement", _("The agreement has no versions."), "agreement_without_versions")
    return versions


def _unit_on(versions: list[AgreementVersion], day: date) -> str:
    """The agreement's unit on a day; outside its versions, that of the nearest version (the
    validation reports the day as outside the agreement)."""
    return version_or_nearest(versions, day).unit


def parse_quantity(value, field: str = "quantity") -> Decimal:
    """A number as typed by a person: '7,5', '7.50' or 7.5 (never a float in storage)."""
    if isinstance(value, Decimal):
        number = value
    else:
        text = str(value).strip().replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise _error(
                field, _("%(value)s is not a number."), "not_a_number", value=value
            ) from None
    if not number.is_finite():
        raise _error(field, _("%(value)s is not a number."), "not_a_number", value=value)
    return number


def check_quantity(
    quantity: Decimal, unit: str, *, typed: bool, day: date, figures=StatutoryFigure.objects
) -> None:
    if quantity < 0:
        raise _error("quantity", _("%(value)s is negative."), "negative_value", value=quantity)
    if quantity != quantity.quantize(HUNDREDTH):
        raise _error(
            "quantity",
            _("%(value)s has more than two decimals."),
            "too_many_decimals",
            value=quantity,
        )
    if unit == RateUnit.HOUR:
        maximum = figures.value_on(FigureKind.MAX_HOURS_PER_DAY, day)
        if maximum is not None and quantity > maximum:
            raise _error(
                "quantity",
                _("%(value)s hours do not fit in one day (at most %(maximum)s)."),
                "more_than_a_day",
                value=quantity,
                maximum=f"{maximum.normalize():f}",
            )
        step = figures.value_on(FigureKind.HOURS_INCREMENT, day)
        if typed and step and quantity % step:
            raise _error(
                "quantity",
                _("%(value)s hours is not in quarter hours: use steps of %(step)s, e.g. 1.25."),
                "not_in_quarter_hours",
                value=quantity,
                step=f"{step.normalize():f}",
            )
    elif unit in (RateUnit.DAY_PART, RateUnit.DAY) and quantity != quantity.to_integral_value():
        raise _error(
            "quantity",
            _("%(value)s: count whole day parts or 24-hour periods."),
            "not_whole_units",
            value=quantity,
        )
    elif unit == RateUnit.MONTH:
        raise _error(
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


def _entry_quantity(quantity, start_time, end_time) -> tuple[Decimal, bool]:
    """The quantity to store and whether the person typed it (rather than gave times)."""
    if (start_time is None) != (end_time is None):
        raise _error("end_time", _("Fill in both the start and the end time."), "half_times")
    if quantity in (None, ""):
        if start_time is None:
            raise _error("quantity", _("Fill in the quantity or the times."), "required")
        return _duration(start_time, end_time), False
    number = parse_quantity(quantity)
    if start_time is not None and number != _duration(start_time, end_time):
        raise _error(
            "quantity",
            _("%(value)s does not match the times, which make %(duration)s hours."),
            "quantity_does_not_match_times",
            value=number,
            duration=_duration(start_time, end_time),
        )
    return number, True


def _new_entry(
    agreement: CareAgreement,
    versions: list[AgreementVersion],
    *,
    care_date: date,
    quantity=None,
    start_time: time | None = None,
    end_time: time | None = None,
    note: str = "",
    month: date | None = None,
    figures=StatutoryFigure.objects,
) -> TimeEntry:
    """An unsaved entry, checked as every form, the API and an import check it."""
    if month is not None and month_start(care_date) != month_start(month):
        raise _error(
            "care_date",
            _("%(date)s lies outside %(month)s."),
            "date_outside_month",
            date=format_date(care_date),
            month=f"{month:%m-%Y}",
        )
    number, typed = _entry_quantity(quantity, start_time, end_time)
    check_quantity(
        number, _unit_on(versions, care_date), typed=typed, day=care_date, figures=figures
    )
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


@transaction.atomic
def time_entry_add(
    *,
    actor: User,
    agreement_id: int,
    care_date: date,
    quantity=None,
    start_time: time | None = None,
    end_time: time | None = None,
    note: str = "",
    month: date | None = None,
) -> TimeEntry:
    """Log care on a day. With ``month`` (a month grid), the day must lie in that month."""
    agreement = get_editable(CareAgreement.objects, actor, pk=agreement_id)
    _require_open_month(agreement, care_date, "care_date")
    entry = _new_entry(
        agreement,
        _versions(agreement),
        care_date=care_date,
        quantity=quantity,
        start_time=start_time,
        end_time=end_time,
        note=note,
        month=month,
    )
    entry.save()
    back_to_draft(agreement.pk, month_start(care_date))
    return entry


@transaction.atomic
def time_entries_set_month(
    *, actor: User, agreement_id: int, month: date, entries: list[dict]
) -> list[TimeEntry]:
    """Make the month's entries of an agreement exactly ``entries`` (dicts with ``care_date``
    and ``quantity`` or ``start_time`` and ``end_time``, optionally ``note``). Every row is
    checked and every error reported with its row (``entries[3].quantity``); either all rows
    are stored or none. Sending the same month twice leaves the same entries."""
    agreement = get_editable(CareAgreement.objects, actor, pk=agreement_id)
    month = month_start(month)
    _require_open_month(agreement, month, "month")
    versions = _versions(agreement)
    figures = FigureLookup()
    new_entries, errors = [], {}
    for index, row in enumerate(entries):
        try:
            new_entries.append(_new_entry(agreement, versions, month=month, figures=figures, **row))
        except ValidationError as error:
            for field, field_errors in error.error_dict.items():
                errors[f"entries[{index}].{field}"] = field_errors
    if errors:
        raise ValidationError(errors)
    TimeEntry.objects.filter(
        agreement=agreement, care_date__range=(month, month_end(month))
    ).delete()
    created = TimeEntry.objects.bulk_create(new_entries)
    _log_bulk(actor, Action.CREATE, TimeEntry, [agreement.holder_id] * len(created))
    back_to_draft(agreement.pk, month)
    return created


@transaction.atomic
def time_entry_update(*, actor: User, entry_id: int, **changes) -> TimeEntry:
    allowed = {"care_date", "quantity", "start_time", "end_time", "note"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"time_entry_update() cannot change {', '.join(sorted(unknown))}")
    entry = get_editable(TimeEntry.objects.select_for_update(), actor, pk=entry_id)
    agreement = entry.agreement
    _require_open_month(agreement, entry.care_date, "care_date")
    for field, value in changes.items():
        setattr(entry, field, value)
    _require_open_month(agreement, entry.care_date, "care_date")
    # an entry with times takes its quantity from them, unless a quantity is given
    quantity = changes.get("quantity", None if entry.start_time is not None else entry.quantity)
    number, typed = _entry_quantity(quantity, entry.start_time, entry.end_time)
    check_quantity(
        number, _unit_on(_versions(agreement), entry.care_date), typed=typed, day=entry.care_date
    )
    entry.quantity = number
    entry.full_clean()
    entry.save()
    back_to_draft(agreement.pk, month_start(entry.care_date))
    return entry


@transaction.atomic
def time_entry_delete(*, actor: User, entry_id: int) -> None:
    entry = get_editable(TimeEntry.objects.select_for_update(), actor, pk=entry_id)
    _require_open_month(entry.agreement, entry.care_date, "care_date")
    entry.delete()
    back_to_draft(entry.agreement_id, month_start(entry.care_date))


@transaction.atomic
def time_entries_fill_month(
    *,
    actor: User,
    agreement_id: int,
    month: date,
    pattern: dict[int, object],
    replace: bool = False,
) -> list[TimeEntry]:
    """Fill a month from a weekly pattern ({0: '4', 2: '3.5'}: Monday 4 hours, Wednesday 3.5),
    on the days the agreement runs. Days that already hold entries are kept unless
    ``replace``, which first removes the month's entries. All days or none."""
    agreement = get_editable(CareAgreement.objects, actor, pk=agreement_id)
    month = month_start(month)
    _require_open_month(agreement, month, "month")
    quantities = {}
    for weekday, value in pattern.items():
        if weekday not in range(7):
            raise _error("pattern", _("%(value)s is not a weekday."), "bad_weekday", value=weekday)
        if value in (None, ""):
            continue
        quantities[weekday] = parse_quantity(value, field="pattern")
    versions = list(agreement.versions.order_by("valid_from"))
    if replace:
        TimeEntry.objects.filter(
            agreement=agreement, care_date__range=(month, month_end(month))
        ).delete()
    taken = set(
        TimeEntry.objects.filter(
            agreement=agreement, care_date__range=(month, month_end(month))
        ).values_list("care_date", flat=True)
    )
    entries = []
    for day in days_of_month(month):
        version = version_on(versions, day)
        quantity = quantities.get(day.weekday())
        if version is not None and quantity is not None and day not in taken:
            try:
                check_quantity(quantity, version.unit, typed=True, day=day)
            except ValidationError as error:
                raise ValidationError({"pattern": error.error_dict["quantity"]}) from None
            entries.append(TimeEntry(agreement=agreement, care_date=day, quantity=quantity))
    created = TimeEntry.objects.bulk_create(entries)
    _log_bulk(actor, Action.CREATE, TimeEntry, [agreement.holder_id] * len(created))
    back_to_draft(agreement.pk, month)
    return created


# --- expenses ------------------------------------------------------------------------------


def _expense_money(agreement: CareAgreement, expense_date: date, kind: str, amount, kilometres):
    """Kilometres and amount as stored: travel is kilometres at the agreed allowance, unless
    an amount is given (the validation reports travel costs that were not agreed)."""
    km = None if kilometres in (None, "") else parse_quantity(kilometres, field="kilometres")
    if km is not None and km < 0:
        raise _error("kilometres", _("%(value)s is negative."), "negative_value", value=km)
    if amount in (None, ""):
        version = version_on(agreement.versions.all(), expense_date)
        allowance = version.travel_allowance_per_km if version else None
        if kind != ExpenseKind.TRAVEL or km is None or allowance is None:
            raise _error("amount", _("Fill in the amount."), "required")
        money = round_money(km * allowance)
    else:
        money = parse_quantity(amount, field="amount")
    if money < 0:
        raise _error("amount", _("%(value)s is negative."), "negative_value", value=money)
    return km, money


@transaction.atomic
def expense_add(
    *,
    actor: User,
    agreement_id: int,
    expense_date: date,
    kind: str,
    amount=None,
    kilometres=None,
    description: str = "",
) -> Expense:
    """Declare a cost beside the care."""
    agreement = get_editable(CareAgreement.objects, actor, pk=agreement_id)
    _require_open_month(agreement, expense_date, "expense_date")
    km, money = _expense_money(agreement, expense_date, kind, amount, kilometres)
    expense = Expense(
        agreement=agreement,
        expense_date=expense_date,
        kind=kind,
        kilometres=km,
        amount=money,
        description=description,
    )
    expense.full_clean()
    expense.save()
    back_to_draft(agreement.pk, month_start(expense_date))
    return expense


EXPENSE_FIELDS = frozenset({"expense_date", "kind", "amount", "kilometres", "description"})


@transaction.atomic
def expense_update(*, actor: User, expense_id: int, **changes) -> Expense:
    """Change a cost while its month (before and after the change) is not declared. Changed
    kilometres without an amount are priced again at the agreed allowance."""
    unknown = set(changes) - EXPENSE_FIELDS
    if unknown:
        raise TypeError(f"expense_update() cannot change {', '.join(sorted(unknown))}")
    expense = get_editable(Expense.objects.select_for_update(), actor, pk=expense_id)
    agreement = expense.agreement
    old_month = month_start(expense.expense_date)
    _require_open_month(agreement, expense.expense_date, "expense_date")
    for field in ("expense_date", "kind", "description"):
        if field in changes:
            setattr(expense, field, changes[field])
    _require_open_month(agreement, expense.expense_date, "expense_date")
    kilometres = changes.get("kilometres", expense.kilometres)
    amount = changes.get("amount", None if "kilometres" in changes else expense.amount)
    expense.kilometres, expense.amount = _expense_money(
        agreement, expense.expense_date, expense.kind, amount, kilometres
    )
    expense.full_clean()
    expense.save()
    for month in {old_month, month_start(expense.expense_date)}:
        back_to_draft(agreement.pk, month)
    return expense


@transaction.atomic
def expense_delete(*, actor: User, expense_id: int) -> None:
    expense = get_editable(Expense.objects.select_for_update(), actor, pk=expense_id)
    _require_open_month(expense.agreement, expense.expense_date, "expense_date")
    expense.delete()
    back_to_draft(expense.agreement_id, month_start(expense.expense_date))


# --- declarations --------------------------------------------------------------------------


def _editable_declaration(actor: User, declaration_id: int) -> Declaration:
    declaration = get_editable(Declaration.objects.select_for_update(), actor, pk=declaration_id)
    if declaration.is_frozen:
        raise _conflict(
            "status",
            _("Declaration %(id)s is %(status)s and can no longer change."),
            "declaration_frozen",
            id=declaration.pk,
            status=declaration.get_status_display(),
        )
    return declaration


@transaction.atomic
def declaration_draft(
    *, actor: User, agreement_id: int, month: date, declared_rate=None
) -> Declaration:
    """Draft (or redraft) the month's declaration for an agreement from its entries and
    costs. An exported declaration of the month is left alone: a new draft beside it is a
    second declaration, which the validation refuses unless it is a correction."""
    agreement = get_editable(CareAgreement.objects, actor, pk=agreement_id)
    month = month_start(month)
    rate = None if declared_rate in (None, "") else parse_quantity(declared_rate, "declared_rate")
    if rate is not None and rate < 0:
        raise _error("declared_rate", _("%(value)s is negative."), "negative_value", value=rate)
    declaration = open_declaration(agreement.pk, month)
    if declaration is None:
        declaration = Declaration(agreement=agreement, month=month)
    counted_on = set()
    if declaration.status == DeclarationStatus.VALIDATED:  # it stops counting
        counted_on = grants_of(Declaration.objects.filter(pk=declaration.pk))
    declaration.declared_rate = rate
    declaration.status = DeclarationStatus.DRAFT
    declaration.full_clean()
    declaration.save()
    draft_lines([declaration])
    refresh_declared(counted_on)
    return declaration


def draft_lines(declarations: list[Declaration], *, refresh: bool = True) -> None:
    """Rebuild the lines and totals of open declarations from their agreements' entries and
    costs: a fixed number of queries, whatever the number of declarations. A validated one
    whose total or grant changes moves its grants' declared totals (unless ``refresh`` is
    off: the validation sets them itself, after locking the grants)."""
    if not declarations:
        return
    counted = {
        d.pk: (d.budget_id, d.total_amount)
        for d in declarations
        if d.status == DeclarationStatus.VALIDATED
    }
    agreement_ids = {d.agreement_id for d in declarations}
    first = min(d.month for d in declarations)
    last = month_end(max(d.month for d in declarations))
    quantities = defaultdict(Decimal)
    for agreement_id, care_date, total in (
        TimeEntry.objects.filter(agreement_id__in=agreement_ids, care_date__range=(first, last))
        .values_list("agreement_id", "care_date")
        .annotate(total=Sum("quantity"))
        .order_by()
    ):
        quantities[agreement_id, care_date] = total
    costs = defaultdict(lambda: [Decimal(0), Decimal(0), Decimal(0)])
    for agreement_id, expense_date, kind, km, amount in Expense.objects.filter(
        agreement_id__in=agreement_ids, expense_date__range=(first, last)
    ).values_list("agreement_id", "expense_date", "kind", "kilometres", "amount"):
        bucket = costs[agreement_id, month_start(expense_date)]
        if kind == ExpenseKind.TRAVEL:
            bucket[0] += km or 0
            bucket[1] += amount
        else:
            bucket[2] += amount
    versions = defaultdict(list)
    for version in AgreementVersion.objects.filter(agreement_id__in=agreement_ids).order_by(
        "valid_from"
    ):
        versions[version.agreement_id].append(version)

    DeclarationLine.objects.filter(declaration__in=declarations).delete()
    new_lines = []
    for declaration in declarations:
        lines = _lines_for(declaration, quantities, versions[declaration.agreement_id])
        new_lines.extend(lines)
        travel_km, travel, other = costs[declaration.agreement_id, declaration.month]
        care_amount = sum((line.amount for line in lines), Decimal(0))
        declaration.care_quantity = sum((line.quantity for line in lines), Decimal(0))
        declaration.care_amount = care_amount
        declaration.travel_kilometres = travel_km
        declaration.travel_amount = travel
        declaration.other_amount = other
        declaration.total_amount = care_amount + travel + other
        declaration.budget_id = _budget_of(declaration, versions[declaration.agreement_id])
    DeclarationLine.objects.bulk_create(new_lines, batch_size=2000)
    Declaration.objects.bulk_update(
        declarations,
        [
            "care_quantity",
            "care_amount",
            "travel_kilometres",
            "travel_amount",
            "other_amount",
            "total_amount",
            "budget",
        ],
        batch_size=1000,
    )
    if refresh:
        moved = [
            d
            for d in declarations
            if d.pk in counted and counted[d.pk] != (d.budget_id, d.total_amount)
        ]
        refresh_declared({counted[d.pk][0] for d in moved} | {d.budget_id for d in moved})


def _lines_for(declaration: Declaration, quantities, versions) -> list[DeclarationLine]:
    lines = []
    for day in days_of_month(declaration.month):
        quantity = quantities.get((declaration.agreement_id, day))
        if quantity is not None:
            version = version_on(versions, day)
            pricing = version or version_or_nearest(versions, day)
            rate = declaration.declared_rate
            if rate is None:
                rate = pricing.rate if pricing else Decimal(0)
            lines.append(
                DeclarationLine(
                    declaration=declaration,
                    care_date=day,
                    quantity=quantity,
                    unit=pricing.unit if pricing else RateUnit.HOUR,
                    rate=rate,
                    amount=round_money(quantity * rate),
                    version=version,
                )
            )
    return lines


def _budget_of(declaration: Declaration, versions: list[AgreementVersion]) -> int | None:
    """The grant of the version in force at the end of the month (or the nearest one)."""
    version = version_or_nearest(versions, declaration.month_end)
    return version.budget_id if version else None


@transaction.atomic
def declaration_validate(*, actor: User, declaration_ids: list[int]) -> list[Declaration]:
    """Redraft and validate open declarations. Those without errors become validated; the
    others stay drafts. Acknowledged warnings that are found again stay acknowledged."""
    from ..validation.engine import validate_declarations

    declarations = [_editable_declaration(actor, pk) for pk in sorted(set(declaration_ids))]
    before = {d.budget_id for d in declarations}
    draft_lines(declarations, refresh=False)
    grants = grants_of(Declaration.objects.filter(pk__in=[d.pk for d in declarations]))
    _lock_grants((before | grants) - {None})
    validate_declarations(declarations)  # and sets the declared totals of ``grants``
    _log_bulk(
        actor,
        Action.UPDATE,
        Declaration,
        _holders_of_agreements([d.agreement_id for d in declarations]),
    )
    refresh_declared(before - grants)  # grants a validated declaration moved away from
    return declarations


def _lock_grants(budget_ids) -> None:
    """Validations against one grant take turns: each waits here until the one before has
    committed, so it counts what that one declared and no two can together spend more than
    the grant. Locked in id order, so two validations of several grants never deadlock."""
    list(
        Budget.objects.select_for_update()
        .filter(pk__in=sorted(budget_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def finding_acknowledge(*, actor: User, finding_id: int, reason: str) -> Finding:
    """Accept a warning with a reason (e.g. 'extra hours agreed with the municipality')."""
    finding = get_editable(Finding.objects.select_for_update(), actor, pk=finding_id)
    _editable_declaration(actor, finding.declaration_id)
    if finding.severity != Severity.WARNING:
        raise _error(
            "finding",
            _("Only a warning can be acknowledged; an error has to be fixed."),
            "not_a_warning",
        )
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise _error(
            "reason",
            _("Give the reason for accepting this warning (at least 5 characters)."),
            "reason_required",
        )
    finding.acknowledged_at = timezone.now()
    finding.acknowledged_by = actor
    finding.acknowledgement_reason = reason
    finding.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledgement_reason"])
    return finding


@transaction.atomic
def declaration_correct(*, actor: User, declaration_id: int) -> Declaration:
    """Open a correction of an exported declaration: a new draft that references it and
    reopens the month's hours. The exported declaration itself never changes."""
    original = get_editable(Declaration.objects.select_for_update(), actor, pk=declaration_id)
    if not original.is_frozen:
        raise _conflict(
            "status",
            _("Only an exported declaration is corrected; change this draft instead."),
            "correct_open_declaration",
        )
    existing = open_declaration(original.agreement_id, original.month)
    if existing is not None and existing.corrects_id is not None:
        return existing
    correction = Declaration(
        agreement_id=original.agreement_id,
        month=original.month,
        corrects=original,
        declared_rate=original.declared_rate,
    )
    correction.full_clean()
    correction.save()
    draft_lines([correction])
    return correction


@transaction.atomic
def declaration_mark_submitted(*, actor: User, declaration_ids: list[int]) -> int:
    """Record that exported declarations were submitted to the SVB."""
    exported = Declaration.objects.editable_by(actor).filter(
        pk__in=declaration_ids, status=DeclarationStatus.EXPORTED
    )
    holder_ids = list(exported.values_list("agreement__holder_id", flat=True))
    _log_bulk(actor, Action.UPDATE, Declaration, holder_ids)
    return exported.update(status=DeclarationStatus.SUBMITTED, submitted_at=timezone.now())


@transaction.atomic
def declaration_submit(*, actor: User, declaration_id: int) -> Declaration:
    """Record that one exported declaration was submitted to the SVB."""
    declaration = get_editable(Declaration.objects.select_for_update(), actor, pk=declaration_id)
    if declaration.status != DeclarationStatus.EXPORTED:
        raise _conflict(
            "status",
            _("Only an exported declaration is submitted; this one is %(status)s."),
            "not_exported",
            status=lower_lazy(declaration.get_status_display()),
        )
    declaration.status = DeclarationStatus.SUBMITTED
    declaration.submitted_at = timezone.now()
    declaration.save(update_fields=["status", "submitted_at", "updated_at"])
    return declaration


@transaction.atomic
def declaration_settle(
    *, actor: User, declaration_id: int, paid: bool, evidence: str, rejection_reason: str = ""
) -> Declaration:
    """Record the SVB's answer as the actor saw it: paid, or rejected with its reason. pgb-admin
    does not receive the answer, so it keeps who recorded it, their role towards the holder now
    and the evidence they name (a PGB Portaal message, the SVB's letter)."""
    declaration = get_editable(Declaration.objects.select_for_update(), actor, pk=declaration_id)
    if declaration.status not in (DeclarationStatus.EXPORTED, DeclarationStatus.SUBMITTED):
        raise _conflict(
            "status",
            _("Only an exported or submitted declaration is paid or rejected."),
            "not_submitted",
        )
    if not paid and not rejection_reason.strip():
        raise _error("rejection_reason", _("Give the SVB's reason."), "reason_required")
    recorded = recording(actor=actor, holder_id=declaration.agreement.holder_id, evidence=evidence)
    declaration.status = DeclarationStatus.PAID if paid else DeclarationStatus.REJECTED
    declaration.rejection_reason = "" if paid else rejection_reason.strip()
    declaration.settled_at = timezone.now()
    declaration.settled_recorded_by = recorded.user
    declaration.settled_recorded_role = recorded.role
    declaration.settled_evidence = recorded.evidence
    declaration.save(
        update_fields=[
            "status",
            "rejection_reason",
            "settled_at",
            "settled_recorded_by",
            "settled_recorded_role",
            "settled_evidence",
            "updated_at",
        ]
    )
    if not paid:  # a rejected declaration no longer counts against its grant
        refresh_declared(grants_of(Declaration.objects.filter(pk=declaration.pk)))
    return declaration


@transaction.atomic
def declaration_delete(*, actor: User, declaration_id: int) -> None:
    """Throw away an open draft (its hours stay)."""
    declaration = _editable_declaration(actor, declaration_id)
    counted_on = set()
    if declaration.status == DeclarationStatus.VALIDATED:
        counted_on = grants_of(Declaration.objects.filter(pk=declaration.pk))
    declaration.delete()
    refresh_declared(counted_on)


# --- SVB batches ---------------------------------------------------------------------------


class NothingToExport(ValidationError):
    pass


class ExportedElsewhere(NothingToExport, Conflict):
    """Another export of the same month claimed the declarations first."""


@transaction.atomic
def batch_export(
    *,
    actor: User,
    month: date,
    holder_id: int | None = None,
    funder: Funder | None = None,
    task_run=None,
) -> Batch:
    """Export the month's validated declarations that the actor may change (optionally of one
    holder or one funder) as an SVB batch. Declarations with open errors or unacknowledged
    warnings stay out and are listed with the reason. Each declaration lands in one batch only,
    also when two exports of the month run at the same time."""
    refuse_auditors(actor)
    month = month_start(month)
    scope = Declaration.objects.editable_by(actor).filter(month=month)
    holder = None
    if holder_id is not None:
        holder = get_editable(BudgetHolder.objects, actor, pk=holder_id)
        scope = scope.filter(agreement__holder=holder)
    if funder is not None:
        scope = scope.filter(budget__funder=funder)
    candidates = list(scope.filter(status__in=OPEN_STATUSES).order_by("pk"))
    blocked = _blocking_findings({d.pk for d in candidates})
    exportable, skipped = [], []
    for declaration in candidates:
        reason = _skip_reason(declaration, blocked.get(declaration.pk, set()))
        if reason:
            skipped.append({"declaration_id": declaration.pk, "reason": str(reason)})
        else:
            exportable.append(declaration.pk)
    if not exportable:
        raise NothingToExport(
            {
                "month": ValidationError(
                    _("Nothing in %(month)s can be exported: no validated declaration without "
                      "open findings."),
                    code="nothing_to_export",
                    params={"month": f"{month:%m-%Y}"},
                )
            }
        )  # fmt: skip
    batch = Batch.objects.create(
        period=month,
        holder=holder,
        funder=funder,
        created_by=actor if actor.pk else None,
        total_amount=0,
        skipped=skipped,
        task_run=task_run,
    )
    claimed = Declaration.objects.filter(
        pk__in=exportable, status=DeclarationStatus.VALIDATED, batch__isnull=True
    ).update(status=DeclarationStatus.EXPORTED, batch=batch, updated_at=timezone.now())
    exported = Declaration.objects.filter(batch=batch)
    _log_bulk(
        actor,
        Action.EXPORT,
        Declaration,
        list(exported.values_list("agreement__holder_id", flat=True)),
    )
    if not claimed:
        raise ExportedElsewhere(
            {
                "month": ValidationError(
                    _("These declarations were exported by another export at the same time."),
                    code="exported_elsewhere",
                )
            }
        )
    content = batch_content(batch)
    batch.declaration_count = len(content.declarations)
    batch.line_count = content.line_count
    batch.total_amount = content.total
    batch.save(update_fields=["declaration_count", "line_count", "total_amount"])
    for file_format, writer in (
        (BatchFile.Format.XLSX, write_xlsx),
        (BatchFile.Format.CSV, write_csv),
    ):
        data = writer(content)
        BatchFile.objects.create(
            batch=batch,
            format=file_format,
            filename=svb_batch_name(month, batch.pk, file_format),
            content=data,
            size=len(data),
            sha256=sha256(data),
        )
    return batch


def _blocking_findings(declaration_ids) -> dict[int, set[str]]:
    blocked = defaultdict(set)
    for declaration_id, severity in (
        Finding.objects.filter(declaration_id__in=declaration_ids)
        .open()
        .values_list("declaration_id", "severity")
    ):
        blocked[declaration_id].add(severity)
    return blocked


def _skip_reason(declaration: Declaration, open_severities: set[str]):
    if Severity.ERROR in open_severities:
        return _("open errors")
    if declaration.status != DeclarationStatus.VALIDATED:
        return _("not validated")
    if Severity.WARNING in open_severities:
        return _("warnings not acknowledged")
    return None


def batch_content(batch: Batch) -> BatchContent:
    """What goes into the batch files, read in a fixed number of queries."""
    declarations = list(
        batch.declarations.select_related(
            "agreement__holder", "agreement__provider", "budget"
        ).order_by("agreement__holder__surname", "agreement__holder_id", "agreement_id", "pk")
    )
    lines = defaultdict(list)
    products = {}
    for line in (
        DeclarationLine.objects.filter(declaration__batch=batch)
        .select_related("version__product")
        .order_by("declaration_id", "care_date")
    ):
        lines[line.declaration_id].append(
            ExportLine(line.care_date, line.quantity, line.unit, line.rate, line.amount)
        )
        if line.version_id:
            products.setdefault(line.declaration_id, line.version.product.name)
    return BatchContent(
        batch_id=batch.pk,
        period=batch.period,
        created_at=timezone.localtime(batch.created_at),
        created_by=batch.created_by.get_username() if batch.created_by else "",
        declarations=[
            ExportDeclaration(
                declaration_id=d.pk,
                corrects_id=d.corrects_id,
                month=d.month,
                holder_name=f"{d.agreement.holder.initials} {d.agreement.holder.surname}",
                holder_svb_client_number=d.agreement.holder.svb_client_number,
                agreement_svb_number=d.agreement.svb_agreement_number,
                provider_name=d.agreement.provider.name,
                provider_agb_code=d.agreement.provider.agb_code,
                provider_kvk_number=d.agreement.provider.kvk_number,
                scheme=d.budget.get_scheme_display() if d.budget_id else "",
                care_product=products.get(d.pk, ""),
                travel_kilometres=d.travel_kilometres,
                travel_amount=d.travel_amount,
                other_amount=d.other_amount,
                total_amount=d.total_amount,
                lines=lines[d.pk],
            )
            for d in declarations
        ],
        skipped=batch.skipped,
    )


def batch_file(*, actor: User, batch_id: int, file_format: str) -> BatchFile:
    """A stored batch file, exactly as exported (the same bytes at every download). A
    download by someone else than the holder or their representative is access-logged."""
    batch = get_visible(Batch.objects, actor, pk=batch_id)
    try:
        stored = batch.files.get(format=file_format)
    except BatchFile.DoesNotExist:
        raise Http404(_("Not found.")) from None
    holder_ids = batch.declarations.values_list("agreement__holder_id", flat=True)
    log_reads(
        user=actor,
        action=Action.EXPORT,
        what=f"file:svb_batch_{file_format}",
        holder_counts=Counter(holder_ids),
        object_pk=batch.pk,
    )
    return stored


# --- many declarations at once ---------------------------------------------------------------

VALIDATION_CHUNK = 500


@transaction.atomic
def declarations_draft_period(
    *, actor: User, month: date, holder_id: int | None = None, funder: Funder | None = None
) -> list[Declaration]:
    """Draft the month's declaration of every agreement the actor may change that has hours
    or costs in the month (optionally of one holder or funder), in a fixed number of queries.
    Months already exported are left alone; fixed monthly pay needs no declaration."""
    refuse_auditors(actor)
    month = month_start(month)
    agreements = CareAgreement.objects.editable_by(actor).exclude(
        agreement_type=AgreementType.EMPLOYMENT_FIXED
    )
    if holder_id is not None:
        agreements = agreements.filter(
            holder=get_editable(BudgetHolder.objects, actor, pk=holder_id)
        )
    if funder is not None:
        agreements = agreements.filter(
            pk__in=AgreementVersion.objects.filter(budget__funder=funder).values("agreement_id")
        )
    period = (month, month_end(month))
    active = set(
        TimeEntry.objects.filter(agreement__in=agreements, care_date__range=period).values_list(
            "agreement_id", flat=True
        )
    ) | set(
        Expense.objects.filter(agreement__in=agreements, expense_date__range=period).values_list(
            "agreement_id", flat=True
        )
    )
    existing = Declaration.objects.filter(agreement_id__in=active, month=month)
    open_ones = {d.agreement_id: d for d in existing.filter(status__in=OPEN_STATUSES)}
    frozen = set(existing.filter(status__in=FROZEN_STATUSES).values_list("agreement_id", flat=True))
    new = [
        Declaration(agreement_id=agreement_id, month=month)
        for agreement_id in sorted(active - set(open_ones) - frozen)
    ]
    Declaration.objects.bulk_create(new)
    new_holders = _holders_of_agreements([d.agreement_id for d in new])
    _log_bulk(actor, Action.CREATE, Declaration, new_holders)
    declarations = list(
        Declaration.objects.filter(
            agreement_id__in=active, month=month, status__in=OPEN_STATUSES
        ).order_by("pk")
    )
    draft_lines(declarations)
    return declarations


def declarations_open_in_period(
    *, actor: User, month: date, holder_id: int | None = None, funder: Funder | None = None
) -> list[int]:
    """Ids of the month's open declarations the actor may change (optionally of one holder,
    whom the actor must be able to change, or of one funder): what a period validation runs
    over."""
    refuse_auditors(actor)
    declarations = Declaration.objects.editable_by(actor).filter(
        month=month_start(month), status__in=OPEN_STATUSES
    )
    if holder_id is not None:
        holder = get_editable(BudgetHolder.objects, actor, pk=holder_id)
        declarations = declarations.filter(agreement__holder=holder)
    if funder is not None:
        declarations = declarations.filter(budget__funder=funder)
    return list(declarations.order_by("pk").values_list("pk", flat=True))


def declarations_validate_in_chunks(
    *, actor: User, declaration_ids: list[int], progress=None, on_chunk=None
) -> dict[str, int]:
    """Validate many declarations, a chunk per transaction, recording progress on a
    :class:`~pgb_admin.core.models.TaskRun` (and telling ``on_chunk``). Running it twice gives
    the same result; declarations exported meanwhile are skipped."""
    from pgb_admin.core.tasks import progress_advance

    ids = sorted(set(declaration_ids))
    for start in range(0, len(ids), VALIDATION_CHUNK):
        chunk = ids[start : start + VALIDATION_CHUNK]
        still_open = list(
            Declaration.objects.editable_by(actor)
            .filter(pk__in=chunk, status__in=OPEN_STATUSES)
            .values_list("pk", flat=True)
        )
        if still_open:
            declaration_validate(actor=actor, declaration_ids=still_open)
        progress_advance(progress, len(chunk))
        if on_chunk:
            on_chunk(len(chunk))
    return validation_summary(ids)


def validation_summary(ids: list[int]) -> dict[str, int]:
    """How many of the declarations ``ids`` are validated, and how many stayed drafts with
    errors."""
    statuses = Declaration.objects.filter(pk__in=ids)
    return {
        "declarations": len(ids),
        "validated": statuses.filter(status=DeclarationStatus.VALIDATED).count(),
        "with_errors": statuses.filter(
            status=DeclarationStatus.DRAFT, findings__severity=Severity.ERROR
        )
        .distinct()
        .count(),
    }
