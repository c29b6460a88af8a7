"""Provenance of the decisions others take: the funder's assessment of an agreement version (in
the PGB Portaal) and the SVB's answer to a declaration (paid or rejected).

pgb-admin cannot receive these decisions, so the holder, their representative, their bureau or
staff types them in from what they saw. Each record therefore keeps who recorded it, their role
towards the holder at that moment (worked out here, never taken from the input) and a reference
to the evidence; every reader shows it as recorded, never as a plain fact. Rows recorded before
this was kept have neither and read as "provenance not recorded".
"""

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pgb_admin.core.dates import format_date

from .events import roles_of
from .models import Role

if TYPE_CHECKING:
    from pgb_admin.accounts.models import User

EVIDENCE_MAX_LENGTH = 300
EVIDENCE_HELP = _(
    "Where you saw the decision: e.g. 'PGB Portaal, bericht van 3 maart 2026', or the "
    "number and date of the decision letter."
)
#: what a reader learns about where a recorded decision comes from
SOURCE_RECORDED = "recorded"


class Recording(NamedTuple):
    user: "User | None"
    role: Role
    evidence: str


def recording(*, actor: "User", holder_id: int, evidence: object) -> Recording:
    """Who records a decision for ``holder_id`` now, in which role, on what evidence; a blank
    or overlong reference is refused as a field error on ``evidence``."""
    return Recording(
        user=actor if getattr(actor, "pk", None) else None,
        role=roles_of(actor, [holder_id])[holder_id],
        evidence=clean_evidence(evidence),
    )


def clean_evidence(value: object, field: str = "evidence") -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationError(
            {
                field: ValidationError(
                    _(
                        "Give the evidence of the decision: where you saw it (a PGB Portaal "
                        "message, a decision letter's number and date)."
                    ),
                    code="evidence_required",
                )
            }
        )
    if len(text) > EVIDENCE_MAX_LENGTH:
        raise ValidationError(
            {
                field: ValidationError(
                    _("Keep the evidence to %(max)d characters."),
                    code="evidence_too_long",
                    params={"max": EVIDENCE_MAX_LENGTH},
                )
            }
        )
    return text


@dataclass(frozen=True)
class Recorded:
    """A decision of others as it was recorded: by whom (their username, None when the account
    is gone or it was never kept), in which role, when and on what evidence."""

    recorded_by: str | None
    role: str
    recorded_at: datetime | None
    evidence: str

    @classmethod
    def of(cls, user, role: str, recorded_at, evidence: str) -> "Recorded":
        return cls(
            recorded_by=user.get_username() if user is not None else None,
            role=role,
            recorded_at=recorded_at,
            evidence=evidence,
        )

    @property
    def source(self) -> str:
        return SOURCE_RECORDED

    @property
    def kept(self) -> bool:
        """False for a decision recorded before provenance was kept."""
        return bool(self.role)

    @property
    def role_label(self) -> str:
        try:
            return str(Role(self.role).label)
        except ValueError:
            return self.role

    @property
    def summary(self) -> str:
        """One sentence in the active language, e.g. "Recorded by jansen (budget holder) on
        3 March 2026; evidence: PGB Portaal, bericht van 3 maart 2026"."""
        if not self.kept:
            return gettext(
                "Recorded before provenance was kept: who recorded it and on what evidence is "
                "not known."
            )
        params = {
            "user": self.recorded_by,
            "role": self.role_label,
            "date": _date(self.recorded_at),
            "evidence": self.evidence,
        }
        if self.recorded_by is None:
            text = gettext(
                "Recorded by a former user (%(role)s) on %(date)s; evidence: %(evidence)s"
            )
        else:
            text = gettext("Recorded by %(user)s (%(role)s) on %(date)s; evidence: %(evidence)s")
        return text % params

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "kept": self.kept,
            "recorded_by": self.recorded_by,
            "role": self.role,
            "recorded_at": self.recorded_at,
            "evidence": self.evidence,
            "summary": self.summary,
        }


def _date(moment: datetime | None) -> str:
    return format_date(moment, "prose")
