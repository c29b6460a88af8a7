"""Reads of providers and care agreements, always scoped to the user who asks."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from .models import AgreementVersion, CareAgreement, HolderProvider, Provider


def provider_list(*, user) -> QuerySet[Provider]:
    """The providers the user may see, with ``visible_links`` (their relation to each holder
    the user may see) and ``can_edit``."""
    editable = Provider.objects.editable_by(user).filter(pk=OuterRef("pk"))
    return (
        Provider.objects.visible_to(user)
        .annotate(can_edit=Exists(editable))
        .prefetch_related(
            Prefetch(
                "holder_links",
                queryset=HolderProvider.objects.visible_to(user)
                .select_related("provider")
                .order_by("holder_id"),
                to_attr="visible_links",
            )
        )
    )


def agreement_list(*, user) -> QuerySet[CareAgreement]:
    """The agreements the user may see, with their period and ``visible_versions``: the
    versions the user may see (an auditor sees those on their funder's grants)."""
    return (
        CareAgreement.objects.visible_to(user)
        .with_period()
        .select_related("provider")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=AgreementVersion.objects.visible_to(user)
                .select_related("product", "approval_recorded_by")
                .order_by("valid_from"),
                to_attr="visible_versions",
            )
        )
        .order_by("holder_id", "pk")
    )
