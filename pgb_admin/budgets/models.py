import re
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol, Self

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from pgb_admin.accounts.scoping import ScopedQuerySet
from pgb_admin.core import bsn_crypto
from pgb_admin.core.fields import (
    BSNHashField,
    EncryptedBSNField,
    SupportedDateField,
    SVBClientNumberField,
)
from pgb_admin.core.masking import mask_identifier
from pgb_admin.core.models import TimeStampedModel, ValidityPeriod
from pgb_admin.core.periods import validate_period
from pgb_admin.core.text import lower_lazy
from pgb_admin.core.validators import (
    clean_address,
    normalize_bsn,
    validate_municipality_code,
)

from .constants import (
    CHANNEL_OF_FUNDER_KIND,
    FUNDER_KIND_OF_SCHEME,
    AdmissionKind,
    CakExemption,
    Channel,
    FunderKind,
    IndicationPeriod,
    Scheme,
)

_OTHER_FUNDER_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")
_BSN_SHAPE = re.compile(r"[0-9]{9}")


class Funder(models.Model):
    """Who grants the budget: a municipality (Wmo, Jeugdwet), a care office (Wlz) or a health
    insurer (Zvw)."""

    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("CBS code for a municipality (GM0518 for The Hague); otherwise a short code."),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=FunderKind.choices)
    channel = models.CharField(
        _("declared through"),
        max_length=10,
        choices=Channel.choices,
        blank=True,
        help_text=_(
            "Where holders declare and who pays: the SVB through the PGB Portaal "
            "(trekkingsrecht) or the health insurer. Empty: by the kind of funder."
        ),
    )

    class Meta:
        verbose_name = _("funder")
        verbose_name_plural = _("funders")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def declares_through(self) -> Channel:
        return (
            Channel(self.channel) if self.channel else CHANNEL_OF_FUNDER_KIND[FunderKind(self.kind)]
        )

    def clean(self) -> None:
        super().clean()
        if self.kind == FunderKind.MUNICIPALITY:
            try:
                validate_municipality_code(self.code)
            except ValidationError as error:
                raise ValidationError({"code": error}) from None
        elif self.code and not _OTHER_FUNDER_CODE.match(self.code):
            raise ValidationError(
                {
                    "code": ValidationError(
                        _("Use 2 to 20 capital letters, digits and hyphens, e.g. ZK-HAAGLANDEN."),
                        code="invalid_funder_code",
                    )
                }
            )


