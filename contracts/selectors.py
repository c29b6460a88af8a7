"""Reads of providers and care agreements, always scoped to the user who asks; and which
version of an agreement holds on a day."""

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, TypeAlias, TypedDict, cast

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from pgb_admin.accounts.scoping import AnyUser
from pgb_admin.core.periods import valid_on_q

from .models import AgreementVersion, CareAgreement, HolderProvider, Provider

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _ProviderExtras(TypedDict):
    can_edit: bool
    visible_links: list[HolderProvider]


class _AgreementExtras(TypedDict):
    start_date: date | None
    end_date: date | None
    visible_versions: list[AgreementVersion]


# what the lists below add to each row (the plugin's own inferred types are not nameable)
ProvidersSeen: TypeAlias = "QuerySet[WithAnnotations[Provider, _ProviderExtras]]"
AgreementsSeen: TypeAlias = "QuerySet[WithAnnotations[CareAgreement, _AgreementExtras]]"


def version_on(versions: Iterable[AgreementVersion], day: date) -> AgreementVersion | None:
    """The version in force on ``day``, or None. ``versions`` are those already loaded (a
    prefetch, a list: nothing is queried), or a queryset, which is asked for that version
    only (one query)."""
    if isinstance(versions, QuerySet):
        return versions.filter(valid_on_q(day)).first()
    return next((version for version in versions if version.is_valid_on(day)), None)


def version_or_nearest(versions: list[AgreementVersion], day: date) -> AgreementVersion | None:
    """The version in force on ``day``; outside them, the last one that started before it,
    else the first (``versions`` ordered by ``valid_from``). What prices or files a day that
    the agreement does not cover (the validation reports such a day)."""
    in_force = version_on(versions, day)
    if in_force is not None:
        return in_force
    earlier = [version for version in versions if version.valid_from <= day]
    return earlier[-1] if earlier else (versions[0] if versions else None)


def version_shown(versions: list[AgreementVersion], day: date) -> AgreementVersion | None:
    """The version a page shows as "the agreement": the one in force on ``day``, otherwise the
    latest (a past or future agreement). ``versions`` ordered by ``valid_from``."""
    return version_on(versions, day) or (versions[-1] if versions else None)


def provider_list(*, user: AnyUser) -> ProvidersSeen:
    """The providers the user may see, with ``visible_links`` (their relation to each holder
    the user may see) and ``can_edit``."""
    editable = Provider.objects.editable_by(user).filter(pk=OuterRef("pk"))
    rows = (
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
    return cast(ProvidersSeen, rows)


def agreement_list(*, user: AnyUser) -> AgreementsSeen:
    """The agreements the user may see, with their period and ``visible_versions``: the
    versions the user may see (an auditor sees those on their funder's grants)."""
    rows = (
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
    return cast(AgreementsSeen, rows)
