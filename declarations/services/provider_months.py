"""A care provider's month, staged for the holder's review (issue 19).

In the PGB Portaal a carer may enter a declaration, but can never submit it without the budget
holder's review: "declaration can be entered by budget holder/representative, or by the carer
and then approved by the budget holder (carer can never submit without budget holder's review)"
(domain.md section 2.3, "PGB Portaal" bullet; section 8, "Carer-entered declarations require
budget-holder approval"). The carer has 6 weeks after the month to hand it to the holder, the
holder 4 weeks to submit it (domain.md section 2.3, "Deadlines").

So what a provider enters is kept apart (:class:`~declarations.models.ProviderMonth` and its
rows), read by nothing that counts: not the validation, the reports, the grants' figures nor
the declarations. Approval copies the month into the holder's own time entries and costs,
through the services every other path uses (:mod:`.hours`, so every row is checked as a form
checks it), in one transaction, each copied row pointing back at the month (who entered it;
the month says who approved it and when). From then on the holder's normal draft and validate
flow applies.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.invitations import holder_name
from contracts.models import CareAgreement
from pgb_admin.accounts.constants import ACTING_ROLES
from pgb_admin.accounts.models import Mandate, User
from pgb_admin.accounts.scoping import get_editable
from pgb_admin.core.dates import format_date
from pgb_admin.core.errors import Conflict, NotFound
from pgb_admin.core.periods import month_end, month_start

from ..constants import ExpenseKind, ProviderMonthStatus
from ..documents.checks import document_check
from ..documents.constants import DocumentKind
from ..documents.models import Document, retention_start
from ..documents.services import documents_storage, stored_name
from ..models import Declaration, Expense, ProviderCost, ProviderHour, ProviderMonth, TimeEntry
from .common import conflict, field_error, parse_quantity
from .declarations import declaration_draft, declaration_validate
from .hour_checks import new_entry, versions_of
from .hours import expense_add, time_entries_set_month

# --- the provider's side ---------------------------------------------------------------------


def _granted_agreement(actor: User, agreement_id: int) -> CareAgreement:
    agreement = (
        CareAgreement.objects.granted_to(actor)
        .select_related("holder", "provider")
        .filter(pk=agreement_id)
        .first()
    )
    if agreement is None:
        raise NotFound(_("Not found."))
    return agreement


def _own_month(actor: User, month_id: int, *, lock: bool = False) -> ProviderMonth:
    months = ProviderMonth.objects.granted_to(actor).select_related(
        "agreement__holder", "agreement__provider"
    )
    if lock:
        months = months.select_for_update(of=("self",))
    found = months.filter(pk=month_id).first()
    if found is None:
        raise NotFound(_("Not found."))
    return found


@transaction.atomic
def provider_month_get_or_create(*, actor: User, agreement_id: int, month: date) -> ProviderMonth:
    agreement = _granted_agreement(actor, agreement_id)
    month = month_start(month)
    if month > month_start(timezone.localdate()):
        raise field_error(
            "month",
            _("Care is declared afterwards: %(month)s has not begun."),
            "month_in_future",
            month=f"{month:%m-%Y}",
        )
    found, _created = ProviderMonth.objects.get_or_create(
        agreement=agreement, month=month, defaults={"entered_by": actor}
    )
    return found


def _refuse_unless_editable(found: ProviderMonth) -> None:
    if not found.provider_may_edit:
        raise conflict(
            "status",
            _("This month is %(status)s: it can no longer be changed."),
            "provider_month_closed",
            status=found.get_status_display().lower(),
        )


@transaction.atomic
def provider_month_save(
    *,
    actor: User,
    month_id: int,
    hours: list[dict[str, Any]],
    costs: list[dict[str, Any]] | None = None,
    invoice: dict[str, Any] | None = None,
) -> ProviderMonth:
    """Make the month's days exactly ``hours`` (``care_date``, ``quantity``, optionally
    ``note``) and its costs exactly ``costs`` (``expense_date``, ``kind``, ``amount`` or
    ``kilometres``, ``description``); ``invoice`` sets the invoice fields. Every row is checked
    as the holder's own entry would be and every error is named by its row
    (``hours[3].quantity``); all rows are stored or none."""
    found = _own_month(actor, month_id, lock=True)
    _refuse_unless_editable(found)
    agreement = found.agreement
    versions = versions_of(agreement)
    errors: dict[str, list[ValidationError]] = {}
    new_hours: list[ProviderHour] = []
    for index, row in enumerate(hours):
        try:
            entry = new_entry(agreement, versions, month=found.month, **row)
            _not_future(entry.care_date, "care_date")
        except ValidationError as error:
            for name, field_errors in error.error_dict.items():
                errors[f"hours[{index}].{name}"] = field_errors
            continue
        new_hours.append(
            ProviderHour(
                provider_month=found,
                care_date=entry.care_date,
                quantity=entry.quantity,
                note=entry.note,
            )
        )
    new_costs: list[ProviderCost] = []
    for index, row in enumerate(costs or []):
        try:
            new_costs.append(_cost(found, row))
        except ValidationError as error:
            for name, field_errors in error.error_dict.items():
                errors[f"costs[{index}].{name}"] = field_errors
    if invoice is not None:
        try:
            _set_invoice(found, invoice)
        except ValidationError as error:
            for name, field_errors in error.error_dict.items():
                errors[name] = field_errors
    if errors:
        raise ValidationError(errors)
    found.hours.all().delete()
    found.costs.all().delete()
    ProviderHour.objects.bulk_create(new_hours)
    ProviderCost.objects.bulk_create(new_costs)
    found.save()
    return found


def _not_future(day: date, field: str) -> None:
    if day > timezone.localdate():
        raise field_error(
            field,
            _("%(date)s is in the future: care is declared afterwards."),
            "future_day",
            date=format_date(day),
        )


def _cost(found: ProviderMonth, row: dict[str, Any]) -> ProviderCost:
    day = row.get("expense_date")
    if not isinstance(day, date):
        raise field_error("expense_date", _("Give the date."), "required")
    if month_start(day) != found.month:
        raise field_error(
            "expense_date",
            _("%(date)s lies outside %(month)s."),
            "date_outside_month",
            date=format_date(day),
            month=f"{found.month:%m-%Y}",
        )
    _not_future(day, "expense_date")
    kind = row.get("kind") or ExpenseKind.OTHER
    if kind not in ExpenseKind.values:
        raise field_error("kind", _("Choose travel or other costs."), "invalid_choice")
    km = row.get("kilometres")
    kilometres = None if km in (None, "") else parse_quantity(km, "kilometres")
    amount = parse_quantity(row.get("amount") or "0", "amount")
    if amount < 0 or (kilometres is not None and kilometres < 0):
        raise field_error("amount", _("%(value)s is negative."), "negative_value", value=amount)
    if kind == ExpenseKind.OTHER and amount == 0:
        raise field_error("amount", _("Give the amount."), "required")
    if kind == ExpenseKind.TRAVEL and not kilometres and amount == 0:
        raise field_error("kilometres", _("Give the kilometres."), "required")
    cost = ProviderCost(
        provider_month=found,
        expense_date=day,
        kind=kind,
        kilometres=kilometres,
        amount=amount.quantize(Decimal("0.01")),
        description=str(row.get("description") or "")[:500],
    )
    cost.full_clean(exclude=["provider_month"])
    return cost


def _set_invoice(found: ProviderMonth, invoice: dict[str, Any]) -> None:
    """The invoice's data (domain.md section 2.3, "Extra for an invoice": number and date).
    The file itself goes to the document archive, linked to this month by its id."""
    found.invoice_number = str(invoice.get("invoice_number") or "").strip()[:50]
    found.invoice_date = invoice.get("invoice_date") or None
    for name in ("invoice_amount", "invoice_vat"):
        value = invoice.get(name)
        number = None if value in (None, "") else parse_quantity(value, name)
        if number is not None and number < 0:
            raise field_error(name, _("%(value)s is negative."), "negative_value", value=number)
        setattr(found, name, None if number is None else number.quantize(Decimal("0.01")))
    if found.invoice_amount is not None and not found.invoice_number:
        raise field_error("invoice_number", _("Give the invoice number."), "required")


def provider_month_invoice_attach(
    *, actor: User, month_id: int, file: Any, filename: str
) -> Document:
    """The invoice file of the provider's own month, while they may still change it: checked
    (:func:`~declarations.documents.checks.document_check`) before anything is stored, then
    stored and recorded as an invoice of the holder's with the month's invoice data, in one
    transaction. Until the holder approves the month it is the provider's staged material
    (:meth:`~declarations.documents.models.DocumentQuerySet.counting` leaves it out).

    A second file for the month replaces the first: its row goes in the same transaction,
    its stored file once that commits (a rollback keeps it). If the new row cannot be
    written, the newly stored file is removed again. A file the holder has already (another
    month's, or the archive's) is refused: one file once per holder."""
    storage = documents_storage()
    name = ""
    try:
        with transaction.atomic():
            found = _own_month(actor, month_id, lock=True)
            _refuse_unless_editable(found)
            checked = document_check(file, filename)
            holder_id = found.agreement.holder_id
            if (
                Document.objects.filter(holder_id=holder_id, sha256=checked.sha256)
                .exclude(provider_month=found)
                .exists()
            ):
                raise field_error(
                    "file", _("This file was added for this budget holder already."), "duplicate"
                )
            replaced = Document.objects.filter(provider_month=found).first()
            if replaced is not None:
                replaced.delete()
                old_name = replaced.file_name
                transaction.on_commit(lambda: storage.delete(old_name))
            name = storage.save(
                stored_name(holder_id, checked.type.name), ContentFile(checked.content)
            )
            document = Document(
                holder_id=holder_id,
                kind=DocumentKind.INVOICE,
                title=_invoice_title(found),
                agreement=found.agreement,
                provider_month=found,
                file_name=name,
                media_type=checked.type.media_type,
                size=checked.size,
                sha256=checked.sha256,
                created_by=actor,
            )
            _invoice_data(document, found)
            document.full_clean()
            document.save()
    except BaseException:
        if name:
            storage.delete(name)
        raise
    return document


def _invoice_title(found: ProviderMonth) -> str:
    title = _("Invoice of %(provider)s for %(month)s") % {
        "provider": found.agreement.provider.name,
        "month": f"{found.month:%m-%Y}",
    }
    return title[: Document._meta.get_field("title").max_length]


def _invoice_data(document: Document, found: ProviderMonth) -> None:
    """The month's invoice data on its file: number, amount, VAT, and the invoice's date (the
    month's last day when none was given), from which its retention is counted."""
    document.invoice_number = found.invoice_number
    document.amount = found.invoice_amount
    document.vat_amount = found.invoice_vat
    document.document_date = found.invoice_date or month_end(found.month)
    document.retention_from = retention_start(
        kind=document.kind, document_date=document.document_date, valid_to=None, deadline=None
    )


@transaction.atomic
def provider_month_submit(*, actor: User, month_id: int) -> ProviderMonth:
    """Hand the month to the holder for review; the people who act for the holder get an
    e-mail (no BSN, no care detail) and see it in their list of months to review."""
    found = _own_month(actor, month_id, lock=True)
    _refuse_unless_editable(found)
    if not found.hours.exists() and not found.costs.exists() and found.invoice_amount is None:
        raise field_error("month", _("Enter care, costs or an invoice first."), "empty_month")
    found.status = ProviderMonthStatus.SUBMITTED
    found.submitted_at = timezone.now()
    found.entered_by = actor
    found.save()
    recipients = acting_addresses(found.agreement.holder_id)
    if recipients:
        subject = _("A month of care is waiting for your review")
        body = _(
            "%(provider)s entered the care of %(month)s under their agreement with %(holder)s. "
            "Review it in pgb-admin: approve it, or send it back with a reason. Nothing counts "
            "before you approve it."
        ) % {
            "provider": found.agreement.provider.name,
            "month": f"{found.month:%m-%Y}",
            "holder": holder_name(found.agreement),
        }
        transaction.on_commit(lambda: send_mail(subject, body, None, recipients))
    return found


def acting_addresses(holder_id: int) -> list[str]:
    """The e-mail addresses of those who act for the holder today."""
    return sorted(
        set(
            Mandate.objects.valid_on(timezone.localdate())
            .filter(holder_id=holder_id, role__in=ACTING_ROLES)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


# --- the holder's side -----------------------------------------------------------------------


def _reviewable(actor: User, month_id: int) -> ProviderMonth:
    found: ProviderMonth = get_editable(
        ProviderMonth.objects.select_related("agreement__provider", "agreement__holder"),
        actor,
        pk=month_id,
    )
    if found.status != ProviderMonthStatus.SUBMITTED:
        raise conflict(
            "status", _("This month is not waiting for review."), "provider_month_not_submitted"
        )
    return found


@transaction.atomic
def provider_month_send_back(*, actor: User, month_id: int, reason: str) -> ProviderMonth:
    found = _reviewable(actor, month_id)
    reason = reason.strip()
    if not reason:
        raise field_error("reason", _("Say why, so the provider knows what to change."), "required")
    found.status = ProviderMonthStatus.RETURNED
    found.return_reason = reason
    found.returned_at = timezone.now()
    found.returned_by = actor
    found.save()
    return found


@transaction.atomic
def provider_month_approve(*, actor: User, month_id: int) -> ProviderMonth:
    """Copy the month into the holder's entries and costs and draft its declaration: from now
    on it is the holder's entry. Its days replace the month's days of the agreement (one
    declaration per agreement per month, domain.md section 8)."""
    found = _reviewable(actor, month_id)
    _copy(actor, found)
    found.status = ProviderMonthStatus.APPROVED
    found.approved_at = timezone.now()
    found.approved_by = actor
    found.save()
    declaration = declaration_draft(actor=actor, agreement_id=found.agreement_id, month=found.month)
    _file_invoice(found, declaration)
    return found


def _file_invoice(found: ProviderMonth, declaration: Declaration) -> None:
    """The month's invoice file joins the archive: with the month's invoice data as approved,
    the declaration's grant, and behind the declaration (so its evidence pack holds it)."""
    document = Document.objects.filter(provider_month=found).first()
    if document is None:
        return
    _invoice_data(document, found)
    document.budget_id = declaration.budget_id
    document.full_clean()
    document.save()
    document.declarations.add(declaration)


def _copy(actor: User, found: ProviderMonth) -> None:
    entries = time_entries_set_month(
        actor=actor,
        agreement_id=found.agreement_id,
        month=found.month,
        entries=[
            {"care_date": row.care_date, "quantity": row.quantity, "note": row.note}
            for row in found.hours.all()
        ],
    )
    TimeEntry.objects.filter(pk__in=[entry.pk for entry in entries]).update(provider_month=found)
    Expense.objects.filter(
        agreement_id=found.agreement_id,
        expense_date__range=(found.month, month_end(found.month)),
        provider_month__isnull=False,
    ).delete()
    expense_ids = [
        expense_add(
            actor=actor,
            agreement_id=found.agreement_id,
            expense_date=cost.expense_date,
            kind=cost.kind,
            amount=cost.amount if cost.kind == ExpenseKind.OTHER or not cost.kilometres else None,
            kilometres=cost.kilometres,
            description=cost.description,
        ).pk
        for cost in found.costs.all()
    ]
    Expense.objects.filter(pk__in=expense_ids).update(provider_month=found)


@dataclass(frozen=True)
class PreviewFinding:
    severity: str
    severity_label: str
    message: str
    fix: str


@dataclass(frozen=True)
class Preview:
    findings: list[PreviewFinding]
    refusal: str  # why the month could not be taken over as it is (then no findings)


def provider_month_preview(*, actor: User, month_id: int) -> Preview:
    """The findings the validation would give if the holder approved the month now: the
    approval, the draft and the validation run for real in a savepoint that is then rolled
    back, so the pure engine sees exactly what an approval would give and nothing is kept
    (no rows, no log, no e-mail or task: on-commit hooks of a rolled-back block never run)."""
    found = _reviewable(actor, month_id)
    findings: list[PreviewFinding] = []
    refusal = ""
    with transaction.atomic():
        try:
            _copy(actor, found)
            declaration = declaration_draft(
                actor=actor, agreement_id=found.agreement_id, month=found.month
            )
            declaration_validate(actor=actor, declaration_ids=[declaration.pk])
            findings = [
                PreviewFinding(
                    finding.severity, finding.get_severity_display(), finding.message, finding.fix
                )
                for finding in declaration.findings.order_by("severity", "pk")
            ]
        except (ValidationError, Conflict) as error:
            refusal = "; ".join(_messages(error))
        transaction.set_rollback(True)
    return Preview(findings=findings, refusal=refusal)


def _messages(error: Exception) -> Iterable[str]:
    if isinstance(error, ValidationError):
        return [str(message) for message in error.messages]
    return [str(error)]
