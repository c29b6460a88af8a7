"""Reads of providers and care agreements, always scoped to the user who asks; and which
version of an agreement holds on a day."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, TypeAlias, TypedDict, cast

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from pgb_admin.accounts.scoping import AnyUser
from pgb_admin.core.periods import valid_on_q
from pgb_admin.figures.constants import FigureKind
from pgb_admin.figures.models import StatutoryFigure

from .models import AgreementVersion, CareAgreement, HolderProvider, Provider, SickReport

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
                .with_assignment()
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


# --- continued pay in sickness -------------------------------------------------------------------


@dataclass(frozen=True)
class ContinuedPay:
    """What the employer continues to pay from a sick report's first day (BW 7:629, the dated
    figures ``sick_pay_*``): ``pct`` of the wage, up to ``household_until`` under the
    household-service scheme (fewer than ``days_limit`` days a week), else up to ``until``
    and at least the minimum wage up to ``minimum_wage_until`` (each the last day).

    ``scheme`` says which case applies: "household", "general", or "unknown" when the working
    days a week are not known (the page then shows both)."""

    sick_from: date
    pct: Decimal
    days_limit: int
    household_weeks: int
    household_until: date
    weeks: int
    until: date
    minimum_wage_weeks: int
    minimum_wage_until: date
    scheme: str


def _last_day(first: date, weeks: int) -> date:
    return first + timedelta(weeks=weeks) - timedelta(days=1)


def continued_pay(sick_from: date, *, days_a_week: int | None = None) -> ContinuedPay | None:
    """The continued pay of a sickness from ``sick_from`` by the figures of that day; None
    when a figure is missing. ``days_a_week``: the carer's working days for the holder, when
    known. Periods of sickness less than 4 weeks apart count together (BW 7:629 lid 10); this
    counts from ``sick_from`` only. The Rdah amendment (Kamerstuk 36744) is not law and not
    applied."""
    values = {
        kind: StatutoryFigure.objects.value_on(kind, sick_from)
        for kind in (
            FigureKind.SICK_PAY_PCT,
            FigureKind.SICK_PAY_WEEKS_HOUSEHOLD,
            FigureKind.SICK_PAY_WEEKS,
            FigureKind.SICK_PAY_MINIMUM_WAGE_WEEKS,
            FigureKind.HOME_SERVICE_DAYS_A_WEEK,
        )
    }
    if any(value is None for value in values.values()):
        return None
    weeks = {kind: int(value or 0) for kind, value in values.items()}
    limit = weeks[FigureKind.HOME_SERVICE_DAYS_A_WEEK]
    scheme = "unknown"
    if days_a_week is not None:
        scheme = "household" if days_a_week < limit else "general"
    return ContinuedPay(
        sick_from=sick_from,
        pct=values[FigureKind.SICK_PAY_PCT] or Decimal(0),
        days_limit=limit,
        household_weeks=weeks[FigureKind.SICK_PAY_WEEKS_HOUSEHOLD],
        household_until=_last_day(sick_from, weeks[FigureKind.SICK_PAY_WEEKS_HOUSEHOLD]),
        weeks=weeks[FigureKind.SICK_PAY_WEEKS],
        until=_last_day(sick_from, weeks[FigureKind.SICK_PAY_WEEKS]),
        minimum_wage_weeks=weeks[FigureKind.SICK_PAY_MINIMUM_WAGE_WEEKS],
        minimum_wage_until=_last_day(sick_from, weeks[FigureKind.SICK_PAY_MINIMUM_WAGE_WEEKS]),
        scheme=scheme,
    )


def sick_reports(agreement: CareAgreement) -> list[SickReport]:
    """The agreement's sick reports, the latest first (one query); the caller checked that
    the user may see the agreement."""
    return list(SickReport.objects.filter(agreement=agreement).order_by("-sick_from"))
