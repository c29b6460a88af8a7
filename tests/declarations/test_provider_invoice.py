"""A care provider's invoice file of a month (issue 19): checked before anything is stored,
one per month (a second replaces the first, whose file goes once the change commits), and the
provider's staged material until the holder approves the month: in no archive list, year
statement, evidence pack or auditor's view before; in the archive and behind the declaration
after. Only the month's provider adds it; the provider and the holder's people download it."""

import io
import zipfile
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.db.models import ProtectedError
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest

from declarations.documents.constants import DocumentKind
from declarations.documents.selectors import (
    declaration_documents,
    document_detail,
    document_list,
    document_years,
)
from declarations.documents.services import DocumentData, document_upload
from declarations.models import Declaration, Document, ProviderMonth
from declarations.selectors.provider_months import provider_month_invoice
from declarations.selectors.reporting import statement_documents
from declarations.services import provider_months as services
from pgb_admin.audit.models import AccessEvent
from pgb_admin.core.errors import Conflict, NotFound
from reports.evidence import evidence_pack
from reports.selectors import holder_year_statement

from ..factories import ProviderAccessFactory
from ..two_factor import verified_login
from .hostile_documents import hostile, jpeg, pdf, png

OCTOBER = date(2026, 10, 1)
HOSTILE = hostile()


def _provider(agreement, username="zorgverlener"):
    return ProviderAccessFactory(user__username=username, agreement=agreement).user


def _month(world, user, agreement=None, **invoice):
    found = services.provider_month_get_or_create(
        actor=user, agreement_id=(agreement or world.mine_wmo_agreement).pk, month=OCTOBER
    )
    return services.provider_month_save(
        actor=user,
        month_id=found.pk,
        hours=[{"care_date": date(2026, 10, 5), "quantity": "4"}],
        invoice=invoice or None,
    )


def _attach(user, found, content, name="factuur.pdf"):
    return services.provider_month_invoice_attach(
        actor=user, month_id=found.pk, file=SimpleUploadedFile(name, content), filename=name
    )


