"""A bureau's month for the fan-out tests: holders made by the demo's builder
(declarations/demo/bureau.py, what ``loaddemo --bureau-holders N`` makes), every third of them
with more hours than agreed and every fifth with a grant the month exceeds, so the validation
finds warnings and errors; and what a run of the month leaves behind, by value, to compare
two runs."""

import io
import itertools
import json
import re
import zipfile
from datetime import date, timedelta
from decimal import Decimal

from declarations.demo.bureau import bureau_holders_create
from declarations.models import Batch, BatchFile, Declaration, Finding, TimeEntry
from pgb_admin.budgets.models import Budget, Funder
from pgb_admin.core.models import TaskRun
from pgb_admin.core.periods import month_end

from ..factories import UserFactory, bsn_from

TUESDAY = 1


def bureau_month(count: int, month: date):
    """A bureau user acting for ``count`` holders with hours in ``month``; returns the user
    and the holders' ids."""
    user = UserFactory(username="fan-out-bureau")
    funders = list(Funder.objects.filter(code__in=["GM0518", "GM0106"]).order_by("code"))
    made = bureau_holders_create(
        user=user,
        count=count,
        bsns=(bsn_from(62_000_000 + n * 7) for n in itertools.count()),
        funders=funders,
        months=[month],
        year=month.year,
        seed=count,
    )
    tuesdays = [
        day
        for day in (month + timedelta(days=n) for n in range((month_end(month) - month).days + 1))
        if day.weekday() == TUESDAY
    ]
    TimeEntry.objects.bulk_create(
        TimeEntry(agreement_id=agreement_id, care_date=day, quantity=Decimal(6))
        for agreement_id in made.agreement_ids[::3]
        for day in tuesdays
    )
    # every fifth holder's grant is nearly spent: the month exceeds it
    Budget.objects.filter(holder_id__in=made.holder_ids[::5]).update(amount=Decimal("200.00"))
    return user, made.holder_ids


def month_outcome(month: date, runs: list[TaskRun]) -> dict:
    """What the month's draft, validation and export left: findings (rule, declaration,
    figures), statuses and amounts, the grants' declared totals, the runs' results and the
    batch files' bytes, keyed by channel, format and name (see ``_comparable``)."""
    declarations = Declaration.objects.filter(month=month)
    findings = Finding.objects.filter(declaration__month=month)
    files = BatchFile.objects.filter(batch__period=month).select_related("batch")
    return {
        "declarations": sorted(
            declarations.values_list("pk", "agreement_id", "status", "total_amount", "batch_id")
        ),
        "findings": sorted(
            (pk, rule, severity, json.dumps(params, sort_keys=True))
            for pk, rule, severity, params in findings.values_list(
                "declaration_id", "rule_code", "severity", "params"
            )
        ),
        "declared": sorted(Budget.objects.values_list("pk", "declared")),
        "batches": sorted(
            Batch.objects.filter(period=month).values_list(
                "pk", "channel", "declaration_count", "line_count", "total_amount"
            )
        ),
        "files": {
            (file.batch.channel, file.format, file.filename): _comparable(file) for file in files
        },
        "runs": [(run.kind, run.status, run.done, run.total, run.result) for run in runs],
    }


#: when openpyxl wrote the workbook: in its document properties (and each zip entry's time)
WRITTEN_AT = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
#: when the batch was made: "Exported at" on the summary sheet
EXPORTED_AT = re.compile(rb"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?: [A-Z]{2,5})?")


def _comparable(file: BatchFile) -> bytes | dict[str, bytes]:
    """A CSV's bytes as they are. A workbook (a zip) as its entries' bytes by name, with the
    moments it was written (docProps/core.xml) and its batch made (the summary sheet's
    "Exported at") blanked out: those and the zip's entry times are all that differs between
    two exports of the same month made a minute apart."""
    content = bytes(file.content)
    if not zipfile.is_zipfile(io.BytesIO(content)):
        return content
    with zipfile.ZipFile(io.BytesIO(content)) as workbook:
        return {
            name: EXPORTED_AT.sub(b"", WRITTEN_AT.sub(rb"\1\2", workbook.read(name)))
            for name in workbook.namelist()
        }
