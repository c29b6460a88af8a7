"""The holder's page of entry aids and declarations: recording there, for an export's
declarations, that they were declared, paid or rejected (the services of the declaration page
and the API); who may; and the files' sha256 shortened with a copy button."""

import re
from datetime import date

from django.urls import reverse
from django.utils import timezone, translation

import pytest

from declarations.constants import DeclarationStatus
from declarations.models import BatchFile, Declaration
from declarations.views.batch_records import ExportRecordForm

EVIDENCE = "PGB Portaal, betaaloverzicht 10-11-2026"


def _page_url(world, holder=None) -> str:
    return reverse("declarations:batches", args=[(holder or world.mine).pk])


def _record_url(world, holder=None, batch=None) -> str:
    holder, batch = holder or world.mine, batch or world.batch
    return reverse("declarations:record_export", args=[holder.pk, batch.pk])


def _record(client, world, holder=None, batch=None, **data):
    batch = batch or world.batch
    form = {f"export{batch.pk}-{key}": value for key, value in data.items()}
    form.setdefault(f"export{batch.pk}-declarations", [world.exported.pk])
    return client.post(_record_url(world, holder, batch), form)


def _status(world) -> str:
    return Declaration.objects.get(pk=world.exported.pk).status


def test_declared_then_paid_are_recorded_on_the_batch_page(login, api_world):
    client = login("representative", "en")
    page = client.get(_page_url(api_world)).content.decode()
    assert f'action="{_record_url(api_world)}"' in page
    assert "Record what happened" in page

    declared = _record(client, api_world, outcome="submitted", on="2026-10-03")
    assert declared.status_code == 302
    assert declared["Location"] == f"{_page_url(api_world)}#export-{api_world.batch.pk}"
    exported = Declaration.objects.get(pk=api_world.exported.pk)
    assert exported.status == DeclarationStatus.SUBMITTED
    assert timezone.localtime(exported.submitted_at).date() == date(2026, 10, 3)
    page = client.get(_page_url(api_world)).content.decode()
    assert "Recorded for 1 declaration." in page
    assert "Declared (your record)" in page

    # paid needs its evidence, as on the declaration page and in the API
    refused = _record(client, api_world, outcome="paid", on="2026-11-10")
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Give the evidence of the decision" in html
    assert '<details class="pgb-export__record" open>' in html
    assert _status(api_world) == DeclarationStatus.SUBMITTED

    paid = _record(client, api_world, outcome="paid", on="2026-11-10", evidence=EVIDENCE)
    assert paid.status_code == 302
    exported.refresh_from_db()
    assert exported.status == DeclarationStatus.PAID
    assert exported.settled_evidence == EVIDENCE
    assert exported.settled_recorded_by == api_world.users["representative"]
    assert timezone.localtime(exported.settled_at).date() == date(2026, 11, 10)

    # nothing left to record: no form, and a post is not found
    page = client.get(_page_url(api_world)).content.decode()
    assert _record_url(api_world) not in page
    assert "Paid (your record)" in page
    again = _record(client, api_world, outcome="paid", on="2026-11-10", evidence=EVIDENCE)
    assert again.status_code == 404


def test_a_rejection_needs_its_reason(login, api_world):
    client = login("holder", "en")
    refused = _record(client, api_world, outcome="rejected", on="2026-11-12", evidence="Brief")
    assert refused.status_code == 400
    assert "reason for the rejection" in refused.content.decode()
    assert _status(api_world) == DeclarationStatus.EXPORTED
    rejected = _record(
        client, api_world, outcome="rejected", on="2026-11-12", evidence="Brief SVB 12-11-2026",
        rejection_reason="Uren buiten de zorgovereenkomst",
    )  # fmt: skip
    assert rejected.status_code == 302
    exported = Declaration.objects.get(pk=api_world.exported.pk)
    assert exported.status == DeclarationStatus.REJECTED
    assert exported.rejection_reason == "Uren buiten de zorgovereenkomst"


def test_a_date_in_the_future_or_no_declaration_ticked_records_nothing(login, api_world):
    client = login("bureau", "en")
    future = _record(client, api_world, outcome="submitted", on="2026-11-24")
    assert future.status_code == 400
    assert "The date lies in the future." in future.content.decode()
    none_ticked = _record(
        client, api_world, outcome="submitted", on="2026-11-03",
        **{"declarations": []},
    )  # fmt: skip
    assert none_ticked.status_code == 400
    other = Declaration.objects.exclude(batch=api_world.batch).first()
    not_in_export = _record(
        client, api_world, outcome="submitted", on="2026-11-03", declarations=[other.pk]
    )
    assert not_in_export.status_code == 400
    assert _status(api_world) == DeclarationStatus.EXPORTED
    assert Declaration.objects.get(pk=other.pk).status == other.status


def test_declared_twice_is_refused_by_the_form(api_world):
    exported = Declaration.objects.select_related("agreement__provider").get(
        pk=api_world.exported.pk
    )
    declared = Declaration(
        pk=exported.pk + 10_000,
        agreement=exported.agreement,
        month=exported.month,
        total_amount=exported.total_amount,
        status=DeclarationStatus.SUBMITTED,
    )
    prefix = f"export{api_world.batch.pk}"
    with translation.override("en"):
        form = ExportRecordForm(
            {
                f"{prefix}-declarations": [exported.pk, declared.pk],
                f"{prefix}-outcome": "submitted",
                f"{prefix}-on": "2026-10-03",
            },
            batch=api_world.batch,
            declarations=[exported, declared],
        )
        assert not form.is_valid()
        assert "Already recorded as declared" in str(form.errors["declarations"])


@pytest.mark.parametrize(
    ("persona", "status"),
    [("family", 403), ("auditor_same", 403), ("stranger", 404), ("auditor_other", 404),
     ("expired", 404)],
)  # fmt: skip
def test_only_who_may_write_records_and_others_outside_get_a_404(login, api_world, persona, status):
    response = _record(login(persona), api_world, outcome="submitted", on="2026-11-03")
    assert response.status_code == status
    assert _status(api_world) == DeclarationStatus.EXPORTED


def test_an_export_of_another_holder_is_not_found(login, api_world):
    """The representative acts for both holders; the export is the first one's."""
    client = login("representative")
    response = _record(
        client, api_world, holder=api_world.sibling, outcome="submitted", on="2026-11-03"
    )
    assert response.status_code == 404
    assert _status(api_world) == DeclarationStatus.EXPORTED


def test_the_sha256_is_shortened_with_a_copy_button(login, api_world):
    html = login("holder").get(_page_url(api_world)).content.decode()
    files = list(BatchFile.objects.filter(batch=api_world.batch))
    assert files
    assert "pgb_admin/js/copy.js" in html
    for stored in files:
        full, short = stored.sha256, stored.sha256[:12]
        assert f'<code class="pgb-hash__short">{short}…</code>' in html
        # the full value only where a phone does not lay it out: the copy button's data, the
        # short one's tooltip and the text for screen readers
        assert html.count(full) == 3
        assert f'data-copy="{full}"' in html
        assert f'title="{full}"' in html
        assert f'<span class="visually-hidden">sha256 {full}</span>' in html
        assert re.search(r"<code[^>]*>[0-9a-f]{13,}", html) is None
    assert "hidden>Kopieer" in html  # shown by the script where the clipboard works
