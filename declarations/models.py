from datetime import date
from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from contracts.models import AgreementVersion
from pgb_admin.accounts.scoping import ScopedQuerySet
from pgb_admin.audit.models import Role
from pgb_admin.audit.provenance import EVIDENCE_HELP, EVIDENCE_MAX_LENGTH, Recorded
from pgb_admin.budgets.constants import Channel
from pgb_admin.core.fields import SupportedDateField
from pgb_admin.core.models import TimeStampedModel
from pgb_admin.core.periods import month_end
from pgb_admin.figures.constants import RateUnit

from .constants import (
    FROZEN_STATUSES,
    SETTLED_STATUSES,
    DeclarationStatus,
    ExpenseKind,
    ProviderMonthStatus,
    Severity,
)

if TYPE_CHECKING:
    from pgb_admin.accounts.scoping import AnyUser

    from .validation.registry import Rule


def _audited_agreements_q(funder_ids: models.QuerySet[Any, Any], prefix: str = "") -> Q:
    versions = AgreementVersion.objects.filter(
        budget__funder_id__in=funder_ids, budget__holder__duplicate_of__isnull=True
    )
    return Q(**{f"{prefix}agreement_id__in": versions.values("agreement_id")})


def _audited_declarations_q(funder_ids: models.QuerySet[Any, Any], prefix: str = "") -> Q:
    """A declaration is paid from one grant: its auditors see it, not those of another grant the
    agreement also used (a move from the Wmo to the Wlz). One without a grant yet goes by its
    agreement."""
    own_grant = Q(
        **{
            f"{prefix}budget__funder_id__in": funder_ids,
            f"{prefix}budget__holder__duplicate_of__isnull": True,
        }
    )
    no_grant = Q(**{f"{prefix}budget__isnull": True}) & _audited_agreements_q(funder_ids, prefix)
    return own_grant | no_grant


# the models whose rows belong to a care agreement (each says which of its dates is the day)
_AgreementData = TypeVar("_AgreementData", bound="TimeEntry | Expense | Declaration")


class AgreementDataQuerySet(ScopedQuerySet[_AgreementData]):
    """Hours, costs and declarations belong to a care agreement: the holder's people see them,
    and so do the auditors of the funders whose grants the agreement used."""

    holder_field = "agreement__holder_id"

    def audited_q(self, funder_ids: models.QuerySet[Any, Any]) -> Q:
        return _audited_agreements_q(funder_ids)

    def in_month(self, month: date) -> Self:
        return self.filter(**{f"{self.model.DATE_FIELD}__range": (month, month_end(month))})


class TimeEntry(TimeStampedModel):
    """Care given on one day under one agreement: hours (in quarter hours), day parts or
    24-hour periods, whichever unit the agreement uses."""

    DATE_FIELD = "care_date"

    agreement = models.ForeignKey(
        "contracts.CareAgreement",
        on_delete=models.PROTECT,
        related_name="time_entries",
        verbose_name=_("care agreement"),
    )
    care_date = SupportedDateField(_("care date"))
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=5,
        decimal_places=2,
        help_text=_("Hours, day parts or 24-hour periods, as the agreement's unit says."),
    )
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    provider_month = models.ForeignKey(
        "declarations.ProviderMonth",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by the provider in"),
        help_text=_("Set when the row came from a care provider's month the holder approved."),
    )

    objects = AgreementDataQuerySet.as_manager()

    class Meta:
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        ordering = ["agreement_id", "care_date", "start_time", "pk"]
        indexes = [models.Index(fields=["agreement", "care_date"])]

    def __str__(self) -> str:
        return f"{self.care_date.isoformat()} {self.quantity}"