class CareProduct(models.Model):
    """A kind of care a grant can be for (begeleiding, huishoudelijke hulp, …)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_nl = models.CharField(_("Dutch name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200)

    class Meta:
        verbose_name = _("care product")
        verbose_name_plural = _("care products")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "nl").startswith("en") else self.name_nl


class FigureSource(Protocol):
    """Where dated figures are read: ``StatutoryFigure.objects``, or a ``FigureLookup`` that
    many grants share."""

    def value_on(self, kind: str, on: date) -> Decimal | None: ...


def holder_ids_with_grants_of(funder_ids: models.QuerySet[Any, Any]) -> models.QuerySet[Any, Any]:
    """Subquery: the ids of the holders with a grant of one of ``funder_ids``. (Not the
    holder's list of ``funders``: those who act for the holder fill that in.)"""
    return (
        Budget.objects.of_registered_holders().filter(funder_id__in=funder_ids).values("holder_id")
    )


# A held copy (``duplicate_of`` set) is a holder registered with the BSN of a holder the
# registrar does not act for, held for the back office's review (SECURITY.md, "BSN"). Its
# data is of the registrar's making: it is in no auditor's scope.
REGISTERED = Q(duplicate_of__isnull=True)


class BudgetHolderQuerySet(ScopedQuerySet["BudgetHolder"]):
    holder_field = "pk"

    def audited_q(self, funder_ids: models.QuerySet[Any, Any]) -> Q:
        return Q(pk__in=holder_ids_with_grants_of(funder_ids)) & REGISTERED

    def registered(self) -> Self:
        """The holders as registered, without held copies."""
        return self.filter(REGISTERED)

    def held_copies(self) -> Self:
        """Held copies, awaiting the back office's review."""
        return self.exclude(REGISTERED)

    def with_bsn(self, bsn: str) -> Self:
        """The holder with this BSN (typed with spaces or dots or not), found by its keyed
        hash: the stored BSN is encrypted and cannot be searched. Held copies of a holder
        have its BSN too: ``.registered()`` leaves them out."""
        normalized = normalize_bsn(bsn)
        if not _BSN_SHAPE.fullmatch(normalized):  # no stored BSN has another shape
            return self.none()
        return self.filter(bsn_hash__in=bsn_crypto.lookup_hashes(normalized))


class BudgetHolder(TimeStampedModel):
    """The person the budget is granted to (budgethouder)."""

    initials = models.CharField(_("initials"), max_length=20)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    surname = models.CharField(
        _("surname"), max_length=200, help_text=_("Including prefixes, e.g. 'de Vries'.")
    )
    # Encrypted at rest, unique among registered holders and found through its keyed hash
    # (SECURITY.md, "BSN").
    bsn = EncryptedBSNField(
        _("BSN"),
        db_column="bsn_encrypted",
        help_text=_("Burgerservicenummer; shown in full only to the holder and representatives."),
    )
    bsn_hash = BSNHashField(source="bsn", db_index=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="held_copies",
        verbose_name=_("held copy of"),
        help_text=_(
            "Registered with the BSN of this holder by someone who does not act for them: "
            "awaiting the back office's review, and outside every auditor's scope."
        ),
    )
    date_of_birth = SupportedDateField(_("date of birth"))
    funders = models.ManyToManyField(
        Funder, related_name="holders", verbose_name=_("funders"), blank=True
    )
    svb_client_number = SVBClientNumberField(_("SVB client number"), blank=True)
    # The address as far as checks need it (holder and carer at one address): postcode and
    # house number only, masked for auditors.
    postcode = models.CharField(_("postcode"), max_length=7, blank=True)
    house_number = models.CharField(_("house number"), max_length=10, blank=True)
    date_of_death = SupportedDateField(_("date of death"), null=True, blank=True)
    cak_exemption = models.CharField(
        _("exempt from the CAK contribution"),
        max_length=30,
        choices=CakExemption.choices,
        blank=True,
        help_text=_(
            "Why the CAK charges no Wmo contribution. A Wlz grant and an age under 18 are "
            "taken into account without this."
        ),
    )

    objects = BudgetHolderQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget holder")
        verbose_name_plural = _("budget holders")
        ordering = ["surname", "initials", "pk"]
        constraints = [
            # a held copy repeats the numbers of the holder it copies
            models.UniqueConstraint(
                fields=["bsn_hash"], condition=REGISTERED, name="budget_holder_unique_bsn"
            ),
            models.UniqueConstraint(
                fields=["svb_client_number"],
                condition=~Q(svb_client_number="") & REGISTERED,
                name="budget_holder_unique_svb_client_number",
            ),
        ]

    def __str__(self) -> str:
        # Never the BSN: this text ends up in logs, admin lists and the change log.
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.first_name or self.initials} {self.surname}".strip()

    @property
    def masked_bsn(self) -> str:
        return mask_identifier(self.bsn)

    @property
    def is_held_copy(self) -> bool:
        return self.duplicate_of_id is not None

    def save(self, *args: Any, update_fields: Iterable[str] | None = None, **kwargs: Any) -> None:
        if update_fields is not None and "bsn" in update_fields:
            update_fields = {*update_fields, "bsn_hash"}
        super().save(*args, update_fields=update_fields, **kwargs)

    def validate_unique(self, exclude: Iterable[str] | None = None) -> None:
        """A BSN is registered once: checked on its keyed hash, reported on ``bsn``."""
        exclude = set(exclude or ())
        errors: dict[str, list[ValidationError]] = {}
        try:
            super().validate_unique(exclude=exclude | {"bsn_hash"})
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "bsn" not in exclude and self.bsn and self._bsn_taken():
            errors.setdefault("bsn", []).append(self.unique_error_message(BudgetHolder, ("bsn",)))
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude: Iterable[str] | None = None) -> None:
        # the hash is set on save, so the one held now says nothing: _bsn_taken checks the BSN
        super().validate_constraints(exclude={*(exclude or ()), "bsn_hash"})

    def _bsn_taken(self) -> bool:
        if self.is_held_copy:  # it has the BSN of the holder it copies
            return False
        others = BudgetHolder.objects.registered().with_bsn(self.bsn)
        if self.pk is not None:
            others = others.exclude(pk=self.pk)
        return others.exists()

    def clean(self) -> None:
        super().clean()
        errors: dict[str, ValidationError] = {}
        today = timezone.localdate()
        if self.date_of_birth and self.date_of_birth > today:
            errors["date_of_birth"] = ValidationError(
                _("The date of birth lies in the future."), code="birth_in_future"
            )
        clean_address(self, errors)
        if self.house_number and not self.postcode and "postcode" not in errors:
            errors["postcode"] = ValidationError(
                _("Give the postcode with the house number."), code="postcode_required"
            )
        if self.date_of_death:
            if self.date_of_death > today:
                errors["date_of_death"] = ValidationError(
                    _("The date of death lies in the future."), code="death_in_future"
                )
            elif self.date_of_birth and self.date_of_death < self.date_of_birth:
                errors["date_of_death"] = ValidationError(
                    _("The date of death lies before the date of birth."),
                    code="death_before_birth",
                )
        if errors:
            raise ValidationError(errors)


