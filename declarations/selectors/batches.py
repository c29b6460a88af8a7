"""What an export holds (the SVB's entry aid or the insurer's declaration), its stored files,
and the one rule that says through which channel a declaration is declared."""

from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.db.models import Case, CharField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.constants import EMPLOYMENT_TYPES
from pgb_admin.accounts.scoping import AnyUser, Scoped, get_visible
from pgb_admin.audit.events import log_reads
from pgb_admin.audit.models import Action
from pgb_admin.budgets.constants import CHANNEL_OF_FUNDER_KIND, Channel, Scheme
from pgb_admin.budgets.models import CareProduct
from pgb_admin.core.errors import NotFound

from ..exports import BatchContent, ExportDeclaration, ExportLine
from ..models import Batch, BatchFile, DeclarationLine

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_Q = TypeVar("_Q", bound=QuerySet[Any, Any])

# --- the channel: the one place that decides it ---------------------------------------------


def _through_svb_q(prefix: str = "") -> Q:
    """A declaration goes through the SVB (typed into the PGB Portaal, paid by the SVB) when
    its grant's funder declares through the SVB (trekkingsrecht: Wmo, Jeugdwet, Wlz; or a
    funder set so), or when the grant is a Zvw pgb whose insurer has the SVB run the payroll
    and the agreement is an employment (the insurer pays the rest itself). Sources: svb.nl
    "Declareren voor uw zorgverlener"; mijnpgb.nl "Declaraties en maandloon"; the Zvw pgb
    payroll by the SVB: svb.nl "Pgb uit de Zorgverzekeringswet" (unverified in detail).

    A declaration without a grant yet goes through the SVB, as before there were channels:
    it cannot pass the checks that make it exportable without a grant of the agreement."""
    svb_kinds = sorted(kind for kind, channel in CHANNEL_OF_FUNDER_KIND.items()
                       if channel == Channel.SVB)  # fmt: skip
    funder = f"{prefix}budget__funder__"
    return (
        Q(**{f"{prefix}budget__isnull": True})
        | Q(**{f"{funder}channel": Channel.SVB})
        | Q(**{f"{funder}channel": "", f"{funder}kind__in": svb_kinds})
        | Q(
            **{
                f"{prefix}budget__svb_payroll": True,
                f"{prefix}agreement__agreement_type__in": sorted(EMPLOYMENT_TYPES),
            }
        )
    )


def channel_q(channel: Channel | str, prefix: str = "") -> Q:
    """The declarations (behind ``prefix``) declared through ``channel``."""
    through_svb = _through_svb_q(prefix)
    return through_svb if channel == Channel.SVB else ~through_svb


def with_channel(declarations: _Q) -> _Q:
    """The declarations annotated with ``channel``: ``svb`` or ``insurer``."""
    return declarations.annotate(
        channel=Case(
            When(_through_svb_q(), then=Value(Channel.SVB.value)),
            default=Value(Channel.INSURER.value),
            output_field=CharField(),
        )
    )


# --- what an export holds -------------------------------------------------------------------


def batch_content(batch: Batch) -> BatchContent:
    """What goes into the export's files and pages, read in a fixed number of queries (rows as
    tuples: a batch holds tens of thousands of lines)."""
    lines: defaultdict[int, list[ExportLine]] = defaultdict(list)
    product_ids: dict[int, int] = {}  # declaration -> the product of its first line with one
    for declaration_id, care_date, quantity, unit, rate, amount, product_id in (
        DeclarationLine.objects.filter(declaration__batch=batch)
        .order_by("declaration_id", "care_date")
        .values_list(
            "declaration_id", "care_date", "quantity", "unit", "rate", "amount",
            "version__product_id",
        )
    ):  # fmt: skip
        lines[declaration_id].append(ExportLine(care_date, quantity, unit, rate, amount))
        if product_id is not None and declaration_id not in product_ids:
            product_ids[declaration_id] = product_id
    products = CareProduct.objects.in_bulk(set(product_ids.values()))
    schemes = {value: str(label) for value, label in Scheme.choices}
    declarations = [
        ExportDeclaration(
            declaration_id=pk,
            corrects_id=corrects_id,
            month=month,
            holder_name=f"{initials} {surname}",
            holder_svb_client_number=svb_client_number,
            agreement_svb_number=svb_agreement_number,
            provider_name=provider_name,
            provider_agb_code=agb_code,
            provider_kvk_number=kvk_number,
            # no grant: no scheme (a value outside the choices shows as it is, as Django does)
            scheme="" if scheme is None else schemes.get(scheme, scheme),
            care_product=products[product_ids[pk]].name if pk in product_ids else "",
            travel_kilometres=travel_kilometres,
            travel_amount=travel_amount,
            other_amount=other_amount,
            total_amount=total_amount,
            lines=lines[pk],
            care_amount=care_amount,
            invoice_number=invoice_number,
        )
        for (pk, corrects_id, month, initials, surname, svb_client_number, svb_agreement_number,
             provider_name, agb_code, kvk_number, scheme, travel_kilometres, travel_amount,
             other_amount, total_amount, care_amount, invoice_number)
        in batch.declarations.order_by(
            "agreement__holder__surname", "agreement__holder_id", "agreement_id", "pk"
        ).values_list(
            "pk", "corrects_id", "month", "agreement__holder__initials",
            "agreement__holder__surname", "agreement__holder__svb_client_number",
            "agreement__svb_agreement_number", "agreement__provider__name",
            "agreement__provider__agb_code", "agreement__provider__kvk_number", "budget__scheme",
            "travel_kilometres", "travel_amount", "other_amount", "total_amount", "care_amount",
            "invoice_number",
        )
    ]  # fmt: skip
    return BatchContent(
        batch_id=batch.pk,
        period=batch.period,
        created_at=timezone.localtime(batch.created_at),
        created_by=batch.created_by.get_username() if batch.created_by else "",
        channel=batch.channel,
        declarations=declarations,
        skipped=batch.skipped,
    )


def batch_for_page(*, actor: AnyUser, batch_id: int) -> Batch:
    """An export the actor may see, for its printable page (404 otherwise). Its content is
    what was exported: the declarations in it are frozen. The read is access-logged like a
    download."""
    batch = get_visible(cast("Scoped[Batch]", Batch.objects), actor, pk=batch_id)
    _log_read(actor, batch, "page")
    return batch


def batch_file(*, actor: AnyUser, batch_id: int, file_format: str) -> BatchFile:
    """A stored export file, exactly as exported (the same bytes at every download). A
    download by someone else than the holder or their representative is access-logged."""
    # Scoped also asks for editable_by, which get_visible never calls and an immutable batch
    # does not have
    batch = get_visible(cast("Scoped[Batch]", Batch.objects), actor, pk=batch_id)
    try:
        stored = batch.files.get(format=file_format)
    except BatchFile.DoesNotExist:
        raise NotFound(_("Not found.")) from None
    _log_read(actor, batch, file_format)
    return stored


def _log_read(actor: AnyUser, batch: Batch, what: str) -> None:
    holder_ids = batch.declarations.values_list("agreement__holder_id", flat=True)
    log_reads(
        user=actor,
        action=Action.EXPORT,
        # the key the access log has always used for these files
        what=f"file:svb_batch_{what}",
        holder_counts=Counter(holder_ids),
        object_pk=batch.pk,
    )


def channel_title(channel: str) -> "StrOrPromise":
    """What an export of the channel is called on the pages and in the files."""
    if channel == Channel.INSURER:
        return _("Insurer declaration")
    return _("PGB Portaal entry aid")
