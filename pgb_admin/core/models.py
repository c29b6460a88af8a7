"""Abstract base models shared by the apps."""

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .periods import ValidityQuerySet, validate_period


class ValidityPeriod(models.Model):
    """Abstract: a row that holds from ``valid_from`` to ``valid_to`` (inclusive, open when
    empty). The database refuses an end before the start."""

    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Leave empty when open-ended.")
    )

    objects = ValidityQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="%(app_label)s_%(class)s_period_ordered",
            )
        ]

    def clean(self) -> None:
        super().clean()
        validate_period(self.valid_from, self.valid_to)

    def is_valid_on(self, on: date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True
