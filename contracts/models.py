from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pgb_admin.accounts.scoping import AnyUser, ScopedQuerySet
from pgb_admin.audit.models import Role
from pgb_admin.audit.provenance import EVIDENCE_HELP, EVIDENCE_MAX_LENGTH, Recorded
from pgb_admin.core.dates import format_date
from pgb_admin.core.fields import (
    AGBCodeField,
    BIGNumberField,
    IBANField,
    KvKNumberField,
    SupportedDateField,
)
from pgb_admin.core.masking import mask_identifier
from pgb_admin.core.models import TimeStampedModel, ValidityPeriod
from pgb_admin.core.periods import ValidityQuerySet, periods_overlap
from pgb_admin.core.text import lower_lazy
from pgb_admin.core.validators import clean_address, normalize_sbi_code, validate_sbi_code
from pgb_admin.figures.constants import RateUnit

from . import carers
from .constants import (
    FAMILY_RELATIONS,
    HOURS_REQUIRED_TYPES,
    PERSON_TYPES,
    UNITS_OF_AGREEMENT_TYPE,
    AgreementType,
    ApprovalStatus,
    ProviderKind,
    Relation,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _field_error(field: str, message: "StrOrPromise", code: str, **params: Any) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params)})


class ProviderQuerySet(ScopedQuerySet["Provider"]):
    holder_field = None  # a provider may work for several holders: no one holder's data

    def holder_q(self, holder_ids: models.QuerySet[Any, Any]) -> Q:
        links = HolderProvider.objects.filter(holder_id__in=holder_ids)
        return Q(pk__in=links.values("provider_id"))

    def audited_q(self, funder_ids: models.QuerySet[Any, Any]) -> Q:
        # the providers of agreements on the funder's grants, not every provider of a holder
        versions = AgreementVersion.objects.filter(
            budget__funder_id__in=funder_ids, budget__holder__duplicate_of__isnull=True
        )
        return Q(pk__in=versions.values("agreement__provider_id"))

    def holder_counts_seen_by(self, user: AnyUser, provider_ids: Iterable[int]) -> Counter[int]:
        """For the access log: how many of ``provider_ids`` each holder is linked to, of the
        holders ``user`` sees them with (an auditor: those of their funder's grants)."""
        links = HolderProvider.objects.visible_to(user).filter(provider_id__in=provider_ids)
        return Counter(links.values_list("holder_id", flat=True))


