from django.db import models
from django.utils.translation import gettext_lazy as _


class DeclarationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    VALIDATED = "validated", _("Validated")
    # Nothing is sent from here: "exported" means checked and ready to type into the PGB
    # Portaal (or to send to the insurer); what happened after is the user's own record.
    EXPORTED = "exported", _("Ready to declare")
    SUBMITTED = "submitted", _("Declared (your record)")
    PAID = "paid", _("Paid (your record)")
    REJECTED = "rejected", _("Rejected (your record)")


# Once exported, a declaration and the hours behind it no longer change; a correction is a new
# declaration that references it.
FROZEN_STATUSES = frozenset(
    {
        DeclarationStatus.EXPORTED,
        DeclarationStatus.SUBMITTED,
        DeclarationStatus.PAID,
        DeclarationStatus.REJECTED,
    }
)
OPEN_STATUSES = frozenset({DeclarationStatus.DRAFT, DeclarationStatus.VALIDATED})
# The SVB's answer, recorded by hand with its provenance.
SETTLED_STATUSES = frozenset({DeclarationStatus.PAID, DeclarationStatus.REJECTED})
# Declarations that use (or will use) money of the grant.
SPENDING_STATUSES = frozenset(
    {
        DeclarationStatus.VALIDATED,
        DeclarationStatus.EXPORTED,
        DeclarationStatus.SUBMITTED,
        DeclarationStatus.PAID,
    }
)


class ExpenseKind(models.TextChoices):
    TRAVEL = "travel", _("Travel costs")
    OTHER = "other", _("Other costs")


class Severity(models.TextChoices):
    ERROR = "error", _("Error")
    WARNING = "warning", _("Warning")
    INFO = "info", _("Information")


class ProviderMonthStatus(models.TextChoices):
    """A month a care provider entered for the holder to review (domain.md section 8: "carer-
    entered declarations require budget-holder approval"). Only an approved month counts."""

    DRAFT = "draft", _("Being entered by the provider")
    SUBMITTED = "submitted", _("Waiting for review")
    RETURNED = "returned", _("Sent back to the provider")
    APPROVED = "approved", _("Approved")
