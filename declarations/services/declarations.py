"""Declarations: drafting a month from its hours and costs, validating, acknowledging warnings,
correcting, recording the SVB's answer, and doing that for many declarations at once (a
period, the bureau console). Every change is one transaction, scoped to the actor.

A validated declaration counts against its grant; whatever moves it back to draft (changed
hours, a redraft) moves the grant's declared total with it.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.constants import AgreementType
from contracts.models import AgreementVersion, CareAgreement
from contracts.selectors import version_on, version_or_nearest
from pgb_admin.accounts.models import User
from pgb_admin.accounts.scoping import get_editable, refuse_auditors
from pgb_admin.audit.models import Action
from pgb_admin.audit.provenance import recording
from pgb_admin.budgets.models import Budget, BudgetHolder, Funder
from pgb_admin.core.bulk import insert_rows, update_rows
from pgb_admin.core.dates import format_month
from pgb_admin.core.lookups import any_of
from pgb_admin.core.models import TaskRun
from pgb_admin.core.money import round_money
from pgb_admin.core.periods import month_end, month_start
from pgb_admin.core.text import lower_lazy
from pgb_admin.figures.constants import RateUnit

from ..constants import FROZEN_STATUSES, OPEN_STATUSES, DeclarationStatus, ExpenseKind, Severity
from ..grants import grants_of, refresh_declared
from ..models import Declaration, DeclarationLine, Expense, Finding, TimeEntry
from ..selectors.bureau import all_editable
from ..selectors.lists import validation_summary
from ..selectors.months import open_declaration
from .common import conflict, field_error, holders_of_agreements, log_bulk, parse_quantity
from .findings import validate_declarations

# --- a month's hours changed -------------------------------------------------------------------


def back_to_draft(agreement_id: int, month: date) -> None:
    """The month's validated declaration becomes a draft again (its hours or costs changed);
    it no longer counts against its grant."""
    same_month = Declaration.objects.filter(agreement_id=agreement_id, month=month)
    if same_month.filter(status=DeclarationStatus.VALIDATED).update(
        status=DeclarationStatus.DRAFT, validated_at=None
    ):
        refresh_declared(grants_of(same_month))


def back_to_draft_many(months: Iterable[tuple[int, date]]) -> None:
    """:func:`back_to_draft` for many (agreement id, month) pairs in two queries."""
    pairs = set(months)
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


# --- one declaration ------------------------------------------------------------------------


def _editable_declaration(actor: User, declaration_id: int) -> Declaration:
    declaration = get_editable(Declaration.objects.select_for_update(), actor, pk=declaration_id)
    _refuse_frozen(declaration)
    return declaration


def _refuse_frozen(declaration: Declaration) -> None:
    if declaration.is_frozen:
        raise conflict(
            "status",
            _("Declaration %(id)s is %(status)s and can no longer change."),
            "declaration_frozen",
            id=declaration.pk,
            status=declaration.get_status_display(),
        )


def _lock_editable(actor: User, ids: list[int], *, skip_closed: bool) -> list[Declaration]:
    """The declarations ``ids`` (sorted), locked in one statement in id order, the actor's
    scope resolved once for all. Unless ``skip_closed``, each must be one the actor may change
    and still open, or the first (by id) that is not is refused as
    :func:`_editable_declaration` refuses it (not found, read only, frozen); with it, those
    are left out."""
    lockable = Declaration.objects.select_for_update().editable_by(actor).filter(any_of("pk", ids))
    if skip_closed:
        return list(lockable.filter(status__in=OPEN_STATUSES).order_by("pk"))
    locked = {declaration.pk: declaration for declaration in lockable.order_by("pk")}
    for pk in ids:
        if pk not in locked:
            # refused as one declaration is (404, or 403 if only visible); asked without a
            # lock, as PostgreSQL locks no row of an outer join (an auditor's scope has one)
            get_editable(Declaration.objects, actor, pk=pk)
            locked[pk] = Declaration.objects.select_for_update().get(pk=pk)  # came into scope
        _refuse_frozen(locked[pk])
    return [locked[pk] for pk in ids]


@transaction.atomic
def declaration_draft(
    *, actor: User, agreement_id: int, month: date, declared_rate: object = None
) -> Declaration:
    """Draft (or redraft) the month's declaration for an agreement from its entries and
    costs. A month already exported (or further) gets no second declaration: that is refused
    (:class:`~pgb_admin.core.errors.Conflict`) unless a correction of it is open, which is
    then drafted again. The validation's declaration.second_for_month stays as the backstop."""
    agreement = get_editable(CareAgreement.objects, actor, pk=agreement_id)
    month = month_start(month)
    rate = None if declared_rate in (None, "") else parse_quantity(declared_rate, "declared_rate")
    if rate is not None and rate < 0:
        raise field_error(
            "declared_rate", _("%(value)s is negative."), "negative_value", value=rate
        )
    declaration = open_declaration(agreement.pk, month)
    if declaration is None:
        frozen = (
            Declaration.objects.filter(agreement=agreement, month=month, status__in=FROZEN_STATUSES)
            .order_by("pk")
            .first()
        )
        if frozen is not None:
            raise conflict(
                "month",
                _(
                    "Declaration %(number)s of %(month)s is already %(status)s; a second "
                    "declaration for the month is not possible. Open a correction of it "
                    "instead."
                ),
                "month_already_declared",
                number=frozen.pk,
                month=format_month(month),
                status=lower_lazy(frozen.get_status_display()),
            )
        declaration = Declaration(agreement=agreement, month=month)
    counted_on: set[int] = set()
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
    costs: a fixed number of queries, whatever the number of declarations. Only what changes
    is written: the lines of a declaration whose lines differ from those stored (deleted and
    written again with COPY on PostgreSQL), the totals of those whose totals differ (one
    UPDATE). A validated one whose total or grant changes moves its grants' declared totals
    (unless ``refresh`` is off: the validation sets them itself, after locking the grants)."""
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
    quantities = _quantities_per_day(agreement_ids, first, last)
    costs = _costs_per_month(agreement_ids, first, last)
    versions: defaultdict[int, list[AgreementVersion]] = defaultdict(list)
    for version in AgreementVersion.objects.filter(any_of("agreement_id", agreement_ids)).order_by(
        "valid_from"
    ):
        versions[version.agreement_id].append(version)
    stored = _stored_lines([d.pk for d in declarations])

    relined: list[int] = []
    new_lines: list[tuple[Any, ...]] = []
    retotalled: list[Declaration] = []
    for declaration in declarations:
        lines = _lines_for(declaration, quantities, versions[declaration.agreement_id])
        if lines != stored.get(declaration.pk, []):
            relined.append(declaration.pk)
            new_lines.extend((declaration.pk, *line) for line in lines)
        before = _totals(declaration)
        travel_km, travel, other = costs[declaration.agreement_id, declaration.month]
        care_amount = sum((line.amount for line in lines), Decimal(0))
        declaration.care_quantity = sum((line.quantity for line in lines), Decimal(0))
        declaration.care_amount = care_amount
        declaration.travel_kilometres = travel_km
        declaration.travel_amount = travel
        declaration.other_amount = other
        declaration.total_amount = care_amount + travel + other
        declaration.budget_id = _budget_of(declaration, versions[declaration.agreement_id])
        if _totals(declaration) != before:
            retotalled.append(declaration)
    if relined:
        DeclarationLine.objects.filter(any_of("declaration_id", relined)).delete()
    insert_rows(DeclarationLine, ("declaration_id", *_Line._fields), new_lines)
    update_rows(Declaration, _TOTALS, ((d.pk, *_totals(d)) for d in retotalled))
    if refresh:
        moved = [
            d
            for d in declarations
            if d.pk in counted and counted[d.pk] != (d.budget_id, d.total_amount)
        ]
        refresh_declared({counted[d.pk][0] for d in moved} | {d.budget_id for d in moved})


def _stored_lines(declaration_ids: list[int]) -> dict[int, list[tuple[Any, ...]]]:
    """The stored lines of the declarations as :class:`_Line` values, in date order."""
    stored: defaultdict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for declaration_id, *line in (
        DeclarationLine.objects.filter(any_of("declaration_id", declaration_ids))
        .order_by("declaration_id", "care_date")
        .values_list("declaration_id", *_Line._fields)
    ):
        stored[declaration_id].append(tuple(line))
    return stored


def _totals(declaration: Declaration) -> tuple[Any, ...]:
    return tuple(getattr(declaration, field) for field in _TOTALS)


_TOTALS = (
    "care_quantity",
    "care_amount",
    "travel_kilometres",
    "travel_amount",
    "other_amount",
    "total_amount",
    "budget_id",
)


class _Line(NamedTuple):
    """A line of a declaration as it is inserted (:class:`~declarations.models.DeclarationLine`
    without its declaration)."""

    care_date: date
    quantity: Decimal
    unit: str
    rate: Decimal
    amount: Decimal
    version_id: int | None


def _quantities_per_day(
    agreement_ids: set[int], first: date, last: date
) -> defaultdict[tuple[int, date], list[tuple[date, Decimal]]]:
    """Per agreement and month: the days with care and their quantities, in date order."""
    days: defaultdict[tuple[int, date], list[tuple[date, Decimal]]] = defaultdict(list)
    for agreement_id, care_date, total in (
        TimeEntry.objects.filter(
            any_of("agreement_id", agreement_ids), care_date__range=(first, last)
        )
        .values_list("agreement_id", "care_date")
        .annotate(total=Sum("quantity"))
        .order_by("agreement_id", "care_date")
    ):
        days[agreement_id, month_start(care_date)].append((care_date, total))
    return days


def _costs_per_month(
    agreement_ids: set[int], first: date, last: date
) -> defaultdict[tuple[int, date], list[Decimal]]:
    """Per agreement and month: travel kilometres, travel amount, other amount."""
    costs: defaultdict[tuple[int, date], list[Decimal]] = defaultdict(
        lambda: [Decimal(0), Decimal(0), Decimal(0)]
    )
    for agreement_id, expense_date, kind, km, amount in Expense.objects.filter(
        any_of("agreement_id", agreement_ids), expense_date__range=(first, last)
    ).values_list("agreement_id", "expense_date", "kind", "kilometres", "amount"):
        bucket = costs[agreement_id, month_start(expense_date)]
        if kind == ExpenseKind.TRAVEL:
            bucket[0] += km or 0
            bucket[1] += amount
        else:
            bucket[2] += amount
    return costs


def _lines_for(
    declaration: Declaration,
    quantities: defaultdict[tuple[int, date], list[tuple[date, Decimal]]],
    versions: list[AgreementVersion],
) -> list[_Line]:
    lines = []
    for day, quantity in quantities.get((declaration.agreement_id, declaration.month), ()):
        version = version_on(versions, day)
        pricing = version or version_or_nearest(versions, day)
        rate = declaration.declared_rate
        if rate is None:
            rate = pricing.rate if pricing else Decimal(0)
        lines.append(
            _Line(
                care_date=day,
                quantity=quantity,
                unit=pricing.unit if pricing else RateUnit.HOUR,
                rate=rate,
                amount=round_money(quantity * rate),
                version_id=version.pk if version else None,
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
    others stay drafts. Acknowledged warnings that are found again stay acknowledged. One
    declaration out of the actor's scope or frozen refuses them all (404, 403, 409), the
    first by id, as for one declaration."""
    declarations = _lock_editable(actor, sorted(set(declaration_ids)), skip_closed=False)
    _validate_locked(actor, declarations)
    return declarations