class BudgetQuerySet(ScopedQuerySet["Budget"]):
    holder_field = "holder_id"

    def audited_q(self, funder_ids: models.QuerySet[Any, Any]) -> Q:
        return Q(funder_id__in=funder_ids, holder__duplicate_of__isnull=True)

    def of_registered_holders(self) -> Self:
        """Without the grants of held copies: those count in no funder's figures."""
        return self.filter(holder__duplicate_of__isnull=True)

    def covering(self, on: date) -> Self:
        return self.filter(start_date__lte=on, end_date__gte=on)


class Budget(TimeStampedModel):
    """A grant (toekenning): an amount for a period, under one law, by one funder, for the care
    products in the decision (beschikking)."""

    holder = models.ForeignKey(
        BudgetHolder, on_delete=models.PROTECT, related_name="budgets", verbose_name=_("holder")
    )
    funder = models.ForeignKey(
        Funder, on_delete=models.PROTECT, related_name="budgets", verbose_name=_("funder")
    )
    scheme = models.CharField(_("scheme"), max_length=10, choices=Scheme.choices)
    products = models.ManyToManyField(
        CareProduct, related_name="budgets", verbose_name=_("care products")
    )
    start_date = SupportedDateField(_("start date"))
    end_date = SupportedDateField(_("end date"))
    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)
    decision_date = SupportedDateField(_("decision date"))
    decision_reference = models.CharField(_("decision reference"), max_length=100)
    svb_payroll = models.BooleanField(
        _("SVB runs the payroll"),
        default=False,
        help_text=_(
            "Zvw only: the insurer has the SVB pay the employees of this grant; their "
            "declarations then go through the PGB Portaal."
        ),
    )
    declared = models.DecimalField(
        _("declared (EUR)"),
        max_digits=12,
        decimal_places=2,
        default=0,
        editable=False,
        help_text=_(
            "The sum of the declarations that count against this grant; kept by the "
            "declaration services and never more than the amount."
        ),
    )

    objects = BudgetQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget grant")
        verbose_name_plural = _("budget grants")
        ordering = ["holder_id", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="budget_period_ordered"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(declared__gte=0, declared__lte=models.F("amount")),
                name="budget_declared_within_amount",
            ),
            models.UniqueConstraint(
                fields=["funder", "decision_reference"], name="budget_unique_decision_reference"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} {self.start_date:%Y-%m-%d}–{self.end_date:%Y-%m-%d}"

    def save(self, *args: Any, update_fields: Iterable[str] | None = None, **kwargs: Any) -> None:
        # ``declared`` is the declaration services' (one UPDATE, under a lock): a grant read
        # earlier and saved now (the admin, a correction of the decision) leaves it alone.
        if update_fields is None and not self._state.adding:
            update_fields = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "declared"
            ]
        super().save(*args, update_fields=update_fields, **kwargs)

    def clean(self) -> None:
        super().clean()
        validate_period(self.start_date, self.end_date, end_field="end_date")
        if self.amount is not None and self.declared and self.amount < self.declared:
            raise ValidationError(
                {
                    "amount": ValidationError(
                        _(
                            "%(declared)s has been declared against this grant already: the "
                            "amount cannot be lower."
                        ),
                        code="below_declared",
                        params={"declared": self.declared},
                    )
                }
            )
        if self.amount is not None and self.amount < 0:
            raise ValidationError(
                {
                    "amount": ValidationError(
                        _("The amount cannot be negative (%(amount)s)."),
                        code="negative_amount",
                        params={"amount": self.amount},
                    )
                }
            )
        if self.svb_payroll and self.scheme != Scheme.ZVW:
            raise ValidationError(
                {
                    "svb_payroll": ValidationError(
                        _(
                            "Only a Zvw insurer has the SVB run the payroll; under the other "
                            "schemes the SVB pays every declaration already."
                        ),
                        code="svb_payroll_not_zvw",
                    )
                }
            )
        if self.funder_id and self.scheme:
            expected = FUNDER_KIND_OF_SCHEME[Scheme(self.scheme)]
            if self.funder.kind != expected:
                raise ValidationError(
                    {
                        "funder": ValidationError(
                            _("A %(scheme)s budget is granted by a %(kind)s, not by %(funder)s."),
                            code="scheme_funder_mismatch",
                            params={
                                "scheme": self.get_scheme_display(),
                                "kind": lower_lazy(expected.label),
                                "funder": self.funder.name,
                            },
                        )
                    }
                )

    def covers(self, on: date) -> bool:
        return self.start_date <= on <= self.end_date

    @property
    def objection_deadline(self) -> date | None:
        """Last day to object (bezwaar) against the decision: derived from the decision date
        and the dated objection period, never stored."""
        from pgb_admin.figures.models import StatutoryFigure

        return self.objection_deadline_from(StatutoryFigure.objects)

    def objection_deadline_from(self, figures: "FigureSource") -> date | None:
        """The same, reading the figure from ``figures`` (a lookup shared by many grants)."""
        from pgb_admin.figures.constants import FigureKind

        weeks = figures.value_on(FigureKind.OBJECTION_WEEKS, self.decision_date)
        if weeks is None:
            return None
        return self.decision_date + timedelta(weeks=int(weeks))


