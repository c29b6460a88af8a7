"""Reads of care providers' months (issue 19): the provider's own agreements side by side, and

the months waiting for the holder's review.

A provider's reads go through ``granted_to`` only (:mod:`pgb_admin.accounts.scoping`): they
reach the agreements granted to their login and nothing else of the holder. What a provider is
shown of the holder is the name as the agreement needs it (initials and surname): never the BSN,
the address, the grants or other providers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Prefetch, Q, QuerySet

from contracts.invitations import holder_name
from contracts.models import CareAgreement
from pgb_admin.accounts.scoping import AnyUser

from ..documents.models import Document
from ..models import ProviderMonth


@dataclass(frozen=True)
class ProviderAgreement:
    """One agreement as its provider sees it."""

    agreement_id: int
    holder_name: str
    agreement_type: str
    months: list[ProviderMonth]


@dataclass(frozen=True)
class ProviderHolder:
    """A holder the provider works for, with the provider's agreements with them."""

    holder_id: int  # for the access log only; never shown
    name: str
    agreements: list[ProviderAgreement]


def provider_holders(*, user: AnyUser) -> list[ProviderHolder]:
    """The holders the provider's login works for, each with its agreements and their staged
    months (two queries, whatever the number of holders)."""
    agreements = (
        CareAgreement.objects.granted_to(user)
        .select_related("holder")
        .prefetch_related(
            Prefetch(
                "provider_months",
                queryset=ProviderMonth.objects.order_by("-month"),
                to_attr="staged_months",
            )
        )
        .order_by("holder__surname", "holder_id", "pk")
    )
    holders: dict[int, ProviderHolder] = {}
    for agreement in agreements:
        name = holder_name(agreement)
        holder = holders.setdefault(
            agreement.holder_id, ProviderHolder(agreement.holder_id, name, [])
        )
        holder.agreements.append(
            ProviderAgreement(
                agreement_id=agreement.pk,
                holder_name=name,
                agreement_type=agreement.get_agreement_type_display(),
                months=agreement.staged_months,  # type: ignore[attr-defined]
            )
        )
    return list(holders.values())


def months_waiting_for_review(
    *, user: AnyUser | None, submitted_before: datetime | None = None
) -> QuerySet[ProviderMonth]:
    """Provider months submitted and not yet approved or sent back, oldest first: those the
    user may review, or, with ``user=None``, every one (for a reminder task, which then mails
    :func:`~declarations.services.provider_months.acting_addresses` of each holder). With
    ``submitted_before``, only those submitted before that moment."""
    months = ProviderMonth.objects.waiting_for_review()
    if user is not None:
        months = months.editable_by(user)
    if submitted_before is not None:
        months = months.filter(submitted_at__lt=submitted_before)
    return months.select_related("agreement__provider", "agreement__holder").order_by(
        "submitted_at", "pk"
    )


def provider_month_for_provider(
    *, user: AnyUser, agreement_id: int, month: date
) -> ProviderMonth | None:
    """The provider's month of an agreement granted to them, or None if not begun."""
    return (
        ProviderMonth.objects.granted_to(user)
        .filter(agreement_id=agreement_id, month=month)
        .select_related("invoice_document")
        .prefetch_related("hours", "costs")
        .first()
    )


def provider_month_invoice(*, user: AnyUser, month_id: int) -> Document | None:
    """The invoice file of a provider month, for those who may read it: the provider of the
    month (``granted_to``), the holder's people who may look at the month (its review), and,
    once the month is approved and the file counts, whoever sees it in the archive (an
    auditor). None for anyone else, and when the month has no file."""
    return (
        Document.objects.filter(provider_month_id=month_id)
        .filter(
            Q(provider_month__in=ProviderMonth.objects.granted_to(user).values("pk"))
            | Q(provider_month__in=ProviderMonth.objects.visible_to(user).values("pk"))
            | Q(pk__in=Document.objects.counting().visible_to(user).values("pk"))
        )
        .first()
    )