def _validate_locked(actor: User, declarations: list[Declaration]) -> None:
    """Validate declarations the caller has locked, in a fixed number of statements: the
    grants locked in id order, the findings written in one go, the declared totals of every
    grant concerned (also those a declaration moved away from) set in one UPDATE."""
    if not declarations:
        return
    before = {d.budget_id for d in declarations}
    draft_lines(declarations, refresh=False)
    grants = grants_of(Declaration.objects.filter(any_of("pk", [d.pk for d in declarations])))
    _lock_grants((before | grants) - {None})
    validate_declarations(declarations, grants=before | grants)
    log_bulk(
        actor,
        Action.UPDATE,
        Declaration,
        holders_of_agreements([d.agreement_id for d in declarations]),
    )


def _lock_grants(budget_ids: Iterable[int | None]) -> None:
    """Validations against one grant take turns: each waits here until the one before has
    committed, so it counts what that one declared and no two can together spend more than
    the grant. Locked in id order, so two validations of several grants never deadlock."""
    list(
        Budget.objects.select_for_update()
        .filter(any_of("pk", sorted(budget_ids)))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def finding_acknowledge(*, actor: User, finding_id: int, reason: str) -> Finding:
    """Accept a warning with a reason (e.g. 'extra hours agreed with the municipality')."""
    finding = get_editable(Finding.objects.select_for_update(), actor, pk=finding_id)
    _editable_declaration(actor, finding.declaration_id)
    if finding.severity != Severity.WARNING:
        raise field_error(
            "finding",
            _("Only a warning can be acknowledged; an error has to be fixed."),
            "not_a_warning",
        )
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise field_error(
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
        raise conflict(
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
    log_bulk(actor, Action.UPDATE, Declaration, holder_ids)
    return exported.update(status=DeclarationStatus.SUBMITTED, submitted_at=timezone.now())


def _recorded_at(declaration: Declaration, on: date | None, field: str = "on") -> datetime:
    """When the user says it happened (noon of ``on``, local time), or now. Not in the future,
    nor before the month declared."""
    if on is None:
        return timezone.now()
    if on > timezone.localdate():
        raise field_error(field, _("The date lies in the future."), "date_in_future")
    if on < declaration.month:
        raise field_error(field, _("The date lies before the month declared."), "date_before_month")
    return timezone.make_aware(datetime.combine(on, time(12)))


@transaction.atomic
def declaration_submit(*, actor: User, declaration_id: int, on: date | None = None) -> Declaration:
    """Record that the user declared one exported declaration (typed it into the PGB Portaal,
    sent it to the insurer), on ``on`` or now. pgb-admin sends nothing: this is their record."""
    declaration = get_editable(Declaration.objects.select_for_update(), actor, pk=declaration_id)
    if declaration.status != DeclarationStatus.EXPORTED:
        raise conflict(
            "status",
            _("Only an exported declaration is submitted; this one is %(status)s."),
            "not_exported",
            status=lower_lazy(declaration.get_status_display()),
        )
    declaration.status = DeclarationStatus.SUBMITTED
    declaration.submitted_at = _recorded_at(declaration, on)
    declaration.save(update_fields=["status", "submitted_at", "updated_at"])
    return declaration


@transaction.atomic
def declaration_settle(
    *,
    actor: User,
    declaration_id: int,
    paid: bool,
    evidence: str,
    rejection_reason: str = "",
    on: date | None = None,
) -> Declaration:
    """Record the answer (of the SVB, or of the insurer for a Zvw pgb) as the actor saw it:
    paid, or rejected with its reason, on ``on`` or now. pgb-admin does not receive the
    answer, so it keeps who recorded it, their role towards the holder now and the evidence
    they name (a PGB Portaal message, the SVB's or the insurer's letter)."""
    declaration = get_editable(Declaration.objects.select_for_update(), actor, pk=declaration_id)
    if declaration.status not in (DeclarationStatus.EXPORTED, DeclarationStatus.SUBMITTED):
        raise conflict(
            "status",
            _("Only an exported or submitted declaration is paid or rejected."),
            "not_submitted",
        )
    if not paid and not rejection_reason.strip():
        raise field_error(
            "rejection_reason", _("Give the reason for the rejection."), "reason_required"
        )
    recorded = recording(actor=actor, holder_id=declaration.agreement.holder_id, evidence=evidence)
    settled_at = _recorded_at(declaration, on)
    declaration.status = DeclarationStatus.PAID if paid else DeclarationStatus.REJECTED
    declaration.rejection_reason = "" if paid else rejection_reason.strip()
    declaration.settled_at = settled_at
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
    counted_on: set[int] = set()
    if declaration.status == DeclarationStatus.VALIDATED:
        counted_on = grants_of(Declaration.objects.filter(pk=declaration.pk))
    declaration.delete()
    refresh_declared(counted_on)


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
    new_holders = holders_of_agreements([d.agreement_id for d in new])
    log_bulk(actor, Action.CREATE, Declaration, new_holders)
    declarations = list(
        Declaration.objects.filter(
            agreement_id__in=active, month=month, status__in=OPEN_STATUSES
        ).order_by("pk")
    )
    draft_lines(declarations)
    return declarations


def declarations_validate_in_chunks(
    *, actor: User, declaration_ids: list[int], on_chunk: Callable[[int], object] | None = None
) -> dict[str, int]:
    """Validate many declarations, a chunk per transaction, telling ``on_chunk`` how many are
    done after each chunk. Running it twice gives the same result; declarations exported
    meanwhile are skipped."""
    ids = sorted(set(declaration_ids))
    for chunk in holder_steps(ids, VALIDATION_CHUNK):
        with transaction.atomic():
            _validate_locked(actor, _lock_editable(actor, chunk, skip_closed=True))
        if on_chunk:
            on_chunk(len(chunk))
    return validation_summary(ids)


def holder_steps(declaration_ids: list[int], size: int) -> list[list[int]]:
    """The declarations in steps of whole holders, in holder order, at most ``size`` each (a
    holder with more in a step alone). A holder's declarations, and so its grants, are
    validated together: rules that add up a grant's month (the indication, the budget) then
    find the same however the run is cut, in process or over workers. A declaration deleted
    meanwhile goes with holder 0; its step skips it."""
    holder_of = dict(
        Declaration.objects.filter(any_of("pk", declaration_ids)).values_list(
            "pk", "agreement__holder_id"
        )
    )
    by_holder: dict[int, list[int]] = defaultdict(list)
    for pk in sorted(set(declaration_ids)):
        by_holder[holder_of.get(pk) or 0].append(pk)
    steps: list[list[int]] = []
    for holder in sorted(by_holder):
        group = by_holder[holder]
        if not steps or len(steps[-1]) + len(group) > size:
            steps.append([])
        steps[-1].extend(group)
    return steps


# --- background validations --------------------------------------------------------------------


@dataclass(frozen=True)
class ValidationRun:
    """A validation to run in the background: its run, and the declarations it validates."""

    run: TaskRun
    declaration_ids: list[int]


def validation_run_create(*, actor: User, declaration_ids: list[int]) -> ValidationRun:
    """The run a background validation reports its progress on. It is about the declarations'
    holders: its maker sees it while they act for all of them."""
    ids = sorted(set(declaration_ids))
    run = TaskRun.objects.create(kind="validate", created_by=actor, total=len(ids))
    run.holders.add(
        *Declaration.objects.filter(pk__in=ids).values_list("agreement__holder_id", flat=True)
    )
    return ValidationRun(run=run, declaration_ids=ids)


@transaction.atomic
def bureau_validate(*, actor: User, month: date, holder_ids: list[int]) -> ValidationRun:
    """Draft the month of the chosen holders from their hours and costs, and make the run that
    validates all their open declarations of the month in the background. Nothing is started
    when there is nothing to validate. Validating twice gives the same result."""
    chosen = set(holder_ids)
    if all_editable(actor, chosen):
        declarations_draft_period(actor=actor, month=month)
    else:
        for holder_id in sorted(chosen):
            declarations_draft_period(actor=actor, month=month, holder_id=holder_id)
    declaration_ids = list(
        Declaration.objects.editable_by(actor)
        .filter(month=month, status__in=OPEN_STATUSES, agreement__holder_id__in=chosen)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not declaration_ids:
        raise ValidationError(
            _(
                "The chosen holders have no hours or costs to declare in %(month)s: there is "
                "nothing to validate."
            ),
            code="nothing_to_validate",
            params={"month": f"{month:%m-%Y}"},
        )
    return validation_run_create(actor=actor, declaration_ids=declaration_ids)
