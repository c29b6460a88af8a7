"""Changes to providers and care agreements, each in one transaction, scoped to the actor.

An agreement's content is never edited. ``agreement_change`` registers a new version from a date
and closes the version before it the day before; ``agreement_end`` sets the last day. Both refuse
dates before the latest version's start, so no registered history is rewritten.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pgb_admin.accounts.models import User
from pgb_admin.accounts.scoping import get_editable, get_visible, sees_everything
from pgb_admin.audit.events import log_changes
from pgb_admin.audit.models import Action
from pgb_admin.audit.provenance import recording
from pgb_admin.budgets.models import Budget, BudgetHolder, CareProduct
from pgb_admin.core.dates import format_date

from .constants import EMPLOYMENT_TYPES, ApprovalStatus
from .models import AgreementVersion, CareAgreement, HolderProvider, Provider, SickReport

PROVIDER_FIELDS = frozenset(
    {
        "kind",
        "name",
        "date_of_birth",
        "iban",
        "account_holder",
        "agb_code",
        "kvk_number",
        "big_number",
        "is_entrepreneur",
        "postcode",
        "house_number",
        "sbi_code",
    }
)

# What a new agreement version may change; everything else is carried over from the version
# it follows.
VERSION_FIELDS = frozenset(
    {
        "budget_id",
        "product",
        "rate",
        "unit",
        "hours_per_week",
        "rate_includes_holiday_pay",
        "travel_allowance_per_km",
        "valid_to",
    }
)


def _check_fields(given: Iterable[str], allowed: frozenset[str], function: str) -> None:
    unknown = set(given) - allowed
    if unknown:
        raise TypeError(f"{function}() cannot set {', '.join(sorted(unknown))}")


@transaction.atomic
def provider_create(*, actor: User, holder_id: int, relation: str, **fields: Any) -> Provider:
    """Register a provider with a budget holder, with their relation to the holder."""
    _check_fields(fields, PROVIDER_FIELDS, "provider_create")
    holder = get_editable(BudgetHolder.objects, actor, pk=holder_id)
    provider = Provider(**fields)
    provider.full_clean()
    provider.save()
    _link(holder, provider, relation)
    return provider


@transaction.atomic
def provider_link(
    *, actor: User, holder_id: int, provider_id: int, relation: str
) -> HolderProvider:
    """Register a provider the actor already works with (e.g. a care organisation serving
    several of a bureau's holders) with another holder."""
    holder = get_editable(BudgetHolder.objects, actor, pk=holder_id)
    provider = get_editable(Provider.objects, actor, pk=provider_id)
    return _link(holder, provider, relation)


def _link(holder: BudgetHolder, provider: Provider, relation: str) -> HolderProvider:
    link = HolderProvider(holder=holder, provider=provider, relation=relation)
    link.full_clean()
    link.save()
    return link


@transaction.atomic
def provider_update(*, actor: User, provider_id: int, **changes: Any) -> Provider:
    """Correct a provider's data, and return the provider the actor works with from now on.

    A provider is shared by every holder it works for: its name, IBAN, date of birth… reach
    each holder's payments and checks. Someone who may change every one of those holders (or
    staff) changes it in place. Anyone else changes a copy (copy on write): the holders they
    act for move to the copy, with their registrations and agreements, and the other holders
    keep the provider as it was; the answer then has a new id. Either way the change is in the
    access log of each holder it reaches."""
    _check_fields(changes, PROVIDER_FIELDS, "provider_update")
    provider = get_editable(Provider.objects.select_for_update(), actor, pk=provider_id)
    before = _provider_data(provider)
    for field, value in changes.items():
        setattr(provider, field, value)
    provider.full_clean()  # validated and normalised (an IBAN with spaces is the same IBAN)
    after = _provider_data(provider)
    if after == before:
        return provider
    holder_ids = provider.linked_holder_ids()
    actors_holders = _changeable_holder_ids(actor, holder_ids)
    if actors_holders == holder_ids:
        # in place: the change log's entry is written to each linked holder's access log
        provider.save()
        _check_links(provider)
        return provider
    for field, value in before.items():
        setattr(provider, field, value)  # the original stays as it was
    return _copy_for_holders(actor, provider, after, actors_holders)


def _provider_data(provider: Provider) -> dict[str, Any]:
    return {field: getattr(provider, field) for field in PROVIDER_FIELDS}


def _changeable_holder_ids(actor: User, holder_ids: set[int]) -> set[int]:
    if sees_everything(actor):
        return set(holder_ids)
    editable = BudgetHolder.objects.editable_by(actor).filter(pk__in=holder_ids)
    return set(editable.values_list("pk", flat=True))


def _check_links(provider: Provider) -> None:
    for link in provider.holder_links.all():
        link.full_clean()  # e.g. an organisation cannot keep a family relation


def _copy_for_holders(
    actor: User, original: Provider, data: dict[str, Any], holder_ids: set[int]
) -> Provider:
    """A new provider with ``data`` for the holders ``holder_ids``: their registrations and
    agreements move to it; nothing of another holder changes."""
    copy = Provider(**data)
    copy.full_clean()
    copy.save()
    for link in HolderProvider.objects.select_for_update().filter(
        provider=original, holder_id__in=holder_ids
    ):
        link.provider = copy
        link.full_clean()
        link.save(update_fields=["provider", "updated_at"])
    for agreement in CareAgreement.objects.select_for_update().filter(
        provider=original, holder_id__in=holder_ids
    ):
        agreement.provider = copy
        agreement.full_clean()
        agreement.save(update_fields=["provider", "updated_at"])
    log_changes(
        user=actor,
        action=Action.UPDATE,
        what=Provider._meta.label,
        holder_ids=sorted(holder_ids),
        object_pk=copy.pk,
    )
    return copy


@transaction.atomic
def agreement_create(
    *,
    actor: User,
    holder_id: int,
    provider_id: int,
    agreement_type: str,
    budget_id: int,
    product: CareProduct,
    valid_from: date,
    rate: Decimal,
    unit: str,
    valid_to: date | None = None,
    hours_per_week: Decimal | None = None,
    rate_includes_holiday_pay: bool = False,
    travel_allowance_per_km: Decimal | None = None,
    svb_agreement_number: str = "",
) -> CareAgreement:
    """Register a care agreement and its first version (awaiting the funder's approval)."""
    holder = get_editable(BudgetHolder.objects, actor, pk=holder_id)
    provider = get_visible(
        Provider.objects.filter(holder_links__holder=holder), actor, pk=provider_id
    )
    budget = get_visible(Budget.objects.filter(holder=holder), actor, pk=budget_id)
    agreement = CareAgreement(
        holder=holder,
        provider=provider,
        agreement_type=agreement_type,
        svb_agreement_number=svb_agreement_number,
    )
    agreement.full_clean()
    agreement.save()
    version = AgreementVersion(
        agreement=agreement,
        budget=budget,
        product=product,
        valid_from=valid_from,
        valid_to=valid_to,
        rate=rate,
        unit=unit,
        hours_per_week=hours_per_week,
        rate_includes_holiday_pay=rate_includes_holiday_pay,
        travel_allowance_per_km=travel_allowance_per_km,
    )
    version.full_clean()
    version.save()
    return agreement


@transaction.atomic
def agreement_update(*, actor: User, agreement_id: int, svb_agreement_number: str) -> CareAgreement:
    """Register the number the SVB gave the agreement. What was agreed changes only through
    :func:`agreement_change`."""
    agreement = get_editable(CareAgreement.objects.select_for_update(), actor, pk=agreement_id)
    agreement.svb_agreement_number = svb_agreement_number
    agreement.full_clean()
    agreement.save(update_fields=["svb_agreement_number", "updated_at"])
    return agreement


@transaction.atomic
def agreement_change(
    *, actor: User, agreement_id: int, effective_from: date, reason: str = "", **changes: Any
) -> AgreementVersion:
    """Register what changes from ``effective_from`` (a new rate, more hours, a new grant…) as a
    new version. The version in force the day before ends then; the new one awaits approval."""
    _check_fields(changes, VERSION_FIELDS, "agreement_change")
    agreement = get_editable(CareAgreement.objects.select_for_update(), actor, pk=agreement_id)
    latest = agreement.versions.order_by("-valid_from").first()
    if latest is None or effective_from <= latest.valid_from:
        raise ValidationError(
            {
                "effective_from": ValidationError(
                    _(
                        "A change takes effect after the latest version's start (%(start)s); "
                        "registered history is not rewritten."
                    ),
                    code="change_rewrites_history",
                    params={"start": format_date(latest.valid_from if latest else None)},
                )
            }
        )
    if "budget_id" in changes:
        changes["budget"] = get_visible(
            Budget.objects.filter(holder_id=agreement.holder_id), actor, pk=changes.pop("budget_id")
        )
    new_version = AgreementVersion(
        agreement=agreement,
        valid_from=effective_from,
        change_reason=reason,
        approval_status=ApprovalStatus.PENDING,
        **{field: getattr(latest, field) for field in VERSION_FIELDS},
    )
    if latest.valid_to is not None and latest.valid_to < effective_from:
        new_version.valid_to = None  # a renewal after a gap starts open-ended unless told
    for field, value in changes.items():
        setattr(new_version, field, value)
    if latest.valid_to is None or latest.valid_to >= effective_from:
        latest.valid_to = effective_from - timedelta(days=1)
        latest.full_clean()
        latest.save(update_fields=["valid_to"])
    new_version.full_clean()
    new_version.save()
    return new_version


@transaction.atomic
def agreement_end(*, actor: User, agreement_id: int, end_date: date) -> AgreementVersion:
    """Set the agreement's last day. Only the period of the latest version shortens."""
    agreement = get_editable(CareAgreement.objects.select_for_update(), actor, pk=agreement_id)
    latest = agreement.versions.order_by("-valid_from").first()
    if latest is None or end_date < latest.valid_from:
        raise ValidationError(
            {
                "end_date": ValidationError(
                    _("The end date lies before the latest version's start (%(start)s)."),
                    code="end_rewrites_history",
                    params={"start": format_date(latest.valid_from if latest else None)},
                )
            }
        )
    if latest.valid_to is not None and end_date > latest.valid_to:
        raise ValidationError(
            {
                "end_date": ValidationError(
                    _("The agreement already ends on %(end)s; register a change to extend it."),
                    code="end_extends_agreement",
                    params={"end": format_date(latest.valid_to)},
                )
            }
        )
    latest.valid_to = end_date
    latest.full_clean()
    latest.save(update_fields=["valid_to"])
    return latest


@transaction.atomic
def agreement_record_approval(
    *, actor: User, version_id: int, status: str, decided_on: date, evidence: str
) -> AgreementVersion:
    """Record the funder's decision on a version as the actor saw it (the funder assesses each
    agreement and each change in the PGB Portaal; pgb-admin does not receive the decision), with
    who recorded it, their role towards the holder now and the evidence they name."""
    version = get_editable(AgreementVersion.objects.select_for_update(), actor, pk=version_id)
    if status not in ApprovalStatus.values:
        raise ValidationError(
            {"status": ValidationError(_("Unknown approval status."), code="invalid_choice")}
        )
    recorded = recording(actor=actor, holder_id=version.agreement.holder_id, evidence=evidence)
    version.approval_status = status
    version.approval_date = None if status == ApprovalStatus.PENDING else decided_on
    version.approval_recorded_by = recorded.user
    version.approval_recorded_role = recorded.role
    version.approval_recorded_at = timezone.now()
    version.approval_evidence = recorded.evidence
    version.full_clean()
    version.save(
        update_fields=[
            "approval_status",
            "approval_date",
            "approval_recorded_by",
            "approval_recorded_role",
            "approval_recorded_at",
            "approval_evidence",
        ]
    )
    return version


# --- sick and recovery reports (ziek- en herstelmelding) ---------------------------------------


def _sick_error(field: str, message: Any, code: str, **params: Any) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params)})


