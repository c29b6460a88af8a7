"""The writes of the reconciliation: store an overview once and match it; resolve a
difference. One transaction each."""

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models import AgreementVersion
from declarations.selectors.reconciliation import declared_months
from declarations.selectors.uploads import UploadRefused, max_upload_bytes
from pgb_admin.accounts.models import User
from pgb_admin.accounts.scoping import get_editable, refuse_auditors
from pgb_admin.audit.events import log_changes
from pgb_admin.audit.models import Action
from pgb_admin.budgets.models import Budget, BudgetHolder
from pgb_admin.core.periods import month_start
from pgb_admin.core.spreadsheets import csv_bytes

from .columns import COLUMNS_OF_KIND
from .constants import (
    AGREEING,
    CHANNEL_OF_KIND,
    PAYMENT_KINDS,
    DifferenceKind,
    OverviewKind,
    OverviewSource,
    Resolution,
)
from .models import Difference, Overview, OverviewLine
from .reading import BalanceLine, Line, PaymentLine, read_overview

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class OverviewResult:
    overview: Overview
    created: bool  # False: the same overview was there already; nothing changed
    changed: int  # differences made or updated


def overview_upload(
    *,
    actor: User,
    holder_id: int,
    kind: OverviewKind | str,
    filename: str,
    content: bytes,
    source: OverviewSource = OverviewSource.FILE,
) -> OverviewResult:
    """Store the overview of ``kind`` for the holder and match it against the declarations
    and grants here. The same content for the same holder and kind again changes nothing.
    Raises ImportRefused (nothing stored) with every problem, row by row; 404 for a holder
    out of scope, 403 for one the actor may only look at."""
    refuse_auditors(actor)
    kind = OverviewKind(kind)
    holder = get_editable(BudgetHolder.objects.all(), actor, pk=holder_id)
    content = bytes(content or b"")
    sha256 = hashlib.sha256(content).hexdigest()
    existing = Overview.objects.filter(holder=holder, kind=kind, sha256=sha256).first()
    if existing is not None:
        return OverviewResult(existing, created=False, changed=0)
    lines = read_overview(holder_id=holder.pk, kind=kind, filename=filename, content=content)
    months = [_month_of(line) for line in lines]
    with transaction.atomic():
        # a twin upload that committed meanwhile: the constraint keeps one, this one waits
        existing = (
            Overview.objects.select_for_update()
            .filter(holder=holder, kind=kind, sha256=sha256)
            .first()
        )
        if existing is not None:
            return OverviewResult(existing, created=False, changed=0)
        overview = Overview.objects.create(
            holder=holder,
            kind=kind,
            source=source,
            filename=str(filename or "")[:200],
            content=content,
            size=len(content),
            sha256=sha256,
            first_month=min(months),
            last_month=max(months),
            line_count=len(lines),
            created_by=actor,
        )
        OverviewLine.objects.bulk_create(_line_rows(overview, lines))
        changed = _match(overview, lines)
        log_changes(
            user=actor,
            action=Action.CREATE,
            what="reconciliation:overview",
            holder_ids=[holder.pk] * (1 + changed),
            object_pk=overview.pk,
        )
    return OverviewResult(overview, created=True, changed=changed)


def overview_enter(
    *, actor: User, holder_id: int, kind: OverviewKind | str, rows: list[dict[str, object]]
) -> OverviewResult:
    """An overview typed in from a PDF: the rows (column key -> value, as on the form) are
    written as a CSV in the documented layout and read like an uploaded one, so the same
    figures typed twice are the same overview."""
    columns = COLUMNS_OF_KIND[OverviewKind(kind)]
    header = [column.dutch for column in columns]
    body = [[_as_cell(row.get(column.key)) for column in columns] for row in rows]
    content = csv_bytes(header, body)
    if len(content) > max_upload_bytes():
        raise UploadRefused.because("too_large", _("Too many rows for one form."))
    return overview_upload(
        actor=actor,
        holder_id=holder_id,
        kind=kind,
        filename="",
        content=content,
        source=OverviewSource.HAND,
    )


