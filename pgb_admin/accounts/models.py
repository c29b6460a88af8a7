from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pgb_admin.core.models import TimeStampedModel, ValidityPeriod
from pgb_admin.core.periods import ValidityQuerySet

from .constants import ACTING_ROLES, MandateRole, RepresentativeKind


class User(AbstractUser):
    """A person who logs in: a budget holder, a representative, a bureau employee, an auditor
    or back-office staff. What they may see follows from their mandates and auditor scopes."""

    sessions_valid_after = models.DateTimeField(
        _("sessions valid after"),
        null=True,
        blank=True,
        help_text=_(
            'Set by "log out everywhere": web sessions that logged in before this moment '
            "are logged out."
        ),
    )

    _password_disabled = False  # set_unusable_password() was called, not saved yet

    if TYPE_CHECKING:
        # set on request.user by django_otp's OTPMiddleware: whether this session gave a code
        def is_verified(self) -> bool: ...

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]  # not in django-stubs
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        self._password_disabled = True

    def save(self, **kwargs) -> None:
        """A new password (any path: the back office, ``changepassword``, a reset) or a
        disabled one revokes all the user's API tokens, in the same transaction. Django
        already ends the user's other web sessions then. A hash upgrade at login is no change:
        Django clears ``_password`` before that save."""
        update_fields = kwargs.get("update_fields")
        password_changed = (
            not self._state.adding
            # django-stubs lacks AbstractBaseUser._password (the new raw password, or None)
            and (self._password is not None or self._password_disabled)  # type: ignore[attr-defined]
            and (update_fields is None or "password" in update_fields)
        )
        with transaction.atomic():
            super().save(**kwargs)
            if password_changed:
                ApiToken.objects.filter(user=self).delete()
        self._password_disabled = False


class Mandate(ValidityPeriod, TimeStampedModel):
    """The right of a user to act for (or, read-only, look at) one budget holder."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mandates",
        verbose_name=_("user"),
    )
    holder = models.ForeignKey(
        "budgets.BudgetHolder",
        on_delete=models.CASCADE,
        related_name="mandates",
        verbose_name=_("budget holder"),
    )
    role = models.CharField(_("role"), max_length=20, choices=MandateRole.choices)
    representative_kind = models.CharField(
        _("kind of representation"),
        max_length=20,
        choices=RepresentativeKind.choices,
        blank=True,
        help_text=_("For representatives: the legal ground on which they act."),
    )

    objects = ValidityQuerySet.as_manager()

    class Meta(ValidityPeriod.Meta):
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        ordering = ["holder_id", "-valid_from"]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        return f"{self.user} → {self.holder} ({self.get_role_display()})"

    def clean(self) -> None:
        super().clean()
        if self.representative_kind and self.role != MandateRole.REPRESENTATIVE:
            raise ValidationError(
                {
                    "representative_kind": ValidationError(
                        _("Only a representative has a kind of representation."),
                        code="kind_without_representative",
                    )
                }
            )

    @property
    def acts_for_holder(self) -> bool:
        return self.role in ACTING_ROLES


class AuditorScope(ValidityPeriod, TimeStampedModel):
    """Read-only access for a municipal (or care office) auditor to one funder's holders."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="auditor_scopes",
        verbose_name=_("user"),
    )
    funder = models.ForeignKey(
        "budgets.Funder",
        on_delete=models.CASCADE,
        related_name="auditor_scopes",
        verbose_name=_("funder"),
    )

    objects = ValidityQuerySet.as_manager()

    class Meta(ValidityPeriod.Meta):
        verbose_name = _("auditor scope")
        verbose_name_plural = _("auditor scopes")
        constraints = [
            *ValidityPeriod.Meta.constraints,
            models.UniqueConstraint(
                fields=["user", "funder", "valid_from"], name="auditor_scope_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.funder}"


class ProviderAccess(ValidityPeriod, TimeStampedModel):
    """A care provider's login to one care agreement, given by accepting an invitation of the
    holder or their representative. It is no mandate: it reaches the agreement's own hours,
    costs and staged months (:func:`.scoping.granted_agreement_ids`), nothing else of the
    holder. A provider of several holders has one login with an access per agreement."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="provider_accesses",
        verbose_name=_("user"),
    )
    agreement = models.ForeignKey(
        "contracts.CareAgreement",
        on_delete=models.CASCADE,
        related_name="provider_accesses",
        verbose_name=_("care agreement"),
    )
    two_factor_required = models.BooleanField(
        _("two-factor authentication required"),
        default=False,
        help_text=_("Set for an organisation: its login needs a second factor."),
    )

    objects = ValidityQuerySet.as_manager()

    class Meta(ValidityPeriod.Meta):
        verbose_name = _("provider access")
        verbose_name_plural = _("provider accesses")
        constraints = [
            *ValidityPeriod.Meta.constraints,
            models.UniqueConstraint(
                fields=["user", "agreement", "valid_from"], name="provider_access_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.agreement_id}"


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(expires_at__gt=timezone.now(), user__is_active=True)


class ApiToken(models.Model):
    """A bearer token for scripts using the API (``Authorization: Bearer <token>``). Only the
    token's sha256 is stored: the token itself is shown once, when it is issued."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    key_hash = models.CharField(_("sha256 of the token"), max_length=64, unique=True)
    prefix = models.CharField(
        _("first characters"), max_length=12, help_text=_("To recognise the token by.")
    )
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    issued_with_two_factor = models.BooleanField(
        _("issued with a second factor"),
        default=False,
        help_text=_(
            "Whether a two-factor code was given when the token was issued. A token issued "
            "without one stops working once the account requires two-factor authentication."
        ),
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
