"""The holder's document archive: hostile uploads are refused with nothing stored (no row, no
file), harmless ones are stored once with their checksum; the retention clean-up removes
exactly what is due; the pages are scoped, read-only for auditors and logged."""

import io
import zipfile
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

import pytest

from declarations.constants import DeclarationStatus
from declarations.documents.checks import CHUNK_BYTES, document_check
from declarations.documents.constants import DocumentKind
from declarations.documents.services import (
    DocumentData,
    document_upload,
    documents_purge,
    keep_until,
)
from declarations.models import Declaration, Document
from declarations.tasks import documents_purge_task
from pgb_admin.accounts.scoping import ReadOnlyAccess
from pgb_admin.audit.models import AccessEvent
from pgb_admin.core.errors import NotFound
from reports.evidence import evidence_pack

from .hostile import corpus, ids
from .hostile_documents import MB, harmless, hostile, jpeg, pdf, png

HOSTILE = hostile()
HARMLESS_IN_CORPUS = {"pdf.xlsx.pdf", "ascii-pdf.xlsx.pdf"}


def _upload(world, content: bytes, name: str, *, user="holder", **data):
    data.setdefault("kind", DocumentKind.LETTER)
    data.setdefault("document_date", date(2026, 10, 1))
    return document_upload(
        actor=world.users[user],
        holder_id=data.pop("holder", world.mine).pk,
        data=DocumentData(**data),
        file=SimpleUploadedFile(name, content),
        filename=name,
    )


