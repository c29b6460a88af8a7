from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pgb_admin.accounts.scoping import ScopedQuerySet
from pgb_admin.budgets.constants import Channel
from pgb_admin.budgets.models import holder_ids_with_grants_of
from pgb_admin.core.fields import SupportedDateField

from .constants import AGREEING, DifferenceKind, OverviewKind, OverviewSource, Resolution


def _audited_grants_q(funder_ids: models.QuerySet[Any, Any]) -> Q:
    """An auditor of a funder reads what concerns its grants (of registered holders)."""
    return Q(budget__funder_id__in=funder_ids, holder__duplicate_of__isnull=True)


class OverviewQuerySet(ScopedQuerySet["Overview"]):
    def audited_q(self, funder_ids: models.QuerySet[Any, Any]) -> Q:
        return Q(holder_id__in=holder_ids_with_grants_of(funder_ids))


class Overview(models.Model):
    """An overview of the SVB or the insurer for one holder, as uploaded (or typed in where
    only a PDF exists): who, when, and the checksum of its content. The same content for the
    same holder and kind is the same overview: uploading it again changes nothing."""

    holder = models.ForeignKey(
        "budgets.BudgetHolder",
        on_delete=models.PROTECT,
        related_name="overviews",
        verbose_name=_("budget holder"),
    )
    kind = models.CharField(_("kind of overview"), max_length=20, choices=OverviewKind.choices)
    source = models.CharField(_("source"), max_length=10, choices=OverviewSource.choices)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content = models.BinaryField(_("content"))
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("sha256"), max_length=64)
    first_month = SupportedDateField(_("first month"))
    last_month = SupportedDateField(_("last month"))
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="overviews",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = OverviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment overview")
        verbose_name_plural = _("payment overviews")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["holder", "kind", "sha256"], name="overview_one_per_content"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.first_month:%Y-%m}–{self.last_month:%Y-%m}"


class OverviewLine(models.Model):
    """One row of an overview, as read: a payment (agreement and month) or a balance (grant
    and day)."""

    overview = models.ForeignKey(
        Overview, on_delete=models.CASCADE, related_name="lines", verbose_name=_("overview")
    )
    row = models.PositiveIntegerField(_("row"))
    agreement = models.ForeignKey(
        "contracts.CareAgreement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("care agreement"),
    )
    month = SupportedDateField(_("month"), null=True, blank=True)
    declared_amount = models.DecimalField(
        _("declared there (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    paid_amount = models.DecimalField(
        _("paid (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    paid_on = SupportedDateField(_("payment date"), null=True, blank=True)
    status = models.CharField(_("status there"), max_length=100, blank=True)
    budget = models.ForeignKey(
        "budgets.Budget",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("budget grant"),
    )
    balance_on = SupportedDateField(_("balance date"), null=True, blank=True)
    balance = models.DecimalField(
        _("balance there (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("overview line")
        verbose_name_plural = _("overview lines")
        ordering = ["overview_id", "row"]

    def __str__(self) -> str:
        return f"{self.overview_id}:{self.row}"


class DifferenceQuerySet(ScopedQuerySet["Difference"]):
    def audited_q(self, funder_ids: models.QuerySet[Any, Any]) -> Q:
        return _audited_grants_q(funder_ids)

    def differing(self) -> "DifferenceQuerySet":
        return self.exclude(kind__in=sorted(AGREEING))


class Difference(models.Model):
    """The current outcome of matching one agreement and month (or one grant's balance) of a
    holder: one row per ``key``, updated by each newer overview that covers it. What does not
    agree is on the work list until resolved; a resolution stays while the difference does."""

    holder = models.ForeignKey(
        "budgets.BudgetHolder",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("budget holder"),
    )
    channel = models.CharField(_("declared through"), max_length=10, choices=Channel.choices)
    #: ``<agreement>:<YYYY-MM>`` for a payment, ``grant:<budget>`` for a balance
    key = models.CharField(max_length=40)
    kind = models.CharField(_("outcome"), max_length=30, choices=DifferenceKind.choices)
    agreement = models.ForeignKey(
        "contracts.CareAgreement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("care agreement"),
    )
    month = SupportedDateField(_("month"), null=True, blank=True)
    budget = models.ForeignKey(
        "budgets.Budget",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("budget grant"),
    )
    declaration_id = models.PositiveBigIntegerField(_("declaration"), null=True, blank=True)
    ours = models.DecimalField(
        _("here (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    theirs = models.DecimalField(
        _("there (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    difference = models.DecimalField(
        _("difference (EUR)"), max_digits=12, decimal_places=2, default=0
    )
    overview = models.ForeignKey(
        Overview,
        on_delete=models.PROTECT,
        related_name="differences",
        verbose_name=_("last overview"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    resolution = models.CharField(
        _("resolution"), max_length=20, choices=Resolution.choices, default=Resolution.OPEN
    )
    resolution_note = models.TextField(_("note"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    objects = DifferenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("difference with an overview")
        verbose_name_plural = _("differences with overviews")
        ordering = ["holder_id", "month", "key"]
        constraints = [
            models.UniqueConstraint(fields=["holder", "key"], name="difference_one_per_key")
        ]
        indexes = [models.Index(fields=["resolution", "kind"])]

    def __str__(self) -> str:
        return f"{self.key} {self.kind}"

    @property
    def is_difference(self) -> bool:
        return self.kind not in AGREEING