class HolderAdmission(ValidityPeriod):
    """A stay in a hospital or a Wlz institution: care at home is not expected meanwhile."""

    holder = models.ForeignKey(
        BudgetHolder, on_delete=models.CASCADE, related_name="admissions", verbose_name=_("holder")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AdmissionKind.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta(ValidityPeriod.Meta):
        verbose_name = _("admission")
        verbose_name_plural = _("admissions")
        ordering = ["holder_id", "valid_from"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.valid_from:%Y-%m-%d}"


class Indication(ValidityPeriod):
    """Hours of a care product the grant decision indicates for a period, e.g. 3 hours of
    household help a week."""

    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="indications", verbose_name=_("grant")
    )
    product = models.ForeignKey(
        CareProduct, on_delete=models.PROTECT, related_name="+", verbose_name=_("care product")
    )
    hours = models.DecimalField(_("hours"), max_digits=7, decimal_places=2)
    per = models.CharField(_("per"), max_length=5, choices=IndicationPeriod.choices)

    class Meta(ValidityPeriod.Meta):
        verbose_name = _("indicated hours")
        verbose_name_plural = _("indicated hours")
        ordering = ["budget_id", "product_id", "valid_from"]
        constraints = [
            *ValidityPeriod.Meta.constraints,
            models.CheckConstraint(condition=Q(hours__gt=0), name="indication_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.hours} {self.get_per_display()}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, ValidationError] = {}
        if self.hours is not None and self.hours <= 0:
            errors["hours"] = ValidationError(
                _("The hours must be more than 0."), code="hours_not_positive"
            )
        if self.budget_id is None:
            if errors:
                raise ValidationError(errors)
            return
        budget = self.budget
        if self.product_id and not budget.products.filter(pk=self.product_id).exists():
            errors["product"] = ValidationError(
                _("The grant is not for this care product."), code="product_not_granted"
            )
        if self.valid_from and not budget.covers(self.valid_from):
            errors["valid_from"] = ValidationError(
                _("The date is outside the grant's period."), code="outside_grant"
            )
        if self.valid_to and not budget.covers(self.valid_to):
            errors["valid_to"] = ValidationError(
                _("The date is outside the grant's period."), code="outside_grant"
            )
        if errors:
            raise ValidationError(errors)


class FreeAmountClaim(models.Model):
    """Money of the verantwoordingsvrij bedrag (Wlz, Zvw) paid to the holder's own account."""

    budget = models.ForeignKey(
        Budget, on_delete=models.PROTECT, related_name="free_amount_claims", verbose_name=_("grant")
    )
    paid_on = SupportedDateField(_("paid on"))
    amount = models.DecimalField(_("amount (EUR)"), max_digits=10, decimal_places=2)
    description = models.CharField(_("what for"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("claim on the verantwoordingsvrij bedrag")
        verbose_name_plural = _("claims on the verantwoordingsvrij bedrag")
        ordering = ["budget_id", "paid_on"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="free_amount_claim_positive")
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.paid_on:%Y-%m-%d}"