class Provider(TimeStampedModel):
    """A care provider (zorgverlener): a person or an organisation the SVB pays."""

    kind = models.CharField(_("kind"), max_length=20, choices=ProviderKind.choices)
    name = models.CharField(
        _("name"), max_length=200, help_text=_("Initials and surname, or the company name.")
    )
    date_of_birth = SupportedDateField(
        _("date of birth"), null=True, blank=True, help_text=_("Required for a person.")
    )
    iban = IBANField(_("IBAN"))
    account_holder = models.CharField(
        _("account in the name of"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty when the account is in the provider's own name."),
    )
    agb_code = AGBCodeField(_("AGB code"), blank=True)
    kvk_number = KvKNumberField(_("KvK number"), blank=True)
    big_number = BIGNumberField(
        _("BIG number"), blank=True, help_text=_("For BIG-registered care professionals.")
    )
    sbi_code = models.CharField(
        _("SBI code"),
        max_length=6,
        blank=True,
        help_text=_(
            "The activity code in the Handelsregister (KvK); a Zvw insurer pays the formal "
            "rate to a business in health or social care (SBI 86, 87 or 88)."
        ),
    )
    # As far as checks need it (provider and holder at one address), masked for auditors.
    postcode = models.CharField(_("postcode"), max_length=7, blank=True)
    house_number = models.CharField(_("house number"), max_length=10, blank=True)
    is_entrepreneur = models.BooleanField(
        _("entrepreneur for income tax"),
        default=False,
        help_text=_(
            "A self-employed provider who is an entrepreneur for income tax (IB-ondernemer); "
            "the minimum wage does not apply to them."
        ),
    )

    objects = ProviderQuerySet.as_manager()

    class Meta:
        verbose_name = _("care provider")
        verbose_name_plural = _("care providers")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_iban(self) -> str:
        return mask_identifier(self.iban)

    def linked_holder_ids(self) -> set[int]:
        """Every holder whose data this provider is part of: registered with them, or in one
        of their agreements. A change to the provider changes it for all of them."""
        if self.pk is None:
            return set()
        registered = self.holder_links.values_list("holder_id", flat=True)
        agreed = self.agreements.values_list("holder_id", flat=True)
        return {*registered, *agreed}

    def clean(self) -> None:
        super().clean()
        if self.kind == ProviderKind.PERSON and not self.date_of_birth:
            raise _field_error(
                "date_of_birth",
                _("A person needs a date of birth (the minimum wage depends on age)."),
                "birth_date_required",
            )
        if self.date_of_birth and self.date_of_birth > timezone.localdate():
            raise _field_error(
                "date_of_birth", _("The date of birth lies in the future."), "birth_in_future"
            )
        errors: dict[str, ValidationError] = {}
        clean_address(self, errors)
        self.sbi_code = normalize_sbi_code(self.sbi_code)
        try:
            validate_sbi_code(self.sbi_code)
        except ValidationError as error:
            errors["sbi_code"] = error
        if errors:
            raise ValidationError(errors)
        if self.kind == ProviderKind.ORGANISATION:
            if not self.kvk_number:
                raise _field_error(
                    "kvk_number",
                    _("An organisation needs its KvK number."),
                    "kvk_number_required",
                )
            if self.date_of_birth:
                raise _field_error(
                    "date_of_birth",
                    _("An organisation has no date of birth."),
                    "birth_date_for_organisation",
                )


class HolderProviderQuerySet(ScopedQuerySet["HolderProvider"]):
    holder_field = "holder_id"

    def with_assignment(self) -> Self:
        """Annotate ``on_assignment``: the provider works for the holder on an assignment, so
        :attr:`HolderProvider.carer_class` needs no query of its own per link."""
        return self.annotate(
            on_assignment=models.Exists(
                CareAgreement.objects.filter(
                    holder_id=models.OuterRef("holder_id"),
                    provider_id=models.OuterRef("provider_id"),
                    agreement_type=AgreementType.ASSIGNMENT,
                )
            )
        )

    def audited_q(self, funder_ids: models.QuerySet[Any, Any]) -> Q:
        # a holder's provider, where they agreed care on one of the funder's grants
        links = HolderProvider.objects.filter(
            provider__agreements__holder_id=models.F("holder_id"),
            provider__agreements__versions__budget__funder_id__in=funder_ids,
            provider__agreements__versions__budget__holder__duplicate_of__isnull=True,
        )
        return Q(pk__in=links.values("pk"))


class HolderProvider(TimeStampedModel):
    """A provider registered with a budget holder, and how they are related. The relation
    decides formal or informal care and which agreement model applies."""

    holder = models.ForeignKey(
        "budgets.BudgetHolder",
        on_delete=models.CASCADE,
        related_name="provider_links",
        verbose_name=_("budget holder"),
    )
    provider = models.ForeignKey(
        Provider,
        on_delete=models.PROTECT,
        related_name="holder_links",
        verbose_name=_("care provider"),
    )
    relation = models.CharField(
        _("relation to the budget holder"), max_length=20, choices=Relation.choices
    )

    objects = HolderProviderQuerySet.as_manager()

    class Meta:
        verbose_name = _("provider of a budget holder")
        verbose_name_plural = _("providers of budget holders")
        constraints = [
            models.UniqueConstraint(
                fields=["holder", "provider"], name="holder_provider_unique_pair"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} – {self.holder} ({self.get_relation_display()})"

    @property
    def carer_class(self) -> str:
        """Formal care, self-employed (zzp) or informal care, as :func:`contracts.carers.
        carer_class` decides it (domain.md 3.6): a person without a relation to the holder
        who works for them on an assignment is self-employed."""
        provider = self.provider
        assignment = None
        if self.relation == Relation.NONE and provider.kind == ProviderKind.PERSON:
            on_assignment = getattr(self, "on_assignment", None)  # HolderProviderQuerySet
            if on_assignment is None:
                on_assignment = CareAgreement.objects.filter(
                    holder_id=self.holder_id,
                    provider_id=self.provider_id,
                    agreement_type=AgreementType.ASSIGNMENT,
                ).exists()
            assignment = AgreementType.ASSIGNMENT if on_assignment else None
        return carers.carer_class(
            self.relation,
            provider.kind,
            bool(provider.kvk_number or provider.big_number),
            assignment,
        )

    def clean(self) -> None:
        super().clean()
        if (
            self.provider_id
            and self.provider.kind == ProviderKind.ORGANISATION
            and self.relation != Relation.NONE
        ):
            raise _field_error(
                "relation",
                _("An organisation cannot be family or household of the budget holder."),
                "organisation_with_relation",
            )


class CareAgreementQuerySet(ScopedQuerySet["CareAgreement"]):
    holder_field = "holder_id"
    agreement_field = "pk"

    def audited_q(self, funder_ids: models.QuerySet[Any, Any]) -> Q:
        versions = AgreementVersion.objects.filter(
            budget__funder_id__in=funder_ids, budget__holder__duplicate_of__isnull=True
        )
        return Q(pk__in=versions.values("agreement_id"))

    def with_period(self) -> Self:
        """Annotate ``start_date`` and ``end_date`` (None when open-ended) from the versions."""
        open_versions = AgreementVersion.objects.filter(
            agreement_id=models.OuterRef("pk"), valid_to__isnull=True
        )
        return self.annotate(
            start_date=models.Min("versions__valid_from"),
            end_date=models.Case(
                models.When(models.Exists(open_versions), then=None),
                default=models.Max("versions__valid_to"),
            ),
        )


class CareAgreement(TimeStampedModel):
    """A care agreement (zorgovereenkomst) between a budget holder and a provider. What was
    agreed lives in its dated versions: a change is a new version, history is never edited."""

    holder = models.ForeignKey(
        "budgets.BudgetHolder",
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("budget holder"),
    )
    provider = models.ForeignKey(
        Provider, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("provider")
    )
    agreement_type = models.CharField(
        _("agreement type"), max_length=20, choices=AgreementType.choices
    )
    svb_agreement_number = models.CharField(
        _("SVB agreement number"),
        max_length=20,
        blank=True,
        help_text=_("The number the SVB gives the agreement after registering it."),
    )

    objects = CareAgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("care agreement")
        verbose_name_plural = _("care agreements")
        ordering = ["holder_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["svb_agreement_number"],
                condition=~Q(svb_agreement_number=""),
                name="care_agreement_unique_svb_number",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_agreement_type_display()}: {self.provider} – {self.holder}"

    def version_on(self, on: date) -> "AgreementVersion | None":
        """The agreement as it was on ``on`` (one query)."""
        from .selectors import version_on  # the selectors import this module

        return version_on(self.versions.all(), on)

    def holder_link(self) -> HolderProvider | None:
        return HolderProvider.objects.filter(
            holder_id=self.holder_id, provider_id=self.provider_id
        ).first()

    def clean(self) -> None:
        super().clean()
        if not (self.holder_id and self.provider_id and self.agreement_type):
            return
        link = self.holder_link()
        if link is None:
            raise _field_error(
                "provider",
                _("Register this provider with the budget holder first, with their relation."),
                "provider_not_registered",
            )
        agreement_type = AgreementType(self.agreement_type)
        is_family = link.relation in FAMILY_RELATIONS
        if is_family and agreement_type != AgreementType.FAMILY:
            raise _field_error(
                "agreement_type",
                _(
                    "The provider is the holder's %(relation)s: the SVB requires the agreement "
                    "with a partner or family member."
                ),
                "family_needs_family_agreement",
                relation=lower_lazy(Relation(link.relation).label),
            )
        if agreement_type == AgreementType.FAMILY and not is_family:
            raise _field_error(
                "agreement_type",
                _("The family agreement is only for a partner or 1st/2nd-degree family member."),
                "family_agreement_without_family",
            )
        expected_kind = (
            ProviderKind.PERSON if agreement_type in PERSON_TYPES else ProviderKind.ORGANISATION
        )
        if self.provider.kind != expected_kind:
            raise _field_error(
                "agreement_type",
                _("A %(type)s agreement is made with %(kind)s."),
                "agreement_type_provider_kind",
                type=lower_lazy(agreement_type.label),
                kind=(
                    _("a person") if expected_kind == ProviderKind.PERSON else _("an organisation")
                ),
            )


# The django-stubs plugin gives each queryset's as_manager() its own manager type, which the
# two bases then disagree on.
class AgreementVersionQuerySet(  # type: ignore[override]
    ScopedQuerySet["AgreementVersion"], ValidityQuerySet["AgreementVersion"]
):
    holder_field = "agreement__holder_id"
    agreement_field = "agreement_id"

    def audited_q(self, funder_ids: models.QuerySet[Any, Any]) -> Q:
        # not a held copy's grant (pgb_admin.budgets.models.REGISTERED)
        return Q(budget__funder_id__in=funder_ids, budget__holder__duplicate_of__isnull=True)


class AgreementVersion(ValidityPeriod):
    """What was agreed from ``valid_from`` to ``valid_to``. Its content is never edited: a
    change registers a new version and closes this one the day before."""

    agreement = models.ForeignKey(
        CareAgreement,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("care agreement"),
    )
    budget = models.ForeignKey(
        "budgets.Budget",
        on_delete=models.PROTECT,
        related_name="agreement_versions",
        verbose_name=_("budget grant"),
    )
    product = models.ForeignKey(
        "budgets.CareProduct",
        on_delete=models.PROTECT,
        related_name="agreement_versions",
        verbose_name=_("care product"),
    )
    rate = models.DecimalField(_("rate (EUR)"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("rate unit"), max_length=10, choices=RateUnit.choices)
    hours_per_week = models.DecimalField(
        _("hours per week"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    rate_includes_holiday_pay = models.BooleanField(
        _("rate includes holiday allowance"),
        default=False,
        help_text=_("Whether the agreed rate includes the holiday allowance (vakantiegeld)."),
    )
    travel_allowance_per_km = models.DecimalField(
        _("travel allowance per km (EUR)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Leave empty when no travel costs were agreed."),
    )
    approval_status = models.CharField(
        _("approval"),
        max_length=10,
        choices=ApprovalStatus.choices,
        default=ApprovalStatus.PENDING,
    )
    approval_date = SupportedDateField(_("approval decided on"), null=True, blank=True)
    # The funder's decision is typed in by whoever acts for the holder: who, as what, when
    # and on what evidence (pgb_admin.audit.provenance).
    approval_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approval recorded by"),
    )
    approval_recorded_role = models.CharField(
        _("role of who recorded the approval"), max_length=20, choices=Role.choices, blank=True
    )
    approval_recorded_at = models.DateTimeField(_("approval recorded at"), null=True, blank=True)
    approval_evidence = models.CharField(
        _("evidence of the approval"),
        max_length=EVIDENCE_MAX_LENGTH,
        blank=True,
        help_text=EVIDENCE_HELP,
    )
    change_reason = models.CharField(_("reason for the change"), max_length=500, blank=True)
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    objects = AgreementVersionQuerySet.as_manager()

    class Meta(ValidityPeriod.Meta):
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        ordering = ["agreement_id", "valid_from"]
        constraints = [
            *ValidityPeriod.Meta.constraints,
            models.UniqueConstraint(
                fields=["agreement", "valid_from"], name="agreement_version_unique_start"
            ),
            models.CheckConstraint(condition=Q(rate__gte=0), name="agreement_rate_not_negative"),
            models.CheckConstraint(
                condition=Q(hours_per_week__isnull=True)
                | Q(hours_per_week__gt=0, hours_per_week__lte=168),
                name="agreement_hours_per_week_in_range",
            ),
            models.CheckConstraint(
                condition=Q(travel_allowance_per_km__isnull=True)
                | Q(travel_allowance_per_km__gte=0),
                name="agreement_travel_allowance_not_negative",
            ),
        ]

    def __str__(self) -> str:
        end = self.valid_to.isoformat() if self.valid_to else "…"
        return f"{self.agreement} [{self.valid_from.isoformat()} – {end}]"

    @property
    def is_approved(self) -> bool:
        return self.approval_status == ApprovalStatus.APPROVED

    @property
    def approval_provenance(self) -> Recorded | None:
        """How the funder's decision came in; None while none was ever recorded."""
        if self.approval_status == ApprovalStatus.PENDING and self.approval_recorded_at is None:
            return None
        return Recorded.of(
            self.approval_recorded_by,
            self.approval_recorded_role,
            self.approval_recorded_at,
            self.approval_evidence,
        )

    def clean(self) -> None:
        super().clean()
        for field, value in (("rate", self.rate), ("hours_per_week", self.hours_per_week)):
            if value is not None and value < 0:
                raise _field_error(
                    field, _("%(value)s is negative."), "negative_value", value=value
                )
        if self.hours_per_week is not None and not 0 < self.hours_per_week <= 168:
            raise _field_error(
                "hours_per_week",
                _("%(value)s hours per week is not possible: a week has 168 hours."),
                "hours_per_week_out_of_range",
                value=self.hours_per_week,
            )
        if not (self.agreement_id and self.budget_id and self.valid_from):
            return
        self._check_no_overlap()
        self._check_budget()
        self._check_unit_and_hours()

    def _check_no_overlap(self) -> None:
        others = self.agreement.versions.exclude(pk=self.pk)
        for other in others:
            if periods_overlap(self.valid_from, self.valid_to, other.valid_from, other.valid_to):
                raise _field_error(
                    "valid_from",
                    _(
                        "This version overlaps the version from %(start)s: register a change "
                        "from a date after it instead."
                    ),
                    "overlapping_version",
                    start=format_date(other.valid_from),
                )

    def _check_budget(self) -> None:
        budget, agreement = self.budget, self.agreement
        if budget.holder_id != agreement.holder_id:
            raise _field_error(
                "budget",
                _("This grant belongs to another budget holder."),
                "budget_of_other_holder",
            )
        if not budget.covers(self.valid_from):
            raise _field_error(
                "valid_from",
                _("The agreement starts on %(start)s, outside its grant (%(from)s to %(to)s)."),
                "agreement_outside_budget",
                start=format_date(self.valid_from),
                **{"from": format_date(budget.start_date), "to": format_date(budget.end_date)},
            )
        if self.valid_to and not budget.covers(self.valid_to):
            raise _field_error(
                "valid_to",
                _("The agreement ends on %(end)s, outside its grant (%(from)s to %(to)s)."),
                "agreement_outside_budget",
                end=format_date(self.valid_to),
                **{"from": format_date(budget.start_date), "to": format_date(budget.end_date)},
            )
        if self.product_id and not budget.products.filter(pk=self.product_id).exists():
            raise _field_error(
                "product",
                _("The grant does not cover %(product)s."),
                "product_not_in_budget",
                product=self.product.name,
            )

    def _check_unit_and_hours(self) -> None:
        agreement_type = AgreementType(self.agreement.agreement_type)
        if self.unit and self.unit not in UNITS_OF_AGREEMENT_TYPE[agreement_type]:
            raise _field_error(
                "unit",
                _("A %(type)s agreement cannot be paid per %(unit)s."),
                "unit_not_allowed",
                type=lower_lazy(agreement_type.label),
                unit=lower_lazy(RateUnit(self.unit).label),
            )
        if agreement_type in HOURS_REQUIRED_TYPES and self.hours_per_week is None:
            raise _field_error(
                "hours_per_week",
                _("Fill in the agreed hours per week."),
                "hours_per_week_required",
            )


class SickReport(models.Model):
    """A sick report (ziekmelding) of the carer of an agreement and, later, their recovery
    (herstelmelding), as reported to the SVB."""

    agreement = models.ForeignKey(
        CareAgreement,
        on_delete=models.CASCADE,
        related_name="sick_reports",
        verbose_name=_("care agreement"),
    )
    sick_from = SupportedDateField(_("sick from"))
    recovered_on = SupportedDateField(_("recovered on"), null=True, blank=True)
    reported_on = SupportedDateField(_("reported to the SVB on"), null=True, blank=True)

    class Meta:
        verbose_name = _("sick report")
        verbose_name_plural = _("sick reports")
        ordering = ["agreement_id", "sick_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recovered_on__isnull=True) | Q(recovered_on__gte=models.F("sick_from")),
                name="sick_report_recovery_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.sick_from:%Y-%m-%d}"


class ProviderInvitationQuerySet(ScopedQuerySet["ProviderInvitation"]):
    holder_field = "agreement__holder_id"

    def open(self) -> Self:
        """Neither accepted nor revoked, and not expired."""
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class ProviderInvitation(models.Model):
    """A one-time link by e-mail that lets a care provider log in to one care agreement. Only
    the token's sha256 is stored; the link is shown once, in the e-mail."""

    agreement = models.ForeignKey(
        CareAgreement,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("care agreement"),
    )
    email = models.EmailField(_("e-mail address"))
    token_hash = models.CharField(_("sha256 of the token"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ProviderInvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("provider invitation")
        verbose_name_plural = _("provider invitations")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.email} → {self.agreement_id}"

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )
