from django.db import models
from django.utils.translation import gettext_lazy as _


class MandateRole(models.TextChoices):
    HOLDER = "holder", _("Budget holder (self)")
    REPRESENTATIVE = "representative", _("Representative")
    BUREAU = "bureau", _("Pgb bureau")
    FAMILY_READONLY = "family_readonly", _("Family member (read-only)")


# Roles that act for the holder: they may change the holder's data and see the full BSN.
ACTING_ROLES = frozenset({MandateRole.HOLDER, MandateRole.REPRESENTATIVE, MandateRole.BUREAU})


class RepresentativeKind(models.TextChoices):
    PARENT = "parent", _("Parent of a minor")
    GUARDIAN = "guardian", _("Guardian (voogd)")
    BEWINDVOERDER = "bewindvoerder", _("Bewindvoerder")
    CURATOR = "curator", _("Curator")
    MENTOR = "mentor", _("Mentor")
    GEWAARBORGDE_HULP = "gewaarborgde_hulp", _("Gewaarborgde hulp (Wlz)")
    AUTHORISED = "authorised", _("Authorised person (gemachtigde)")