def _employment_for_sickness(actor: User, agreement_id: int) -> CareAgreement:
    """The employment agreement the actor may change, locked: reports of one agreement are
    written one at a time, so two reports cannot overlap."""
    agreement = get_editable(CareAgreement.objects.select_for_update(), actor, pk=agreement_id)
    if agreement.agreement_type not in EMPLOYMENT_TYPES:
        raise _sick_error(
            "__all__",
            _(
                "Only an employee is reported sick: this agreement is no employment agreement "
                "(the employer's continued pay, BW 7:629, holds for employees)."
            ),
            "sick_not_employment",
        )
    return agreement


@transaction.atomic
def sick_report(
    *, actor: User, agreement_id: int, sick_from: date, reported_on: date | None = None
) -> SickReport:
    """Register that the carer of an employment agreement is sick from ``sick_from`` (the
    ziekmelding). Refused while an earlier report is open or when it overlaps one."""
    agreement = _employment_for_sickness(actor, agreement_id)
    periods = list(agreement.versions.values_list("valid_from", "valid_to"))
    start = min((valid_from for valid_from, _to in periods), default=None)
    ends = [valid_to for _from, valid_to in periods if valid_to is not None]
    end = None if len(ends) < len(periods) else max(ends, default=None)
    if (start and sick_from < start) or (end and sick_from > end):
        raise _sick_error(
            "sick_from",
            _("The carer can be reported sick only within the agreement's period (%(period)s)."),
            "sick_outside_agreement",
            period=f"{format_date(start)} – {format_date(end) if end else '…'}",
        )
    reports = SickReport.objects.filter(agreement=agreement)
    still_open = reports.filter(recovered_on__isnull=True).first()
    if still_open is not None:
        raise _sick_error(
            "sick_from",
            _("The carer is reported sick since %(date)s: report the recovery first."),
            "sick_still_open",
            date=format_date(still_open.sick_from),
        )
    # a closed report covers sick_from up to the day before its recovery; a new open report
    # would also cover every later report
    overlapping = reports.filter(sick_from__lte=sick_from, recovered_on__gt=sick_from).first()
    overlapping = overlapping or reports.filter(sick_from__gt=sick_from).first()
    if overlapping is not None:
        raise _sick_error(
            "sick_from",
            _("This overlaps the sick report from %(start)s to %(end)s."),
            "sick_overlaps",
            start=format_date(overlapping.sick_from),
            end=format_date(overlapping.recovered_on),
        )
    report = SickReport(agreement=agreement, sick_from=sick_from, reported_on=reported_on)
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def recovery_report(
    *, actor: User, agreement_id: int, recovered_on: date, reported_on: date | None = None
) -> SickReport:
    """Register the recovery (herstelmelding) of the open sick report: ``recovered_on`` is the
    first day the carer can work again."""
    agreement = _employment_for_sickness(actor, agreement_id)
    report = (
        SickReport.objects.select_for_update()
        .filter(agreement=agreement, recovered_on__isnull=True)
        .first()
    )
    if report is None:
        raise _sick_error(
            "recovered_on",
            _("The carer is not reported sick: there is no recovery to report."),
            "sick_none_open",
        )
    if recovered_on < report.sick_from:
        raise _sick_error(
            "recovered_on",
            _("The recovery lies before the first day of sickness (%(date)s)."),
            "recovery_before_sick",
            date=format_date(report.sick_from),
        )
    report.recovered_on = recovered_on
    if reported_on is not None:
        report.reported_on = reported_on
    report.full_clean()
    report.save(update_fields=["recovered_on", "reported_on"])
    return report
