from django.db import models
from django.utils.translation import gettext_lazy as _


class FunderKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality (gemeente)")
    CARE_OFFICE = "care_office", _("Care office (zorgkantoor)")
    INSURER = "insurer", _("Health insurer (zorgverzekeraar)")


class Scheme(models.TextChoices):
    WMO = "wmo", _("Wmo 2015")
    JEUGDWET = "jeugdwet", _("Jeugdwet")
    WLZ = "wlz", _("Wlz")
    ZVW = "zvw", _("Zvw")


# Which kind of funder grants a budget under which law (domain.md, section 1).
FUNDER_KIND_OF_SCHEME = {
    Scheme.WMO: FunderKind.MUNICIPALITY,
    Scheme.JEUGDWET: FunderKind.MUNICIPALITY,
    Scheme.WLZ: FunderKind.CARE_OFFICE,
    Scheme.ZVW: FunderKind.INSURER,
}