def difference_resolve(
    *, actor: User, difference_id: int, resolution: Resolution | str, note: str = ""
) -> Difference:
    """Set how a difference is dealt with. Explained needs a note."""
    from django.core.exceptions import ValidationError

    refuse_auditors(actor)
    resolution = Resolution(resolution)
    note = (note or "").strip()
    if resolution == Resolution.EXPLAINED and not note:
        raise ValidationError({"note": _("Write how the difference is explained.")})
    with transaction.atomic():
        found = get_editable(Difference.objects.all(), actor, pk=difference_id)
        # locked by its own row (the scope's outer joins cannot be locked on PostgreSQL)
        difference = Difference.objects.select_for_update().get(pk=found.pk)
        difference.resolution = resolution
        difference.resolution_note = note
        difference.resolved_by = actor if resolution != Resolution.OPEN else None
        difference.resolved_at = timezone.now() if resolution != Resolution.OPEN else None
        difference.save()
    return difference


# --- matching ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    key: str
    kind: DifferenceKind
    agreement_id: int | None
    month: date | None
    budget_id: int | None
    declaration_id: int | None
    ours: Decimal | None
    theirs: Decimal | None
    difference: Decimal


def _match(overview: Overview, lines: list[Line]) -> int:
    if overview.kind in PAYMENT_KINDS:
        outcomes = _payment_outcomes(overview, [ln for ln in lines if isinstance(ln, PaymentLine)])
    else:
        outcomes = _balance_outcomes([ln for ln in lines if isinstance(ln, BalanceLine)])
    return _store(overview, outcomes)


def _payment_outcomes(overview: Overview, lines: list[PaymentLine]) -> list[_Outcome]:
    """Per agreement and month in the overview's months: what was declared here (the
    declaration that stands) against what was paid there (the paid amounts summed)."""
    channel = CHANNEL_OF_KIND[OverviewKind(overview.kind)]
    ours = declared_months(
        holder_id=overview.holder_id,
        channel=channel,
        first=overview.first_month,
        last=overview.last_month,
    )
    theirs: dict[tuple[int, date], Decimal] = {}
    for line in lines:
        key = (line.agreement_id, line.month)
        theirs[key] = theirs.get(key, ZERO) + line.paid
    grants = _grants_of(set(theirs) - set(ours))
    outcomes = []
    for agreement_id, month in sorted(set(ours) | set(theirs)):
        declared = ours.get((agreement_id, month))
        paid = theirs.get((agreement_id, month))
        if declared is None:
            if not paid:
                continue  # there, unpaid and not declared here: no money moved
            kind, difference = DifferenceKind.PAID_WITHOUT_DECLARATION, paid
        elif not paid:
            kind, difference = DifferenceKind.NOT_PAID, -declared.total_amount
        elif paid == declared.total_amount:
            kind, difference = DifferenceKind.PAID_AS_DECLARED, ZERO
        else:
            kind, difference = DifferenceKind.PAID_DIFFERENTLY, paid - declared.total_amount
        outcomes.append(
            _Outcome(
                key=f"{agreement_id}:{month:%Y-%m}",
                kind=kind,
                agreement_id=agreement_id,
                month=month,
                budget_id=declared.budget_id if declared else grants.get((agreement_id, month)),
                declaration_id=declared.declaration_id if declared else None,
                ours=declared.total_amount if declared else None,
                theirs=paid,
                difference=difference,
            )
        )
    return outcomes


def _grants_of(keys: set[tuple[int, date]]) -> dict[tuple[int, date], int]:
    """The grant each agreement's version valid on the first of the month pays from (for
    payments without a declaration here). One query."""
    if not keys:
        return {}
    versions = AgreementVersion.objects.filter(
        agreement_id__in={agreement for agreement, _month in keys}
    ).values_list("agreement_id", "valid_from", "valid_to", "budget_id")
    found: dict[tuple[int, date], int] = {}
    for agreement_id, start, end, budget_id in versions:
        for key in keys:
            if key[0] == agreement_id and start <= key[1] and (end is None or end >= key[1]):
                found[key] = budget_id
    return found


