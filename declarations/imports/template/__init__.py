"""Downloadable XLSX hour templates: the sheet the import reads, filled in with what pgb-admin
already knows, so a person types hours in Excel and uploads the file again.

What the template writes, and what the import must read back from it:

- sheet ``Uren`` (HOURS_SHEET); row 1 holds the Dutch headers of COLUMNS, in that order. The
  holders template adds "Budgethouder" and "Zorgverlener" after them, only for the human: the
  import ignores headers it does not know.
- a DAY ROW per agreement and per day on which one of its versions runs (days outside every
  version are left out): the agreement's pk, the date (a real Excel date), the quantity (the
  sum of the day's time entries, see :func:`~.rows.day_quantity`) and the note (see
  :func:`~.rows.day_note`). An empty quantity on a day row means: no care that day.
- a COST ROW per existing expense, after the day rows of its agreement: agreement, date,
  kind ("reiskosten"/"overig"), kilometres, amount and description, with the QUANTITY LEFT
  EMPTY. An empty quantity on a row that has a cost means "this row is only a cost": it does
  not clear the hours of that day. The costs of the agreement and month on the file are the
  costs of the month.
- SPARE ROWS (SPARE_ROWS of them) at the end for new costs: the person types the agreement,
  the date and the cost. Rows without any value are not rows.
- Cost rows and spare rows have their quantity and note locked: care is typed on the day rows
  only, so each day has one care row. A person removes a cost by emptying its cells; a row
  that keeps its agreement and date but has neither a quantity nor a cost then says nothing
  about the care of that day when the day's own row has a quantity (the quantity wins).
- Text is written through :func:`sheet_value` (a leading apostrophe before = + - @ tab CR LF
  NUL; control characters XML cannot hold are left out), so the import undoes the apostrophe
  with :func:`~.rows.restore_text` before comparing a note or description.
- Months whose declaration is exported (and not reopened by a correction) cannot change: the
  holders template leaves those agreements out (they are listed as such in the instructions);
  the template of one agreement shows them read-only.

The bytes depend only on the data: the document properties and the zip members carry fixed
dates, so the same data gives the same file.

Modules: ``rows`` (what is known, as rows), ``hours_sheet`` (the sheet the import reads, with
its data validations), ``instructions`` (the second sheet) and ``text`` (their words, through
gettext).
"""

import io
import zipfile
from collections import Counter
from datetime import date, datetime, time

from django.db.models import Exists, OuterRef

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from contracts.constants import AgreementType
from contracts.models import AgreementVersion, CareAgreement
from pgb_admin.audit.events import log_reads
from pgb_admin.audit.models import Action
from pgb_admin.core.files import FIXED_ZIP_TIME
from pgb_admin.core.periods import month_end, month_start, valid_during_q
from pgb_admin.figures.constants import RateUnit

from ..columns import HOURS_SHEET, INSTRUCTIONS_SHEET
from .hours_sheet import write_hours
from .instructions import write_instructions
from .rows import (
    SPARE_ROWS,
    AgreementMonth,
    Sheet,
    build,
    day_note,
    day_quantity,
    load,
    restore_text,
)

__all__ = [
    "SPARE_ROWS",
    "agreement_month_template",
    "day_note",
    "day_quantity",
    "holders_month_template",
    "restore_text",
]


def _workbook_bytes(sheet: Sheet, single: AgreementMonth | None) -> bytes:
    workbook = Workbook()
    hours = workbook.worksheets[0]  # the sheet a new workbook starts with
    hours.title = HOURS_SHEET
    write_hours(hours, sheet)
    write_instructions(workbook.create_sheet(INSTRUCTIONS_SHEET), sheet, single)
    workbook.active = 0
    moment = datetime.combine(sheet.month, time.min)
    workbook.properties.created = workbook.properties.modified = moment
    workbook.properties.creator = workbook.properties.lastModifiedBy = "pgb-admin"
    workbook.properties.title = f"Uren {sheet.month:%Y-%m}"
    buffer = io.BytesIO()
    # Workbook.save() stamps "modified" with the current time; the writer itself does not.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(workbook, archive).save()
    return _fixed_zip_times(buffer.getvalue())


def _fixed_zip_times(content: bytes) -> bytes:
    """The same members with a fixed date, so the file's bytes do not depend on the clock."""
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = member.external_attr
            target.writestr(info, source.read(member.filename))
    return output.getvalue()


def agreement_month_template(agreement: CareAgreement, month: date) -> bytes:
    """The hours template of one agreement and month (any day of the month will do). The
    caller has checked that the user may see the agreement."""
    month = month_start(month)
    (loaded,) = load([agreement], month)
    sheet = build(month, [loaded], with_people=False, skip_locked=False)
    return _workbook_bytes(sheet, loaded)


def holders_month_template(*, actor, month: date, holder_ids: list[int] | None = None) -> bytes:
    """The hours template of a month for every agreement ``actor`` may change (of
    ``holder_ids`` only, when given) that runs in the month, fixed monthly pay left out;
    ordered by the holder's surname. Agreements whose month is exported are listed in the
    instructions but have no rows. A fixed number of queries, whatever the number of
    agreements."""
    month = month_start(month)
    running = AgreementVersion.objects.filter(
        valid_during_q(month, month_end(month)), agreement_id=OuterRef("pk")
    ).exclude(unit=RateUnit.MONTH)
    agreements = (
        CareAgreement.objects.editable_by(actor)
        .exclude(agreement_type=AgreementType.EMPLOYMENT_FIXED)
        .filter(Exists(running))
        .select_related("holder", "provider")
        .order_by("holder__surname", "holder__initials", "holder_id", "pk")
    )
    if holder_ids is not None:
        agreements = agreements.filter(holder_id__in=holder_ids)
    chosen = list(agreements)
    log_reads(
        user=actor,
        action=Action.EXPORT,
        what="export:hours_template",
        holder_counts=Counter(agreement.holder_id for agreement in chosen),
    )
    loaded = load(chosen, month)
    for one in loaded:
        # Fixed monthly pay has no hours: versions per month are left out, here only.
        one.versions = [v for v in one.versions if v.unit != RateUnit.MONTH]
    sheet = build(month, loaded, with_people=True, skip_locked=True)
    return _workbook_bytes(sheet, None)
