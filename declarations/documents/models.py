"""A document in a holder's archive: its kind and the dates and amounts of that kind, what it
belongs to (a grant, a care agreement, declarations), and the stored file (generated name,
media type, size, sha256)."""

from datetime import date
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pgb_admin.accounts.scoping import ScopedQuerySet
from pgb_admin.budgets.models import holder_ids_with_grants_of
from pgb_admin.core.fields import SupportedDateField

from ..constants import ProviderMonthStatus
from .constants import FILE_STEMS, DocumentKind


class DocumentQuerySet(ScopedQuerySet["Document"]):
    holder_field = "holder_id"

    def counting(self) -> Self:
        """The documents of the archive proper: all but a care provider's invoice file of a
        month the holder has not approved (the provider's staged material, like the month
        itself). Every read of the archive (its list, a document, the year statement, the
        evidence pack, an auditor's look) starts here."""
        return self.filter(
            Q(provider_month__isnull=True) | Q(provider_month__status=ProviderMonthStatus.APPROVED)
        )

    def audited_q(self, funder_ids: models.QuerySet[Any, Any]) -> Q:
        """An auditor of a funder sees the documents of its grants, and those of no grant of
        the holders it funds (letters, invoices); not a decision of another funder's grant."""
        return Q(budget__funder_id__in=funder_ids, budget__holder__duplicate_of__isnull=True) | Q(
            budget__isnull=True, holder_id__in=holder_ids_with_grants_of(funder_ids)
        )

    def of_year(self, year: int) -> Self:
        return self.filter(document_date__year=year)


class Document(models.Model):
    holder = models.ForeignKey(
        "budgets.BudgetHolder",
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("budget holder"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("description"), max_length=200, blank=True)
    document_date = SupportedDateField(
        _("date"),
        help_text=_(
            "The date on the document: of the decision, the signing, the invoice, the letter "
            "or the objection."
        ),
    )
    valid_from = SupportedDateField(_("valid from"), null=True, blank=True)
    valid_to = SupportedDateField(_("valid until"), null=True, blank=True)
    deadline = SupportedDateField(
        _("deadline"),
        null=True,
        blank=True,
        help_text=_("E.g. the last day to object, or to answer a letter."),
    )
    budget = models.ForeignKey(
        "budgets.Budget",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("grant"),
    )
    agreement = models.ForeignKey(
        "contracts.CareAgreement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("care agreement"),
    )
    amends = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
        verbose_name=_("changes the agreement"),
    )
    declarations = models.ManyToManyField(
        "declarations.Declaration",
        blank=True,
        related_name="documents",
        verbose_name=_("declarations"),
    )
    # a care provider's invoice file of one month (issue 19). PROTECT, not SET_NULL: a
    # document that lost its month would silently count (``counting`` reads a document of no
    # month as the archive's own), so a month with a file is not removed under it; the file
    # goes with its retention period, or when the provider replaces it.
    provider_month = models.OneToOneField(
        "declarations.ProviderMonth",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoice_document",
        verbose_name=_("provider month"),
    )
    invoice_number = models.CharField(_("invoice number"), max_length=50, blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    vat_amount = models.DecimalField(
        _("VAT amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # the file: its name in the "documents" storage is generated, never the uploaded name
    file_name = models.CharField(_("stored file"), max_length=200, unique=True, editable=False)
    media_type = models.CharField(_("media type"), max_length=50, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), editable=False)
    sha256 = models.CharField(_("sha256"), max_length=64, editable=False)
    # retention: kept DOCUMENT_RETENTION_YEARS[kind] years from this day, then removed
    retention_from = SupportedDateField(_("retained from"), editable=False)
    legal_hold = models.BooleanField(
        _("legal hold"),
        default=False,
        help_text=_("Kept past its retention period while set (a dispute, an investigation)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-document_date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["holder", "sha256"], name="document_once_per_holder"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="document_valid_to_after_from",
            ),
        ]
        indexes = [models.Index(fields=["kind", "retention_from"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.document_date:%Y-%m-%d}"

    @property
    def download_name(self) -> str:
        """``<kind>-<date>-<id>.<ext>`` in Dutch, e.g. ``factuur-2026-10-31-12.pdf``."""
        extension = self.file_name.rsplit(".", 1)[-1]
        stem = FILE_STEMS[DocumentKind(self.kind)]
        return f"{stem}-{self.document_date:%Y-%m-%d}-{self.pk}.{extension}"


def retention_start(
    *, kind: str, document_date: date, valid_to: date | None, deadline: date | None
) -> date:
    """The day a document's retention period is counted from: a decision or an agreement
    from the end of what it covers (it is evidence while it is in force), an objection from
    its deadline when that is later, everything else from its own date."""
    start = document_date
    if kind in (DocumentKind.DECISION, DocumentKind.AGREEMENT) and valid_to is not None:
        start = max(start, valid_to)
    if kind == DocumentKind.OBJECTION and deadline is not None:
        start = max(start, deadline)
    return start