class Expense(TimeStampedModel):
    """A cost declared beside the care: travel (kilometres at the agreed allowance) or other."""

    DATE_FIELD = "expense_date"

    agreement = models.ForeignKey(
        "contracts.CareAgreement",
        on_delete=models.PROTECT,
        related_name="expenses",
        verbose_name=_("care agreement"),
    )
    expense_date = SupportedDateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=ExpenseKind.choices)
    kilometres = models.DecimalField(
        _("kilometres"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    amount = models.DecimalField(_("amount (EUR)"), max_digits=10, decimal_places=2)
    description = models.CharField(_("description"), max_length=500, blank=True)
    provider_month = models.ForeignKey(
        "declarations.ProviderMonth",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by the provider in"),
        help_text=_("Set when the row came from a care provider's month the holder approved."),
    )

    objects = AgreementDataQuerySet.as_manager()

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["agreement_id", "expense_date", "pk"]
        indexes = [models.Index(fields=["agreement", "expense_date"])]

    def __str__(self) -> str:
        return f"{self.expense_date.isoformat()} {self.get_kind_display()} {self.amount}"


class BatchQuerySet(models.QuerySet["Batch"]):
    def visible_to(self, user: "AnyUser") -> Self:
        """Staff, those who act for the batch's holder today, and who exported it while
        they act today for every holder whose declarations are in it: a mandate that ended
        ends the access through the batch. A batch of several holders' declarations
        (``holder`` empty) is not shown to each holder's people, family or auditor."""
        from pgb_admin.accounts.constants import ACTING_ROLES
        from pgb_admin.accounts.scoping import represented_holder_ids, sees_everything

        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        if sees_everything(user):
            return self
        acting = represented_holder_ids(user, roles=ACTING_ROLES)
        holder_outside = Declaration.objects.filter(batch_id=OuterRef("pk")).exclude(
            agreement__holder_id__in=acting
        )
        return self.filter(Q(holder_id__in=acting) | (Q(created_by=user) & ~Exists(holder_outside)))


class Batch(models.Model):
    """An SVB-ready export of the validated declarations of one month. Immutable: its files
    are stored as written, so a second download gives the same bytes. Never purged (unlike
    report files and task results): it is the record of what was declared to the SVB."""

    period = SupportedDateField(_("month"))
    holder = models.ForeignKey(
        "budgets.BudgetHolder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="batches",
        verbose_name=_("budget holder"),
        help_text=_("Set when the batch holds one holder's declarations."),
    )
    funder = models.ForeignKey(
        "budgets.Funder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="batches",
        verbose_name=_("funder"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="batches",
        verbose_name=_("exported by"),
    )
    created_at = models.DateTimeField(_("exported at"), auto_now_add=True)
    channel = models.CharField(
        _("declared through"),
        max_length=10,
        choices=Channel.choices,
        default=Channel.SVB,
        help_text=_(
            "An entry aid for the PGB Portaal (SVB) or a declaration to send to the insurer."
        ),
    )
    declaration_count = models.PositiveIntegerField(_("declarations"), default=0)
    line_count = models.PositiveIntegerField(_("care lines"), default=0)
    total_amount = models.DecimalField(_("total (EUR)"), max_digits=14, decimal_places=2)
    task_run = models.OneToOneField(
        "core.TaskRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="batch",
        verbose_name=_("task"),
        help_text=_("The background task that exported it, so a repeated task finds it."),
    )
    skipped = models.JSONField(
        _("skipped declarations"),
        default=list,
        help_text=_("Declarations of the period left out, with the reason."),
    )

    objects = BatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("entry aid or declaration")
        verbose_name_plural = _("entry aids and declarations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{_('Batch')} {self.pk} {self.period:%Y-%m}"


class BatchFile(models.Model):
    class Format(models.TextChoices):
        XLSX = "xlsx", "XLSX"
        CSV = "csv", "CSV"

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="files")
    format = models.CharField(max_length=4, choices=Format.choices)
    filename = models.CharField(max_length=200)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("batch file")
        verbose_name_plural = _("batch files")
        constraints = [
            models.UniqueConstraint(fields=["batch", "format"], name="batch_file_one_per_format")
        ]

    def __str__(self) -> str:
        return self.filename


class DeclarationQuerySet(AgreementDataQuerySet["Declaration"]):
    def audited_q(self, funder_ids: models.QuerySet[Any, Any]) -> Q:
        return _audited_declarations_q(funder_ids)

    def frozen(self) -> Self:
        return self.filter(status__in=FROZEN_STATUSES)

    def open(self) -> Self:
        return self.exclude(status__in=FROZEN_STATUSES)


class Declaration(TimeStampedModel):
    """What a holder claims from the SVB for one agreement and one month: lines per day drafted
    from the time entries, plus travel and other costs. Frozen once exported."""

    agreement = models.ForeignKey(
        "contracts.CareAgreement",
        on_delete=models.PROTECT,
        related_name="declarations",
        verbose_name=_("care agreement"),
    )
    month = SupportedDateField(_("month"), help_text=_("The first day of the month declared."))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeclarationStatus.choices,
        default=DeclarationStatus.DRAFT,
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("correction of"),
    )
    budget = models.ForeignKey(
        "budgets.Budget",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declarations",
        verbose_name=_("budget grant"),
        help_text=_("The grant the declaration is paid from: that of the agreement version."),
    )
    invoice_number = models.CharField(
        _("invoice number"),
        max_length=50,
        blank=True,
        help_text=_("The provider's invoice number, when the care is invoiced."),
    )
    declared_rate = models.DecimalField(
        _("declared rate (EUR)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Only when the invoice states another rate than the agreement."),
    )
    care_quantity = models.DecimalField(
        _("quantity of care"), max_digits=8, decimal_places=2, default=0
    )
    care_amount = models.DecimalField(_("care (EUR)"), max_digits=12, decimal_places=2, default=0)
    travel_kilometres = models.DecimalField(
        _("travel (km)"), max_digits=8, decimal_places=1, default=0
    )
    travel_amount = models.DecimalField(
        _("travel costs (EUR)"), max_digits=12, decimal_places=2, default=0
    )
    other_amount = models.DecimalField(
        _("other costs (EUR)"), max_digits=12, decimal_places=2, default=0
    )
    total_amount = models.DecimalField(_("total (EUR)"), max_digits=12, decimal_places=2, default=0)
    batch = models.ForeignKey(
        Batch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declarations",
        verbose_name=_("entry aid or declaration"),
    )
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    settled_at = models.DateTimeField(_("paid or rejected at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    # The SVB's answer is typed in by whoever acts for the holder: who, as what and on what
    # evidence (pgb_admin.audit.provenance); ``settled_at`` is when.
    settled_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("SVB's answer recorded by"),
    )
    settled_recorded_role = models.CharField(
        _("role of who recorded the SVB's answer"),
        max_length=20,
        choices=Role.choices,
        blank=True,
    )
    settled_evidence = models.CharField(
        _("evidence of the SVB's answer"),
        max_length=EVIDENCE_MAX_LENGTH,
        blank=True,
        help_text=EVIDENCE_HELP,
    )

    objects = DeclarationQuerySet.as_manager()

    DATE_FIELD = "month"

    class Meta:
        verbose_name = _("declaration")
        verbose_name_plural = _("declarations")
        ordering = ["agreement_id", "month", "pk"]
        indexes = [
            models.Index(fields=["agreement", "month"]),
            models.Index(fields=["month", "status"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="declaration_month_first_day"),
            models.CheckConstraint(
                condition=Q(batch__isnull=True) | Q(status__in=sorted(FROZEN_STATUSES)),
                name="declaration_in_batch_is_frozen",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Declaration')} {self.pk} {self.month:%Y-%m}"

    @property
    def is_frozen(self) -> bool:
        return self.status in FROZEN_STATUSES

    @property
    def month_end(self) -> date:
        return month_end(self.month)

    @property
    def settlement_provenance(self) -> Recorded | None:
        """How the SVB's answer (paid or rejected) came in; None before there was one."""
        if self.status not in SETTLED_STATUSES:
            return None
        return Recorded.of(
            self.settled_recorded_by,
            self.settled_recorded_role,
            self.settled_at,
            self.settled_evidence,
        )

    def clean(self) -> None:
        super().clean()
        if self.month and self.month.day != 1:
            raise ValidationError(
                {"month": ValidationError(_("Use the first day of the month."), code="not_month")}
            )


class DeclarationLine(models.Model):
    """One day of care in a declaration, at the rate declared for it."""

    declaration = models.ForeignKey(
        Declaration, on_delete=models.CASCADE, related_name="lines", verbose_name=_("declaration")
    )
    care_date = SupportedDateField(_("care date"))
    quantity = models.DecimalField(_("quantity"), max_digits=6, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=10, choices=RateUnit.choices)
    rate = models.DecimalField(_("rate (EUR)"), max_digits=10, decimal_places=2)
    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)
    version = models.ForeignKey(
        "contracts.AgreementVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declaration_lines",
        verbose_name=_("agreement version"),
        help_text=_("The version valid on the care date; empty when none was."),
    )

    class Meta:
        verbose_name = _("declaration line")
        verbose_name_plural = _("declaration lines")
        ordering = ["declaration_id", "care_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["declaration", "care_date"], name="declaration_line_one_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.care_date.isoformat()} {self.quantity} × {self.rate}"


class FindingQuerySet(ScopedQuerySet["Finding"]):
    holder_field = "declaration__agreement__holder_id"

    def audited_q(self, funder_ids: models.QuerySet[Any, Any]) -> Q:
        return _audited_declarations_q(funder_ids, prefix="declaration__")

    def open(self) -> Self:
        return self.filter(
            Q(severity=Severity.ERROR) | Q(severity=Severity.WARNING, acknowledged_at__isnull=True)
        )


class Finding(models.Model):
    """What the validation found wrong (or worth knowing) in a declaration. The message is
    rendered from the rule's text in the reader's language with ``params`` filled in."""

    declaration = models.ForeignKey(
        Declaration,
        on_delete=models.CASCADE,
        related_name="findings",
        verbose_name=_("declaration"),
    )
    rule_code = models.CharField(_("rule"), max_length=60)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    care_date = SupportedDateField(_("care date"), null=True, blank=True)
    params = models.JSONField(_("figures"), default=dict)
    created_at = models.DateTimeField(_("found at"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="acknowledged_findings",
        verbose_name=_("acknowledged by"),
    )
    acknowledgement_reason = models.TextField(_("reason"), blank=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["declaration_id", "care_date", "rule_code"]
        indexes = [models.Index(fields=["declaration", "severity"])]

    def __str__(self) -> str:
        return f"{self.rule_code} {self.care_date or ''}".strip()

    @property
    def rule(self) -> "Rule | None":
        from .validation.registry import catalogue

        return catalogue().get(self.rule_code)

    @property
    def message(self) -> str:
        rule = self.rule
        return rule.render(self.params) if rule else self.rule_code

    @property
    def fix(self) -> str:
        rule = self.rule
        return str(rule.fix) if rule else ""

    @property
    def is_open(self) -> bool:
        """An error is open until fixed; a warning until acknowledged with a reason."""
        if self.severity == Severity.ERROR:
            return True
        return self.severity == Severity.WARNING and self.acknowledged_at is None

    def key(self) -> tuple:
        return (self.rule_code, self.care_date, tuple(sorted(self.params.items())))


class HoursUploadQuerySet(models.QuerySet["HoursUpload"]):
    def visible_to(self, user: "AnyUser") -> Self:
        """Only who uploaded it (not staff: it is their own file), while its task run is
        theirs to see (their mandates still cover the holders it imported into)."""
        from pgb_admin.core.models import TaskRun

        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(created_by=user).filter(
            Q(task_run__isnull=True) | Q(task_run__in=TaskRun.objects.visible_to(user))
        )


class HoursUpload(models.Model):
    """An uploaded hours file waiting for (or done by) the import task: large files are
    imported by a Celery worker, which needs the bytes. Seen only by who uploaded it; the
    result and the problems are on its task run. Removed with its run after
    ``TASK_RESULT_RETENTION_DAYS`` (:func:`pgb_admin.core.services.purge_expired`)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="hours_uploads",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    filename = models.CharField(_("file name"), max_length=200)
    content = models.BinaryField(_("content"))
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("sha256"), max_length=64)
    dry_run = models.BooleanField(_("only show what would change"), default=False)
    language = models.CharField(
        _("language"), max_length=10, help_text=_("The problems are written in this language.")
    )
    task_run = models.OneToOneField(
        "core.TaskRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hours_upload",
        verbose_name=_("task"),
    )

    objects = HoursUploadQuerySet.as_manager()

    class Meta:
        verbose_name = _("hours upload")
        verbose_name_plural = _("hours uploads")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.created_at:%Y-%m-%d %H:%M})"


# --- what a care provider enters, staged until the holder approves it ------------------------


class ProviderMonthQuerySet(ScopedQuerySet["ProviderMonth"]):
    """The holder's people see a provider's months (to review them); the provider sees their
    own agreements' months (:meth:`granted_to`). Auditors see none: nothing here counts."""

    holder_field = "agreement__holder_id"
    agreement_field = "agreement_id"

    def waiting_for_review(self) -> Self:
        return self.filter(status=ProviderMonthStatus.SUBMITTED)


class ProviderMonth(TimeStampedModel):
    """A month of care a provider entered under one agreement, for the holder to review. It is
    read by nothing that counts (validation, reports, grants, declarations): only its approval
    copies it into the holder's time entries and expenses."""

    agreement = models.ForeignKey(
        "contracts.CareAgreement",
        on_delete=models.CASCADE,
        related_name="provider_months",
        verbose_name=_("care agreement"),
    )
    month = SupportedDateField(_("month"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ProviderMonthStatus.choices,
        default=ProviderMonthStatus.DRAFT,
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entered by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("sent back at"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent back by"),
    )
    return_reason = models.TextField(_("reason for sending it back"), blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    # an invoice instead of (or beside) hours, as the PGB Portaal allows (domain.md section 8;
    # its fields: section 2.3 "Extra for an invoice"); the file goes to the document archive
    invoice_number = models.CharField(_("invoice number"), max_length=50, blank=True)
    invoice_date = SupportedDateField(_("invoice date"), null=True, blank=True)
    invoice_amount = models.DecimalField(
        _("invoice amount (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    invoice_vat = models.DecimalField(
        _("VAT (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    objects = ProviderMonthQuerySet.as_manager()

    class Meta:
        verbose_name = _("provider month")
        verbose_name_plural = _("provider months")
        ordering = ["agreement_id", "month"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="provider_month_first_day"),
            models.UniqueConstraint(
                fields=["agreement", "month"], name="provider_month_one_per_agreement"
            ),
        ]
        indexes = [models.Index(fields=["status", "month"])]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.month:%Y-%m} {self.status}"

    @property
    def provider_may_edit(self) -> bool:
        return self.status in (ProviderMonthStatus.DRAFT, ProviderMonthStatus.RETURNED)


class ProviderHour(models.Model):
    """Care on one day of a provider's month, in the agreement's unit."""

    provider_month = models.ForeignKey(
        ProviderMonth, on_delete=models.CASCADE, related_name="hours", verbose_name=_("month")
    )
    care_date = SupportedDateField(_("care date"))
    quantity = models.DecimalField(_("quantity"), max_digits=5, decimal_places=2)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("provider's care day")
        verbose_name_plural = _("provider's care days")
        ordering = ["provider_month_id", "care_date", "pk"]

    def __str__(self) -> str:
        return f"{self.care_date.isoformat()} {self.quantity}"


class ProviderCost(models.Model):
    """A cost beside the care in a provider's month: travel (kilometres) or other."""

    provider_month = models.ForeignKey(
        ProviderMonth, on_delete=models.CASCADE, related_name="costs", verbose_name=_("month")
    )
    expense_date = SupportedDateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=ExpenseKind.choices)
    kilometres = models.DecimalField(
        _("kilometres"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    amount = models.DecimalField(_("amount (EUR)"), max_digits=10, decimal_places=2)
    description = models.CharField(_("description"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("provider's cost")
        verbose_name_plural = _("provider's costs")
        ordering = ["provider_month_id", "expense_date", "pk"]

    def __str__(self) -> str:
        return f"{self.expense_date.isoformat()} {self.get_kind_display()} {self.amount}"


# the document archive lives in its own package; imported here so Django finds the model
from .documents.models import Document  # noqa: E402, F401
