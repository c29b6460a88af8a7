from django.db import models
from django.utils.translation import gettext_lazy as _

from pgb_admin.figures.constants import RateUnit


class ProviderKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class Relation(models.TextChoices):
    """How the provider is related to the budget holder."""

    NONE = "none", _("No relation")
    PARTNER = "partner", _("Partner")
    PARENT = "parent", _("Parent")
    CHILD = "child", _("Child")
    OTHER_FAMILY = "other_family", _("Other family (1st or 2nd degree)")
    HOUSEHOLD = "household", _("Household member")
    NETWORK = "network", _("Social network (friend, neighbour)")


# Partner and 1st/2nd-degree family: the SVB's family agreement applies (domain.md 2.2).
FAMILY_RELATIONS = frozenset(
    {Relation.PARTNER, Relation.PARENT, Relation.CHILD, Relation.OTHER_FAMILY}
)


class AgreementType(models.TextChoices):
    """The SVB model care agreements (zorgovereenkomsten), domain.md 2.2."""

    EMPLOYMENT_FIXED = "employment_fixed", _("Employment with fixed monthly pay")
    EMPLOYMENT_HOURLY = "employment_hourly", _("Employment paid per hour")
    ASSIGNMENT = "assignment", _("Assignment (self-employed, zzp)")
    FAMILY = "family", _("Agreement with partner or family member")
    INSTITUTION = "institution", _("Care institution or organisation")


EMPLOYMENT_TYPES = frozenset({AgreementType.EMPLOYMENT_FIXED, AgreementType.EMPLOYMENT_HOURLY})

# Which rate units each agreement type may use. A private person is paid per hour (or a fixed
# monthly amount); day parts and 24-hour periods are for the self-employed and institutions
# (domain.md 2.2, salland.nl).
UNITS_OF_AGREEMENT_TYPE = {
    AgreementType.EMPLOYMENT_FIXED: frozenset({RateUnit.MONTH}),
    AgreementType.EMPLOYMENT_HOURLY: frozenset({RateUnit.HOUR}),
    AgreementType.FAMILY: frozenset({RateUnit.HOUR, RateUnit.MONTH}),
    AgreementType.ASSIGNMENT: frozenset({RateUnit.HOUR, RateUnit.DAY_PART, RateUnit.DAY}),
    AgreementType.INSTITUTION: frozenset(
        {RateUnit.HOUR, RateUnit.DAY_PART, RateUnit.DAY, RateUnit.MONTH}
    ),
}

# Agreement types for which the provider is a private person.
PERSON_TYPES = frozenset(
    {
        AgreementType.EMPLOYMENT_FIXED,
        AgreementType.EMPLOYMENT_HOURLY,
        AgreementType.ASSIGNMENT,
        AgreementType.FAMILY,
    }
)

# Agreement types that state the agreed hours per week (the basis for pay checks).
HOURS_REQUIRED_TYPES = frozenset(
    {AgreementType.EMPLOYMENT_FIXED, AgreementType.EMPLOYMENT_HOURLY, AgreementType.FAMILY}
)


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting the funder's approval")
    APPROVED = "approved", _("Approved by the funder")
    REJECTED = "rejected", _("Rejected by the funder")