def _code(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return next(e.code for errors in error.error_dict.values() for e in errors)
    return error.code or ""


# --- the service ---------------------------------------------------------------------------------


def test_the_file_is_an_invoice_of_the_holder_with_the_months_data(world, archive):
    user = _provider(world.mine_wmo_agreement)
    found = _month(
        world,
        user,
        invoice_number="F-2026-10",
        invoice_date=date(2026, 11, 2),
        invoice_amount="740,00",
        invoice_vat="0",
    )
    document = _attach(user, found, pdf(text="factuur"))
    (stored,) = archive()
    assert stored.read_bytes() == pdf(text="factuur")
    assert document.file_name == f"{world.mine.pk}/{stored.name}"
    assert "factuur" not in stored.name
    assert (document.kind, document.holder, document.agreement) == (
        DocumentKind.INVOICE,
        world.mine,
        world.mine_wmo_agreement,
    )
    assert document.provider_month == found
    assert (document.invoice_number, document.amount, document.vat_amount) == (
        "F-2026-10",
        Decimal("740.00"),
        Decimal("0.00"),
    )
    assert document.document_date == document.retention_from == date(2026, 11, 2)
    assert document.created_by == user
    assert world.mine_provider.name in document.title
    # without an invoice date: the month's last day
    other = _provider(world.mine_wlz_agreement, "tweede")
    no_date = _attach(other, _month(world, other, world.mine_wlz_agreement), png("scan"), "s.png")
    assert no_date.document_date == date(2026, 10, 31)
    assert no_date.media_type == "image/png"


@pytest.mark.parametrize(("name", "content", "expected"), HOSTILE, ids=[c.name for c in HOSTILE])
def test_a_hostile_file_is_refused_and_nothing_is_stored(world, archive, name, content, expected):
    user = _provider(world.mine_wmo_agreement)
    found = _month(world, user)
    with pytest.raises(ValidationError) as refused:
        _attach(user, found, content, name)
    assert _code(refused.value) == expected
    assert not Document.objects.exists()
    assert archive() == []


def test_a_second_file_replaces_the_first_whose_file_goes_on_commit(
    world, archive, django_capture_on_commit_callbacks
):
    user = _provider(world.mine_wmo_agreement)
    found = _month(world, user)
    with django_capture_on_commit_callbacks(execute=True):
        first = _attach(user, found, pdf(text="eerste"))
    (first_file,) = archive()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        second = _attach(user, found, jpeg("tweede"), "factuur.jpg")
    # the transaction is done, its hooks not yet run: the old file is still there
    assert first_file in archive()
    assert len(archive()) == 2
    assert list(Document.objects.values_list("pk", flat=True)) == [second.pk]
    for callback in callbacks:
        callback()
    (left,) = archive()
    assert left.read_bytes() == jpeg("tweede")
    assert not Document.objects.filter(pk=first.pk).exists()
    # the same file again for the same month is no duplicate: it replaces
    with django_capture_on_commit_callbacks(execute=True):
        third = _attach(user, found, jpeg("tweede"), "factuur.jpg")
    assert Document.objects.get().pk == third.pk
    assert [path.read_bytes() for path in archive()] == [jpeg("tweede")]


def test_when_the_new_row_cannot_be_written_the_old_file_stays_and_the_new_goes(
    world, archive, monkeypatch, django_capture_on_commit_callbacks
):
    user = _provider(world.mine_wmo_agreement)
    found = _month(world, user)
    with django_capture_on_commit_callbacks(execute=True):
        first = _attach(user, found, pdf(text="eerste"))
    before = archive()

    def fails(self, *args, **kwargs):  # the database refusing the row (fault injection)
        raise IntegrityError("refused")

    monkeypatch.setattr(Document, "save", fails)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(IntegrityError):
        _attach(user, found, pdf(text="tweede"))
    assert archive() == before
    assert Document.objects.get().pk == first.pk


def test_a_file_the_holder_has_already_is_refused(world, archive):
    user = _provider(world.mine_wmo_agreement)
    found = _month(world, user)
    _attach(user, found, pdf(text="factuur"))
    other = _provider(world.mine_wlz_agreement, "tweede")
    with pytest.raises(ValidationError) as refused:
        _attach(other, _month(world, other, world.mine_wlz_agreement), pdf(text="factuur"))
    assert _code(refused.value) == "duplicate"
    assert str(Document.objects.get().pk) not in str(refused.value)  # names nothing of the holder
    # the holder adding the provider's file to the archive is told where it is
    with pytest.raises(ValidationError) as refused:
        document_upload(
            actor=world.users["holder"],
            holder_id=world.mine.pk,
            data=DocumentData(kind=DocumentKind.LETTER, document_date=OCTOBER),
            file=SimpleUploadedFile("a.pdf", pdf(text="factuur")),
            filename="a.pdf",
        )
    assert "10-2026" in str(refused.value)
    assert len(archive()) == 1


def test_only_the_provider_of_an_editable_month_adds_the_file(world, archive):
    user = _provider(world.mine_wmo_agreement)
    found = _month(world, user)
    other = _provider(world.mine_wlz_agreement, "tweede")
    for actor in (other, world.users["holder"], world.users["stranger"], world.users["staff"]):
        with pytest.raises(NotFound):
            _attach(actor, found, pdf())
    services.provider_month_submit(actor=user, month_id=found.pk)
    with pytest.raises(Conflict) as refused:
        _attach(user, found, pdf())
    assert _code(refused.value) == "provider_month_closed"
    assert not Document.objects.exists()
    assert archive() == []
    # sent back: the provider may add it again
    services.provider_month_send_back(
        actor=world.users["holder"], month_id=found.pk, reason="factuur ontbreekt"
    )
    assert _attach(user, found, pdf()).provider_month == found


def test_staged_until_approved_then_in_the_archive_behind_the_declaration(world, archive):
    user = _provider(world.mine_wmo_agreement)
    found = _month(world, user, invoice_number="F-1", invoice_amount="740")
    document = _attach(user, found, pdf(text="factuur"))
    services.provider_month_submit(actor=user, month_id=found.pk)
    holder, auditor = world.users["holder"], world.users["auditor_same"]

    def in_the_archive(user) -> bool:
        return (
            document in document_list(user=user, holder_id=world.mine.pk)
            and document_detail(user=user, document_id=document.pk) is not None
            and 2026 in document_years(user=user, holder_id=world.mine.pk)
            and document
            in statement_documents(
                user=user, holder_id=world.mine.pk, year=2026, budget_ids=[world.mine_wmo_budget.pk]
            )
        )

    for reader in (holder, auditor, world.users["staff"]):
        assert not document_list(user=reader, holder_id=world.mine.pk).exists()
        assert document_detail(user=reader, document_id=document.pk) is None
        assert document_years(user=reader, holder_id=world.mine.pk) == []
        assert not statement_documents(
            user=reader, holder_id=world.mine.pk, year=2026, budget_ids=[world.mine_wmo_budget.pk]
        )
    assert holder_year_statement(user=holder, holder_id=world.mine.pk, year=2026).documents == []
    # the holder's people reviewing the month, and its provider, may read the file; no auditor
    assert provider_month_invoice(user=holder, month_id=found.pk) == document
    assert provider_month_invoice(user=world.users["family"], month_id=found.pk) == document
    assert provider_month_invoice(user=user, month_id=found.pk) == document
    assert provider_month_invoice(user=auditor, month_id=found.pk) is None
    assert provider_month_invoice(user=world.users["stranger"], month_id=found.pk) is None

    services.provider_month_approve(actor=holder, month_id=found.pk)
    declaration = Declaration.objects.get(agreement=world.mine_wmo_agreement, month=OCTOBER)
    document.refresh_from_db()
    assert list(document.declarations.all()) == [declaration]
    assert document.budget_id == declaration.budget_id == world.mine_wmo_budget.pk
    assert (document.invoice_number, document.amount) == ("F-1", Decimal("740.00"))
    assert in_the_archive(holder)
    assert in_the_archive(auditor)
    assert not in_the_archive(world.users["auditor_other"])
    assert [d.pk for d in declaration_documents(user=auditor, declaration_id=declaration.pk)] == [
        document.pk
    ]
    assert holder_year_statement(user=holder, holder_id=world.mine.pk, year=2026).documents == [
        document
    ]
    assert provider_month_invoice(user=auditor, month_id=found.pk) == document
    pack = evidence_pack(user=holder, declaration_id=declaration.pk)
    with zipfile.ZipFile(io.BytesIO(pack.content)) as zipped:
        assert zipped.read(f"documents/{document.download_name}") == pdf(text="factuur")
        assert b'"sha256_matches": true' in zipped.read("documents.json")


def test_a_month_with_a_file_is_not_removed_under_it(world, archive):
    user = _provider(world.mine_wmo_agreement)
    found = _month(world, user)
    _attach(user, found, pdf())
    with pytest.raises(ProtectedError):
        ProviderMonth.objects.filter(pk=found.pk).delete()


# --- the pages -----------------------------------------------------------------------------------


def _client(user) -> Client:
    return verified_login(Client(HTTP_ACCEPT_LANGUAGE="nl"), user)


def _post_file(client, found, content, name="factuur.pdf"):
    return client.post(
        reverse("providers:invoice", args=[found.pk]),
        {"file": SimpleUploadedFile(name, content)},
    )


def test_the_provider_adds_the_file_on_the_month_page_and_the_holder_downloads_it(world, archive):
    user = _provider(world.mine_wmo_agreement)
    provider = _client(user)
    month_url = reverse("providers:month", args=[world.mine_wmo_agreement.pk, OCTOBER])
    page = provider.get(month_url).content.decode()
    assert "Sla de maand eerst op" in page  # no month yet: nothing to attach to
    found = _month(world, user)
    page = provider.get(month_url).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "Factuur (pdf, png of jpg)" in page
    response = _post_file(provider, found, pdf(text="factuur"))
    assert response.status_code == 302
    assert response["Location"] == month_url
    document = Document.objects.get()
    invoice_url = reverse("providers:invoice", args=[found.pk])
    page = provider.get(month_url).content.decode()
    assert invoice_url in page
    assert document.download_name in page

    download = provider.get(invoice_url)
    assert download.status_code == 200
    assert download.content == pdf(text="factuur")
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == f'attachment; filename="{document.download_name}"'
    assert download["X-Content-Type-Options"] == "nosniff"

    provider.post(month_url, {"action": "submit"})
    holder = _client(world.users["holder"])
    review = holder.get(reverse("providers:review", args=[found.pk])).content.decode()
    assert invoice_url in review
    assert holder.get(invoice_url).content == pdf(text="factuur")
    archive_page = holder.get(reverse("declarations:documents", args=[world.mine.pk]))
    assert reverse("declarations:document", args=[document.pk]) not in archive_page.content.decode()
    assert holder.get(reverse("declarations:document", args=[document.pk])).status_code == 404
    # read-only family may look, logged; the provider's own download is logged too
    family = _client(world.users["family"])
    assert family.get(invoice_url).status_code == 200
    downloads = AccessEvent.objects.filter(what=Document._meta.label, object_pk=str(document.pk))
    assert sorted(downloads.values_list("role", flat=True)) == ["family_readonly", "provider"]
    # nobody but the provider uploads
    assert _post_file(holder, found, pdf(text="x")).status_code == 404


def test_strangers_other_providers_and_auditors_get_a_404(world, archive):
    user = _provider(world.mine_wmo_agreement)
    found = _month(world, user)
    _attach(user, found, pdf(text="factuur"))
    url = reverse("providers:invoice", args=[found.pk])
    other = _provider(world.mine_wlz_agreement, "tweede")
    for someone in (other, world.users["stranger"], world.users["auditor_same"]):
        client = _client(someone)
        assert client.get(url).status_code == 404
        assert _post_file(client, found, pdf(text="x")).status_code == 404
    assert Client().get(url).status_code == 302  # to the login
    assert len(archive()) == 1
    # a month without a file, or no month at all
    assert _client(user).get(reverse("providers:invoice", args=[found.pk + 99])).status_code == 404


def test_a_refused_file_is_an_error_on_the_page_not_a_crash(world, archive):
    user = _provider(world.mine_wmo_agreement)
    provider = _client(user)
    found = _month(world, user)
    response = _post_file(
        provider, found, pdf(catalog_extra=b"/OpenAction << /S /JavaScript /JS (x) >>")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "scripts" in page
    assert 'enctype="multipart/form-data"' in page
    response = provider.post(reverse("providers:invoice", args=[found.pk]), {})
    assert response.status_code == 200
    assert not Document.objects.exists()
    assert archive() == []
    services.provider_month_submit(actor=user, month_id=found.pk)
    response = _post_file(provider, found, pdf())
    assert response.status_code == 200
    assert "niet meer worden gewijzigd" in response.content.decode()
    assert archive() == []


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_month_page_takes_as_many_queries_with_a_file(world, archive):
    user = _provider(world.mine_wmo_agreement)
    provider = _client(user)
    url = reverse("providers:month", args=[world.mine_wmo_agreement.pk, OCTOBER])
    found = _month(world, user)
    _queries(provider, url)  # warm the caches
    without = _queries(provider, url)
    _attach(user, found, pdf())
    services.provider_month_save(
        actor=user,
        month_id=found.pk,
        hours=[{"care_date": date(2026, 10, day), "quantity": "2"} for day in range(1, 20)],
        costs=[{"expense_date": date(2026, 10, 6), "kind": "other", "amount": "12,50"}] * 3,
    )
    assert _queries(provider, url) == without
