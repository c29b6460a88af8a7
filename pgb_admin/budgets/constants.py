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


class Channel(models.TextChoices):
    """Where the holder declares and who pays. Under trekkingsrecht (Wmo, Jeugdwet, Wlz) the
    SVB pays on the holder's declaration typed into the PGB Portaal; a Zvw pgb is declared to
    the insurer, who pays (svb.nl "Declareren"; pgb.nl "Trekkingsrecht")."""

    SVB = "svb", _("SVB (PGB Portaal)")
    INSURER = "insurer", _("Health insurer")


# The channel a funder of each kind declares through unless set otherwise.
CHANNEL_OF_FUNDER_KIND = {
    FunderKind.MUNICIPALITY: Channel.SVB,
    FunderKind.CARE_OFFICE: Channel.SVB,
    FunderKind.INSURER: Channel.INSURER,
}


class CakExemption(models.TextChoices):
    """Why the CAK charges a holder no Wmo abonnementstarief (Uitvoeringsbesluit Wmo 2015,
    art. 3.8; hetcak.nl). A Wlz grant and an age under 18 are derived from the data."""

    NONE = "", _("Not exempt")
    WLZ_CONTRIBUTION = "wlz_contribution", _("Already pays a Wlz contribution")
    PARTNER_BELOW_PENSION_AGE = (
        "partner_below_pension_age",
        _("Married or living together, a partner below the state pension age, low income"),
    )
    WHEELCHAIR_ONLY = "wheelchair_only", _("Only a wheelchair")
    MUNICIPAL_SCHEME = "municipal_scheme", _("Exempted by the municipality (minima scheme)")


class AdmissionKind(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital")
    WLZ_INSTITUTION = "wlz_institution", _("Wlz institution")
    OTHER = "other", _("Other stay")


class IndicationPeriod(models.TextChoices):
    WEEK = "week", _("per week")
    MONTH = "month", _("per month")
    YEAR = "year", _("per year")
