"""Exports of a month: the validated declarations, each in one export only (also when two
exports run at once), an export per channel: the PGB Portaal entry aid for what is declared
through the SVB, the insurer declaration for a Zvw pgb the insurer pays. Nothing is sent: the
holder types the entry aid into the Portaal, or sends the declaration to the insurer. Also
starting exports in the background, as the API and the bureau console do."""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pgb_admin.accounts.models import User
from pgb_admin.accounts.scoping import get_editable, refuse_auditors
from pgb_admin.audit.models import Action
from pgb_admin.budgets.constants import Channel
from pgb_admin.budgets.models import BudgetHolder, Funder
from pgb_admin.core.errors import Conflict
from pgb_admin.core.files import export_name, sha256
from pgb_admin.core.models import TaskRun
from pgb_admin.core.periods import month_start

from ..constants import OPEN_STATUSES, DeclarationStatus, Severity
from ..exports import write_csv, write_insurer_xlsx, write_xlsx
from ..models import Batch, BatchFile, Declaration, Finding
from ..selectors.batches import batch_content, channel_q
from ..selectors.bureau import exportable_holder_ids
from .common import log_bulk

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


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
    task_run: TaskRun | None = None,
    channel: Channel = Channel.SVB,
) -> Batch:
    """Export the month's validated declarations of one channel that the actor may change
    (optionally of one holder or one funder). Declarations with open errors or unacknowledged
    warnings stay out and are listed with the reason. Each declaration lands in one export
    only, also when two exports of the month run at the same time. Only declarations of the
    channel go in: a Zvw pgb the insurer pays is never in a PGB Portaal entry aid."""
    refuse_auditors(actor)
    month = month_start(month)
    channel = Channel(channel)
    scope = Declaration.objects.editable_by(actor).filter(month=month).filter(channel_q(channel))
    holder = None
    if holder_id is not None:
        holder = get_editable(BudgetHolder.objects, actor, pk=holder_id)
        scope = scope.filter(agreement__holder=holder)
    if funder is not None:
        scope = scope.filter(budget__funder=funder)
    candidates = list(
        scope.filter(status__in=OPEN_STATUSES).order_by("pk").values_list("pk", "status")
    )
    blocked = _blocking_findings([pk for pk, _status in candidates])
    exportable: list[int] = []
    skipped: list[dict[str, int | str]] = []
    for pk, status in candidates:
        reason = _skip_reason(status, blocked.get(pk, set()))
        if reason:
            skipped.append({"declaration_id": pk, "reason": str(reason)})
        else:
            exportable.append(pk)
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
        channel=channel,
        created_by=actor if actor.pk else None,
        total_amount=0,
        skipped=skipped,
        task_run=task_run,
    )
    claimed = Declaration.objects.filter(
        pk__in=exportable, status=DeclarationStatus.VALIDATED, batch__isnull=True
    ).update(status=DeclarationStatus.EXPORTED, batch=batch, updated_at=timezone.now())
    exported = Declaration.objects.filter(batch=batch)
    log_bulk(
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
    # the entry aid and the insurer declaration are also printable pages, made from the frozen
    # declarations (views.batches); the files are for the records and for the insurer
    xlsx = write_insurer_xlsx if channel == Channel.INSURER else write_xlsx
    for file_format, writer in (
        (BatchFile.Format.XLSX, xlsx),
        (BatchFile.Format.CSV, write_csv),
    ):
        data = writer(content)
        BatchFile.objects.create(
            batch=batch,
            format=file_format,
            filename=export_name(channel, month, batch.pk, file_format),
            content=data,
            size=len(data),
            sha256=sha256(data),
        )
    return batch


@transaction.atomic
def month_export(
    *,
    actor: User,
    month: date,
    holder_id: int | None = None,
    funder: Funder | None = None,
    task_run: TaskRun | None = None,
) -> list[Batch]:
    """Export the month once per channel that has something ready: the PGB Portaal entry aid
    (SVB) first, then the insurer declaration. The task run, if any, goes with the first
    export (a repeated task finds it and, as all were made in one transaction, the others).
    Nothing ready in any channel raises :class:`NothingToExport`."""
    batches: list[Batch] = []
    nothing: list[NothingToExport] = []
    for channel in (Channel.SVB, Channel.INSURER):
        try:
            with transaction.atomic():
                batches.append(
                    batch_export(
                        actor=actor,
                        month=month,
                        holder_id=holder_id,
                        funder=funder,
                        task_run=None if batches else task_run,
                        channel=channel,
                    )
                )
        except ExportedElsewhere:
            raise
        except NothingToExport as error:
            nothing.append(error)
    if not batches:
        raise nothing[0]
    return batches


def _blocking_findings(declaration_ids: Collection[int]) -> dict[int, set[str]]:
    blocked: defaultdict[int, set[str]] = defaultdict(set)
    for declaration_id, severity in (
        Finding.objects.filter(declaration_id__in=declaration_ids)
        .open()
        .values_list("declaration_id", "severity")
    ):
        blocked[declaration_id].add(severity)
    return blocked


def _skip_reason(status: str, open_severities: set[str]) -> "StrOrPromise | None":
    if Severity.ERROR in open_severities:
        return _("open errors")
    if status != DeclarationStatus.VALIDATED:
        return _("not validated")
    if Severity.WARNING in open_severities:
        return _("warnings not acknowledged")
    return None


# --- exports in the background -------------------------------------------------------------------


def export_run_create(*, actor: User, holder_id: int | None = None) -> TaskRun:
    """The run a background export reports on. It is about the holder; an export of all the
    actor's holders is about the holders in its exports, which the task adds once made."""
    run = TaskRun.objects.create(kind="export", created_by=actor, total=1)
    if holder_id is not None:
        run.holders.add(holder_id)
    return run


@dataclass
class ExportStart:
    month: date
    runs: list[tuple[TaskRun, int | None]]  # each export's run and the holder it exports
    left_out: int  # chosen holders with nothing ready for export


@transaction.atomic
def bureau_export(*, actor: User, month: date, holder_ids: list[int]) -> ExportStart:
    """The runs that export the month's ready declarations of the chosen holders in the
    background (an export per channel each): one run when they are all that the actor's
    month holds (or one holder), else a run per holder. The export puts a declaration in one
    export only, so a second submit of the same form exports nothing twice."""
    chosen = set(holder_ids)
    month_wide = exportable_holder_ids(actor, month)
    ready = chosen & month_wide
    if not ready:
        raise ValidationError(
            _(
                "Nothing of the chosen holders can be exported in %(month)s: no validated "
                "declaration without open findings."
            ),
            code="nothing_to_export",
            params={"month": f"{month:%m-%Y}"},
        )
    exports: list[int | None]
    if len(ready) == 1:
        (holder_id,) = ready
        exports = [holder_id]
    elif ready == month_wide:
        exports = [None]
    else:
        exports = [*sorted(ready)]
    runs = [(export_run_create(actor=actor, holder_id=h), h) for h in exports]
    return ExportStart(month=month, runs=runs, left_out=len(chosen - ready))
