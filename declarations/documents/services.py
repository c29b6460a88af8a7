"""Writes to the document archive: an upload (checked, stored, recorded in one go) and the
retention clean-up."""

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from contracts.models import CareAgreement
from pgb_admin.accounts.models import User
from pgb_admin.accounts.scoping import get_editable
from pgb_admin.budgets.models import Budget, BudgetHolder

from ..constants import SETTLED_STATUSES, ProviderMonthStatus
from ..models import Declaration
from .checks import document_check
from .constants import DEFAULT_RETENTION_YEARS, DocumentKind
from .models import Document, retention_start

logger = logging.getLogger(__name__)


def documents_storage() -> Storage:
    """The named storage ``documents`` (``STORAGES``): the file system by default, object
    storage in production."""
    return storages["documents"]


def stored_name(holder_id: int, extension: str) -> str:
    """``<holder id>/<random>.<ext>``: nothing the uploader typed, no BSN."""
    return f"{holder_id}/{uuid.uuid4().hex}.{extension}"


@dataclass(frozen=True)
class DocumentData:
    """What the uploader says about the document; the links are ids of the holder's own."""

    kind: str
    document_date: date
    title: str = ""
    valid_from: date | None = None
    valid_to: date | None = None
    deadline: date | None = None
    budget_id: int | None = None
    agreement_id: int | None = None
    amends_id: int | None = None
    declaration_ids: tuple[int, ...] = ()
    invoice_number: str = ""
    amount: Decimal | None = None
    vat_amount: Decimal | None = None


def document_upload(
    *, actor: User, holder_id: int, data: DocumentData, file: Any, filename: str
) -> Document:
    """Add a document to the holder's archive. The content is checked before anything is
    stored (``checks``); the same file twice for one holder is refused, naming the first.
    The file is stored, then the row written in one transaction: if the row cannot be
    written the stored file is removed again, and if storing fails nothing is written.
    Out of scope: NotFound; read-only (auditor, family): ReadOnlyAccess."""
    holder = get_editable(BudgetHolder.objects, actor, pk=holder_id)
    links = _links(actor=actor, holder=holder, data=data)
    checked = document_check(file, filename)
    refuse_duplicate(holder.pk, checked.sha256)
    storage = documents_storage()
    name = storage.save(stored_name(holder.pk, checked.type.name), ContentFile(checked.content))
    try:
        with transaction.atomic():
            document = Document(
                holder=holder,
                kind=data.kind,
                title=data.title,
                document_date=data.document_date,
                valid_from=data.valid_from,
                valid_to=data.valid_to,
                deadline=data.deadline,
                budget=links["budget"],
                agreement=links["agreement"],
                amends=links["amends"],
                invoice_number=data.invoice_number,
                amount=data.amount,
                vat_amount=data.vat_amount,
                file_name=name,
                media_type=checked.type.media_type,
                size=checked.size,
                sha256=checked.sha256,
                retention_from=retention_start(
                    kind=data.kind,
                    document_date=data.document_date,
                    valid_to=data.valid_to,
                    deadline=data.deadline,
                ),
                created_by=actor,
            )
            document.full_clean()
            document.save()
            if links["declarations"]:
                document.declarations.set(links["declarations"])
    except BaseException:
        storage.delete(name)
        raise
    return document


def refuse_duplicate(holder_id: int, sha256: str) -> None:
    """Refuse a file the holder has already (one file once per holder), naming the first. A
    care provider's invoice file of a month not yet approved is named as such: it is not in
    the archive list yet."""
    earlier = (
        Document.objects.filter(holder_id=holder_id, sha256=sha256)
        .select_related("provider_month")
        .first()
    )
    if earlier is None:
        return
    staged = earlier.provider_month
    if staged is not None and staged.status != ProviderMonthStatus.APPROVED:
        message = _(
            "This file is a care provider's invoice of %(month)s already; it joins the "
            "archive when that month is approved."
        ) % {"month": f"{staged.month:%m-%Y}"}
    else:
        message = _("This file is in the archive already: %(document)s (number %(id)s).") % {
            "document": earlier,
            "id": earlier.pk,
        }
    raise ValidationError({"file": ValidationError(message, code="duplicate")})


