"""Reads of the document archive, scoped to the user: a holder's list (per kind and year), one
document, its bytes, and the documents behind a declaration (for the evidence pack, through
``declarations.selectors.reporting``). All read :meth:`~.models.DocumentQuerySet.counting`: a
care provider's invoice file is not the archive's before the holder approves its month."""

from django.db.models import QuerySet

from pgb_admin.accounts.scoping import AnyUser

from .models import Document


def document_list(
    *, user: AnyUser, holder_id: int, kind: str | None = None, year: int | None = None
) -> QuerySet[Document]:
    documents = (
        Document.objects.counting()
        .visible_to(user)
        .filter(holder_id=holder_id)
        .select_related("budget__funder", "agreement__provider")
        .order_by("-document_date", "-pk")
    )
    if kind:
        documents = documents.filter(kind=kind)
    if year is not None:
        documents = documents.of_year(year)
    return documents


def document_years(*, user: AnyUser, holder_id: int) -> list[int]:
    """The years of the holder's documents the user may see, newest first (the year filter)."""
    dates = (
        Document.objects.counting()
        .visible_to(user)
        .filter(holder_id=holder_id)
        .dates("document_date", "year", order="DESC")
    )
    return [day.year for day in dates]


def document_detail(*, user: AnyUser, document_id: int) -> Document | None:
    """The document with its links, if the user may see it."""
    return (
        Document.objects.counting()
        .visible_to(user)
        .select_related("holder", "budget__funder", "agreement__provider", "amends", "created_by")
        .prefetch_related("declarations", "changes")
        .filter(pk=document_id)
        .first()
    )


def document_content(document: Document) -> bytes:
    """The stored file's bytes (at most ``DOCUMENT_MAX_BYTES``: checked when added)."""
    from .services import documents_storage

    with documents_storage().open(document.file_name, "rb") as stored:
        content: bytes = stored.read()
    return content


def declaration_documents(*, user: AnyUser, declaration_id: int) -> QuerySet[Document]:
    """The documents behind a declaration that the user may see, oldest first."""
    return (
        Document.objects.counting()
        .visible_to(user)
        .filter(declarations=declaration_id)
        .order_by("document_date", "pk")
    )