def _code(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return next(e.code for errors in error.error_dict.values() for e in errors)
    return error.code or ""


# --- hostile uploads -----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content", "expected"), HOSTILE, ids=[c.name for c in HOSTILE])
def test_a_hostile_document_is_refused_and_nothing_is_stored(
    world, archive, name, content, expected
):
    with pytest.raises(ValidationError) as refused:
        _upload(world, content, name)
    assert _code(refused.value) == expected
    assert not Document.objects.exists()
    assert archive() == []


@pytest.mark.parametrize("case", corpus(), ids=ids())
def test_the_hostile_spreadsheet_corpus_is_refused_as_documents(world, archive, case):
    """Every file of the hours reader's corpus, under its own name and named as a PDF, a PNG
    and a JPEG: refused with a code, none stored. (One is a harmless PDF, ``pdf.xlsx``: named
    ``.pdf`` it is a document like any other, and stored.)"""
    for name in (case.name, f"{case.name}.pdf", f"{case.name}.png", f"{case.name}.jpg"):
        if name in HARMLESS_IN_CORPUS:
            _upload(world, case.content, name)
            Document.objects.all().delete()
            for stored in archive():
                stored.unlink()
            continue
        with pytest.raises(ValidationError) as refused:
            _upload(world, case.content, name)
        assert _code(refused.value) in {
            "type_not_allowed",
            "extension_mismatch",
            "empty",
            "polyglot",
            "unreadable",
            "too_large",
        }
    assert not Document.objects.exists()
    assert archive() == []


class Endless:
    """An upload that never ends, counting what was read of it (no size known up front)."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        chunk = (b"%PDF-1.7\n" if not self.read_bytes else b"") + b"x" * (size - 9)
        self.read_bytes += len(chunk)
        return chunk


def test_an_oversized_upload_is_read_in_chunks_not_whole(settings):
    settings.DOCUMENT_MAX_BYTES = 2 * MB
    endless = Endless()
    with pytest.raises(ValidationError) as refused:
        document_check(endless, "groot.pdf")
    assert refused.value.code == "too_large"
    assert endless.read_bytes <= 2 * MB + CHUNK_BYTES


def test_an_object_stream_bomb_is_inflated_no_further_than_the_cap(settings):
    settings.DOCUMENT_PDF_INFLATE_MAX_BYTES = 1 * MB
    bomb = pdf(object_stream=b"<< /Type /Catalog >>" + b" " * (2 * MB))
    with pytest.raises(ValidationError) as refused:
        document_check(io.BytesIO(bomb), "bom.pdf")
    assert refused.value.code == "too_large"


# --- harmless uploads ------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content"), harmless(), ids=[n for n, _c in harmless()])
def test_a_harmless_document_is_stored_with_its_checksum(world, archive, name, content):
    document = _upload(world, content, name)
    (stored,) = archive()
    assert stored.read_bytes() == content
    assert document.size == len(content)
    assert document.sha256 == __import__("hashlib").sha256(content).hexdigest()
    assert name.lower() not in document.file_name.lower()
    assert document.file_name.startswith(f"{world.mine.pk}/")
    assert world.mine.bsn not in document.file_name


def test_the_same_file_twice_for_one_holder_is_recognised(world, archive):
    first = _upload(world, pdf(), "a.pdf")
    with pytest.raises(ValidationError) as refused:
        _upload(
            world,
            pdf(),
            "b.pdf",
            kind=DocumentKind.INVOICE,
            invoice_number="1",
            amount=Decimal("10.00"),
        )
    assert _code(refused.value) == "duplicate"
    assert str(first.pk) in str(refused.value)
    assert Document.objects.count() == 1
    assert len(archive()) == 1
    # another holder may have the same file
    _upload(world, pdf(), "a.pdf", holder=world.theirs, user="staff")
    assert len(archive()) == 2


def test_when_the_row_cannot_be_written_the_stored_file_is_removed(world, archive):
    with pytest.raises(ValidationError):
        _upload(world, pdf(), "a.pdf", title="x" * 201)
    assert not Document.objects.exists()
    assert archive() == []


class FailingStorage:
    def save(self, name, content, max_length=None):
        raise OSError("disk full")


def test_when_storing_fails_nothing_is_written(world, settings, monkeypatch):
    from declarations.documents import services

    monkeypatch.setattr(services, "documents_storage", FailingStorage)
    with pytest.raises(OSError, match="disk full"):
        _upload(world, pdf(), "a.pdf")
    assert not Document.objects.exists()


def test_links_must_be_the_holders_own(world, archive):
    with pytest.raises(ValidationError) as refused:
        _upload(
            world,
            pdf(),
            "a.pdf",
            kind=DocumentKind.DECISION,
            budget_id=world.theirs_budget.pk,
            agreement_id=world.theirs_agreement.pk,
        )
    assert set(refused.value.error_dict) == {"budget", "agreement"}
    with pytest.raises(ValidationError) as refused:
        _upload(world, pdf(), "a.pdf", kind=DocumentKind.INVOICE)
    assert set(refused.value.error_dict) == {"invoice_number", "amount"}
    assert archive() == []


def test_auditors_and_strangers_cannot_upload(world, archive):
    for user in ("auditor_same", "family"):
        with pytest.raises(ReadOnlyAccess):
            _upload(world, pdf(), "a.pdf", user=user)
    with pytest.raises(NotFound):
        _upload(world, pdf(), "a.pdf", user="stranger")
    assert archive() == []


# --- retention -------------------------------------------------------------------------------


def _documents(world):
    """One of each kind, with the day its retention is counted from."""
    made = {}
    made["invoice"] = _upload(
        world,
        pdf(text="factuur"),
        "f.pdf",
        kind=DocumentKind.INVOICE,
        document_date=date(2019, 11, 23),
        invoice_number="F-1",
        amount=Decimal("121.00"),
        vat_amount=Decimal("21.00"),
    )
    made["decision"] = _upload(
        world,
        pdf(text="besluit"),
        "b.pdf",
        kind=DocumentKind.DECISION,
        document_date=date(2018, 1, 5),
        valid_from=date(2018, 1, 1),
        valid_to=date(2019, 12, 31),
        budget_id=world.mine_wmo_budget.pk,
    )
    made["objection"] = _upload(
        world,
        png("bezwaar"),
        "o.png",
        kind=DocumentKind.OBJECTION,
        document_date=date(2019, 1, 10),
        deadline=date(2019, 2, 21),
    )
    made["leap"] = _upload(
        world, jpeg("brief"), "l.jpg", kind=DocumentKind.LETTER, document_date=date(2020, 2, 29)
    )
    return made


def test_retention_is_counted_from_a_date_per_kind(world, archive):
    made = _documents(world)
    assert keep_until(made["invoice"]) == date(2026, 11, 23)
    assert keep_until(made["decision"]) == date(2026, 12, 31)  # from the end of its validity
    assert keep_until(made["objection"]) == date(2026, 2, 21)  # from its deadline
    assert keep_until(made["leap"]) == date(2027, 2, 28)


def test_the_clean_up_removes_exactly_what_is_due_on_the_boundary_days(world, archive):
    made = _documents(world)
    steps = [
        (date(2026, 2, 21), set()),
        (date(2026, 2, 22), {"objection"}),
        (date(2026, 11, 23), set()),
        (date(2026, 11, 24), {"invoice"}),
        (date(2026, 12, 31), set()),
        (date(2027, 1, 1), {"decision"}),
        (date(2027, 2, 28), set()),
        (date(2027, 3, 1), {"leap"}),
    ]
    remaining = set(made)
    for today, expected in steps:
        purged = documents_purge(today=today)
        removed = {
            name
            for name in made
            if made[name].pk in [pk for ids in purged.removed.values() for pk in ids]
        }
        assert removed == expected, today
        remaining -= expected
        assert set(Document.objects.values_list("pk", flat=True)) == {
            made[name].pk for name in remaining
        }
        assert len(archive()) == len(remaining)
        assert documents_purge(today=today).count == 0  # a second run removes nothing


def test_the_retention_per_kind_is_a_setting(world, archive, settings):
    made = _documents(world)
    settings.DOCUMENT_RETENTION_YEARS = {"letter": 5}
    assert keep_until(made["leap"]) == date(2025, 2, 28)
    purged = documents_purge(today=date(2026, 1, 1))
    assert purged.removed == {"letter": [made["leap"].pk]}


def test_legal_hold_and_an_unsettled_declaration_keep_a_document(world, archive):
    made = _documents(world)
    Document.objects.filter(pk=made["invoice"].pk).update(legal_hold=True)
    declaration = Declaration.objects.create(
        agreement=world.mine_wmo_agreement,
        budget=world.mine_wmo_budget,
        month=date(2019, 12, 1),
        status=DeclarationStatus.SUBMITTED,
    )
    made["decision"].declarations.add(declaration)
    later = date(2030, 1, 1)
    purged = documents_purge(today=later)
    assert set(purged.removed) == {"objection", "letter"}
    assert set(Document.objects.values_list("pk", flat=True)) == {
        made["invoice"].pk,
        made["decision"].pk,
    }
    declaration.status = DeclarationStatus.PAID
    declaration.save()
    assert documents_purge(today=later).removed == {"decision": [made["decision"].pk]}


def test_the_task_and_the_command_say_what_they_removed(world, archive, caplog):
    made = _documents(world)
    Document.objects.filter(pk=made["leap"].pk).update(retention_from=date(2000, 1, 1))
    with caplog.at_level("INFO", logger="declarations.documents.services"):
        result = documents_purge_task.delay().get()
    # on 23 November 2026 the objection (kept until 21 February 2026) is due too
    assert result["per_kind"] == {"letter": 1, "objection": 1}
    assert result["ids"]["letter"] == [made["leap"].pk]
    assert f"ids {made['leap'].pk}" in caplog.text
    assert world.mine.bsn not in caplog.text
    out = io.StringIO()
    call_command("purge_documents", "--today", "2026-11-24", "--dry-run", stdout=out)
    assert f"invoice {made['invoice'].pk}" in out.getvalue()
    assert Document.objects.filter(pk=made["invoice"].pk).exists()
    call_command("purge_documents", "--today", "2026-11-24", stdout=out)
    assert f"Removed 1 documents: 1 invoice (7 years; ids {made['invoice'].pk})" in out.getvalue()


def test_the_clean_up_is_in_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["purge-documents"]
    assert entry["task"] == documents_purge_task.name


# --- pages -----------------------------------------------------------------------------------


def _login(client, world, user):
    """A Dutch client logged in as ``user`` (verified by an authenticator app where needed)."""
    from django.test import Client

    from ..two_factor import verified_login

    return verified_login(Client(HTTP_ACCEPT_LANGUAGE="nl"), world.users[user])


def test_the_holder_adds_and_downloads_a_document(client, world, archive):
    client = _login(client, world, "holder")
    url = f"/holders/{world.mine.pk}/documents/add/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kind": DocumentKind.INVOICE,
            "document_date": "2026-10-31",
            "invoice_number": "2026-001",
            "amount": "121,00",
            "vat_amount": "21,00",
            "file": SimpleUploadedFile("factuur.pdf", pdf(text="f")),
        },
    )
    document = Document.objects.get()
    assert response.status_code == 302, response.content[:2000]
    assert document.amount == Decimal("121.00")
    download = client.get(f"/documents/{document.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Disposition"] == (
        f'attachment; filename="factuur-2026-10-31-{document.pk}.pdf"'
    )
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download.content == pdf(text="f")
    page = client.get(f"/holders/{world.mine.pk}/documents/?kind=invoice&year=2026")
    assert f"/documents/{document.pk}/" in page.content.decode()
    assert client.get(f"/documents/{document.pk}/").status_code == 200
    page = client.get(f"/holders/{world.mine.pk}/documents/?kind=letter")
    assert f"/documents/{document.pk}/" not in page.content.decode()


def test_a_hostile_upload_on_the_page_is_an_error_not_a_crash(client, world, archive):
    client = _login(client, world, "holder")
    response = client.post(
        f"/holders/{world.mine.pk}/documents/add/",
        {
            "kind": DocumentKind.LETTER,
            "document_date": "2026-10-31",
            "file": SimpleUploadedFile(
                "brief.pdf", pdf(catalog_extra=b"/OpenAction << /S /JavaScript /JS (x) >>")
            ),
        },
    )
    assert response.status_code == 200
    assert "scripts" in response.content.decode()
    assert not Document.objects.exists()
    assert archive() == []


def test_auditors_read_only_and_logged_strangers_404(client, world, archive):
    document = _upload(world, pdf(), "a.pdf", budget_id=world.mine_wmo_budget.pk)
    client = _login(client, world, "auditor_same")
    before = AccessEvent.objects.count()
    assert client.get(f"/holders/{world.mine.pk}/documents/").status_code == 200
    assert client.get(f"/documents/{document.pk}/").status_code == 200
    assert client.get(f"/documents/{document.pk}/download/").status_code == 200
    assert client.get(f"/holders/{world.mine.pk}/documents/add/").status_code == 403
    events = AccessEvent.objects.order_by("pk")[before:]
    whats = [event.what for event in events]
    assert "page:documents" in whats
    assert "page:document" in whats
    # the download, with the document's id
    assert any(
        e.what == "declarations.Document" and e.object_pk == str(document.pk) for e in events
    )
    for user in ("stranger", "auditor_other"):
        client = _login(client, world, user)
        assert client.get(f"/documents/{document.pk}/").status_code == 404
        assert client.get(f"/documents/{document.pk}/download/").status_code == 404
        assert client.get(f"/holders/{world.mine.pk}/documents/").status_code == 404


def test_an_auditor_sees_no_decision_of_another_funders_grant(client, world, archive):
    wlz = _upload(
        world, pdf(), "a.pdf", kind=DocumentKind.DECISION, budget_id=world.mine_wlz_budget.pk
    )
    client = _login(client, world, "auditor_same")  # audits The Hague (the Wmo grant)
    assert client.get(f"/documents/{wlz.pk}/").status_code == 404


def test_the_archive_list_takes_a_fixed_number_of_queries(
    client, world, archive, django_assert_max_num_queries
):
    client = _login(client, world, "holder")
    url = f"/holders/{world.mine.pk}/documents/"
    _upload(
        world,
        pdf(text="0"),
        "0.pdf",
        kind=DocumentKind.DECISION,
        budget_id=world.mine_wmo_budget.pk,
    )
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for number in range(1, 8):
        _upload(
            world,
            pdf(text=str(number)),
            f"{number}.pdf",
            kind=DocumentKind.DECISION,
            budget_id=world.mine_wmo_budget.pk,
            agreement_id=world.mine_wmo_agreement.pk,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200


def test_the_evidence_pack_holds_the_documents_behind_the_declaration(world, archive):
    declaration = Declaration.objects.create(
        agreement=world.mine_wmo_agreement,
        budget=world.mine_wmo_budget,
        month=date(2026, 10, 1),
        status=DeclarationStatus.VALIDATED,
    )
    slip = _upload(
        world,
        png("uren"),
        "uren.png",
        kind=DocumentKind.HOUR_SLIP,
        declaration_ids=(declaration.pk,),
        budget_id=world.mine_wmo_budget.pk,
    )
    _upload(world, pdf(text="other"), "other.pdf")  # not linked
    pack = evidence_pack(user=world.users["auditor_same"], declaration_id=declaration.pk)
    with zipfile.ZipFile(io.BytesIO(pack.content)) as zipped:
        names = zipped.namelist()
        assert f"documents/{slip.download_name}" in names
        assert zipped.read(f"documents/{slip.download_name}") == png("uren")
        assert b'"sha256_matches": true' in zipped.read("documents.json")
    assert len([n for n in names if n.startswith("documents/")]) == 1
