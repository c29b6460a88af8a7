"""A funder as people call it: "Gemeente Assen" for a municipality (its name alone is the
place), a care office's or insurer's name as it is ("Zorgkantoor Drenthe"). Never its code."""

from django.utils.translation import gettext as _

from .constants import FunderKind


def funder_title(name: str, kind: str) -> str:
    if kind == FunderKind.MUNICIPALITY:
        return _("Municipality of %(name)s") % {"name": name}
    return name


def auditor_title(funder_titles: list[str]) -> str:
    """Who an auditor is in the access log: "Controleur van Gemeente Assen"."""
    if not funder_titles:
        return _("Auditor")
    return _("Auditor of %(funders)s") % {"funders": ", ".join(funder_titles)}