def _links(*, actor: User, holder: BudgetHolder, data: DocumentData) -> dict[str, Any]:
    """The grant, agreement, amended agreement document and declarations, each the holder's
    own and visible to the actor; field errors otherwise."""
    errors: dict[str, str] = {}
    budget = agreement = amends = None
    if data.kind not in DocumentKind.values:
        errors["kind"] = _("Choose a kind of document.")
    if data.budget_id is not None:
        budget = Budget.objects.visible_to(actor).filter(holder=holder, pk=data.budget_id).first()
        if budget is None:
            errors["budget"] = _("Choose one of the holder's grants.")
    if data.agreement_id is not None:
        agreement = (
            CareAgreement.objects.visible_to(actor)
            .filter(holder=holder, pk=data.agreement_id)
            .first()
        )
        if agreement is None:
            errors["agreement"] = _("Choose one of the holder's care agreements.")
    if data.amends_id is not None:
        amends = Document.objects.filter(
            holder=holder, kind=DocumentKind.AGREEMENT, pk=data.amends_id
        ).first()
        if amends is None or data.kind != DocumentKind.AGREEMENT:
            errors["amends"] = _("A change refers to a signed agreement in this archive.")
    declarations = list(
        Declaration.objects.visible_to(actor).filter(
            agreement__holder=holder, pk__in=data.declaration_ids
        )
    )
    if len(declarations) != len(set(data.declaration_ids)):
        errors["declarations"] = _("Choose declarations of this holder.")
    if data.kind == DocumentKind.INVOICE:
        if not data.invoice_number:
            errors["invoice_number"] = _("An invoice has a number.")
        if data.amount is None:
            errors["amount"] = _("An invoice has an amount.")
    if data.vat_amount is not None and data.amount is not None and data.vat_amount > data.amount:
        errors["vat_amount"] = _("The VAT cannot be more than the amount.")
    if data.valid_from and data.valid_to and data.valid_to < data.valid_from:
        errors["valid_to"] = _("The end lies before the start.")
    if errors:
        raise ValidationError(errors)
    return {
        "budget": budget,
        "agreement": agreement,
        "amends": amends,
        "declarations": declarations,
    }


# --- retention -------------------------------------------------------------------------------


def retention_years(kind: str) -> int:
    return settings.DOCUMENT_RETENTION_YEARS.get(kind, DEFAULT_RETENTION_YEARS)


def years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier (29 February: the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def keep_until(document: Document) -> date:
    """The last day the document is kept for its retention period (removed the day after,
    unless held)."""
    return years_before(document.retention_from, -retention_years(document.kind))


def documents_due(today: date) -> QuerySet[Document]:
    """The documents past their retention period on ``today``: kept for the kind's years
    counted from ``retention_from`` up to and including that day, due the day after.
    Kept longer while on legal hold, or while a declaration they belong to is not settled
    (paid or rejected): the evidence of an open case."""
    open_declarations = Document.declarations.through.objects.filter(
        document_id=OuterRef("pk")
    ).exclude(declaration__status__in=SETTLED_STATUSES)
    due = Document.objects.none()
    for kind in DocumentKind.values:
        cutoff = years_before(today, retention_years(kind))
        due |= Document.objects.filter(kind=kind, retention_from__lt=cutoff)
    return due.filter(legal_hold=False).exclude(Exists(open_declarations))


@dataclass
class PurgedDocuments:
    """What one clean-up removed: the ids per kind (no names, no BSNs)."""

    removed: dict[str, list[int]] = field(default_factory=dict)
    missing_files: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(ids) for ids in self.removed.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "per_kind": {kind: len(ids) for kind, ids in self.removed.items()},
            "ids": self.removed,
            "missing_files": self.missing_files,
        }

    def summary(self) -> str:
        if not self.count:
            return "Removed no documents."
        parts = ", ".join(
            f"{len(ids)} {kind} ({retention_years(kind)} years; ids {', '.join(map(str, ids))})"
            for kind, ids in self.removed.items()
        )
        return f"Removed {self.count} documents: {parts}."


def documents_purge(*, today: date | None = None) -> PurgedDocuments:
    """Remove the documents past their retention period (:func:`documents_due`): the rows in
    one transaction, then their files; logs and returns what it removed. Running it twice
    removes nothing the second time; a file already gone is reported, not an error."""
    today = today or timezone.localdate()
    with transaction.atomic():
        due = list(
            documents_due(today)
            .select_for_update()
            .order_by("kind", "pk")
            .values_list("pk", "kind", "file_name")
        )
        Document.objects.filter(pk__in=[pk for pk, _kind, _name in due]).delete()
    purged = PurgedDocuments()
    storage = documents_storage()
    for pk, kind, name in due:
        purged.removed.setdefault(kind, []).append(pk)
        if storage.exists(name):
            storage.delete(name)
        else:
            purged.missing_files.append(pk)
    logger.info("Document retention clean-up: %s", purged.summary())
    return purged