def _balance_outcomes(lines: list[BalanceLine]) -> list[_Outcome]:
    """Per grant, the latest balance there against the grant's amount less what was declared
    against it here."""
    latest: dict[int, BalanceLine] = {}
    for line in lines:
        if line.budget_id not in latest or line.on >= latest[line.budget_id].on:
            latest[line.budget_id] = line
    budgets = Budget.objects.in_bulk(list(latest))
    outcomes = []
    for budget_id, line in sorted(latest.items()):
        budget = budgets[budget_id]
        ours = budget.amount - budget.declared
        kind = (
            DifferenceKind.BALANCE_AGREES
            if line.balance == ours
            else DifferenceKind.BALANCE_DIFFERS
        )
        outcomes.append(
            _Outcome(
                key=f"grant:{budget_id}",
                kind=kind,
                agreement_id=None,
                month=month_start(line.on),
                budget_id=budget_id,
                declaration_id=None,
                ours=ours,
                theirs=line.balance,
                difference=line.balance - ours,
            )
        )
    return outcomes


FIGURES = ("kind", "agreement_id", "month", "budget_id", "declaration_id", "ours", "theirs",
           "difference")  # fmt: skip


def _store(overview: Overview, outcomes: list[_Outcome]) -> int:
    """Make or update one difference per key. What is unchanged is left alone; a changed
    figure keeps the resolution while the kind stays; another kind starts open again."""
    existing = {
        difference.key: difference
        for difference in Difference.objects.select_for_update().filter(
            holder_id=overview.holder_id, key__in=[outcome.key for outcome in outcomes]
        )
    }
    channel = CHANNEL_OF_KIND[OverviewKind(overview.kind)]
    new, changed = [], []
    for outcome in outcomes:
        figures = {name: getattr(outcome, name) for name in FIGURES}
        difference = existing.get(outcome.key)
        if difference is None:
            new.append(
                Difference(
                    holder_id=overview.holder_id,
                    channel=channel,
                    key=outcome.key,
                    overview=overview,
                    **figures,
                )
            )
            continue
        if all(getattr(difference, name) == value for name, value in figures.items()):
            continue
        if difference.kind != outcome.kind:
            difference.resolution = Resolution.OPEN
            difference.resolved_by, difference.resolved_at = None, None
            if outcome.kind in AGREEING:
                difference.resolution_note = ""
        for name, value in figures.items():
            setattr(difference, name, value)
        difference.overview = overview
        difference.updated_at = timezone.now()  # bulk_update does not apply auto_now
        changed.append(difference)
    Difference.objects.bulk_create(new)
    if changed:
        Difference.objects.bulk_update(
            changed,
            [*FIGURES, "overview", "resolution", "resolution_note", "resolved_by", "resolved_at",
             "updated_at"],
        )  # fmt: skip
    return len(new) + len(changed)


# --- helpers ------------------------------------------------------------------------------------


def _month_of(line: Line) -> date:
    return line.month if isinstance(line, PaymentLine) else month_start(line.on)


def _line_rows(overview: Overview, lines: list[Line]) -> list[OverviewLine]:
    rows = []
    for line in lines:
        if isinstance(line, PaymentLine):
            rows.append(
                OverviewLine(
                    overview=overview,
                    row=line.row,
                    agreement_id=line.agreement_id,
                    month=line.month,
                    declared_amount=line.declared,
                    paid_amount=line.paid,
                    paid_on=line.paid_on,
                    status=line.status,
                )
            )
        else:
            rows.append(
                OverviewLine(
                    overview=overview,
                    row=line.row,
                    budget_id=line.budget_id,
                    balance_on=line.on,
                    balance=line.balance,
                )
            )
    return rows


def _as_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
