"""What an SVB batch holds, and its stored files."""

from collections import Counter, defaultdict
from typing import cast

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pgb_admin.accounts.scoping import AnyUser, Scoped, get_visible
from pgb_admin.audit.events import log_reads
from pgb_admin.audit.models import Action
from pgb_admin.core.errors import NotFound

from ..exports import BatchContent, ExportDeclaration, ExportLine
from ..models import Batch, BatchFile, DeclarationLine


def batch_content(batch: Batch) -> BatchContent:
    """What goes into the batch files, read in a fixed number of queries."""
    declarations = list(
        batch.declarations.select_related(
            "agreement__holder", "agreement__provider", "budget"
        ).order_by("agreement__holder__surname", "agreement__holder_id", "agreement_id", "pk")
    )
    lines: defaultdict[int, list[ExportLine]] = defaultdict(list)
    products: dict[int, str] = {}
    for line in (
        DeclarationLine.objects.filter(declaration__batch=batch)
        .select_related("version__product")
        .order_by("declaration_id", "care_date")
    ):
        lines[line.declaration_id].append(
            ExportLine(line.care_date, line.quantity, line.unit, line.rate, line.amount)
        )
        if line.version is not None:
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
                scheme=d.budget.get_scheme_display() if d.budget is not None else "",
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


def batch_file(*, actor: AnyUser, batch_id: int, file_format: str) -> BatchFile:
    """A stored batch file, exactly as exported (the same bytes at every download). A
    download by someone else than the holder or their representative is access-logged."""
    # Scoped also asks for editable_by, which get_visible never calls and an immutable batch
    # does not have
    batch = get_visible(cast("Scoped[Batch]", Batch.objects), actor, pk=batch_id)
    try:
        stored = batch.files.get(format=file_format)
    except BatchFile.DoesNotExist:
        raise NotFound(_("Not found.")) from None
    holder_ids = batch.declarations.values_list("agreement__holder_id", flat=True)
    log_reads(
        user=actor,
        action=Action.EXPORT,
        what=f"file:svb_batch_{file_format}",
        holder_counts=Counter(holder_ids),
        object_pk=batch.pk,
    )
    return stored
