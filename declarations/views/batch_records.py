"""The exports on a holder's page of entry aids and declarations, each with its declarations,
and the form to record for them what the user did (declared them in the PGB Portaal or to the
insurer) and what came back (paid, rejected). The declaration page's record form, for the
declarations of one export at once."""

from collections import defaultdict
from dataclasses import dataclass, field

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pgb_admin.core.dates import format_month
from pgb_admin.core.templatetags.pgb import euro

from ..constants import DeclarationStatus
from ..models import Batch, Declaration
from .record_forms import OUTCOMES, RecordForm

#: the tone of a declaration's status badge on the page
STATUS_TONES = {
    DeclarationStatus.EXPORTED: "active",
    DeclarationStatus.SUBMITTED: "info",
    DeclarationStatus.PAID: "ok",
    DeclarationStatus.REJECTED: "error",
}


class ExportRecordForm(RecordForm):
    """What happened to the ticked declarations of one export (all of them, unless unticked)."""

    declarations = forms.TypedMultipleChoiceField(
        label=_("Declarations"),
        coerce=int,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, data=None, *, batch: Batch, declarations: list[Declaration]) -> None:
        statuses = {declaration.status for declaration in declarations}
        status = (
            DeclarationStatus.EXPORTED
            if DeclarationStatus.EXPORTED in statuses
            else DeclarationStatus.SUBMITTED
        )
        initial = {
            "declarations": [declaration.pk for declaration in declarations],
            "on": timezone.localdate(),
        }
        super().__init__(data, status=status, prefix=f"export{batch.pk}", initial=initial)
        self.by_pk = {declaration.pk: declaration for declaration in declarations}
        self.fields["declarations"].choices = [  # type: ignore[attr-defined]
            (declaration.pk, declaration_label(declaration)) for declaration in declarations
        ]
        self.order_fields(["declarations", "outcome", "on", "evidence", "rejection_reason"])

    def clean(self) -> dict:
        data = super().clean() or {}
        chosen = [self.by_pk[pk] for pk in data.get("declarations") or []]
        if data.get("outcome") == DeclarationStatus.SUBMITTED:
            declared = [d for d in chosen if d.status != DeclarationStatus.EXPORTED]
            if declared:
                self.add_error(
                    "declarations",
                    _(
                        "Already recorded as declared: %(declarations)s. Untick those, or "
                        "record whether they were paid or rejected."
                    )
                    % {"declarations": "; ".join(d.agreement.provider.name for d in declared)},
                )
        return data


def declaration_label(declaration: Declaration) -> str:
    """``Zorg B.V. · oktober 2026 · € 1.234,50 · Declared (your record)``"""
    return " · ".join(
        (
            declaration.agreement.provider.name,
            format_month(declaration.month),
            euro(declaration.total_amount),
            str(declaration.get_status_display()),
        )
    )


@dataclass
class ExportOnPage:
    batch: Batch
    declarations: list[Declaration] = field(default_factory=list)
    skipped: list[tuple[Declaration, str]] = field(default_factory=list)
    record: ExportRecordForm | None = None

    @property
    def to_record(self) -> list[Declaration]:
        return [d for d in self.declarations if d.status in OUTCOMES]


def exports_on_page(
    *, user, holder, batches: list[Batch], can_write: bool, failed: ExportRecordForm | None = None
) -> list[ExportOnPage]:
    """The holder's declarations in each of ``batches`` and those the export left out, read in
    one query; and, for who may write, the record form of each export with anything left to
    record (``failed``: the form of the export just refused, with its errors)."""
    skipped_ids = {
        item["declaration_id"]
        for batch in batches
        for item in batch.skipped
        if isinstance(item, dict) and "declaration_id" in item
    }
    declarations = (
        Declaration.objects.visible_to(user)
        .filter(agreement__holder=holder)
        .filter(Q(batch__in=batches) | Q(pk__in=skipped_ids))
        .select_related("agreement__provider")
        .order_by("agreement__provider__name", "month", "pk")
    )
    in_batch: defaultdict[int, list[Declaration]] = defaultdict(list)
    by_pk: dict[int, Declaration] = {}
    for declaration in declarations:
        by_pk[declaration.pk] = declaration
        if declaration.batch_id is not None:
            in_batch[declaration.batch_id].append(declaration)
    exports = []
    for batch in batches:
        export = ExportOnPage(batch=batch, declarations=in_batch.get(batch.pk, []))
        for item in batch.skipped:
            pk = item.get("declaration_id") if isinstance(item, dict) else None
            skipped = by_pk.get(pk) if isinstance(pk, int) else None
            if skipped is not None:
                export.skipped.append((skipped, str(item.get("reason", ""))))
        if failed is not None and failed.prefix == f"export{batch.pk}":
            export.record = failed
        elif can_write and export.to_record:
            export.record = ExportRecordForm(batch=batch, declarations=export.to_record)
        exports.append(export)
    return exports
