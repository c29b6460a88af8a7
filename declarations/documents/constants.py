"""The kinds of document in a holder's archive and how long each is kept."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    DECISION = "decision", _("Decision (beschikking)")
    AGREEMENT = "agreement", _("Signed care agreement or change")
    INVOICE = "invoice", _("Invoice")
    HOUR_SLIP = "hour_slip", _("Hour slip")
    LETTER = "letter", _("Letter")
    OBJECTION = "objection", _("Objection (bezwaar)")


#: the stem of a document's file name as downloaded, per kind (Dutch, as the holder calls it)
FILE_STEMS = {
    DocumentKind.DECISION: "beschikking",
    DocumentKind.AGREEMENT: "zorgovereenkomst",
    DocumentKind.INVOICE: "factuur",
    DocumentKind.HOUR_SLIP: "urenbriefje",
    DocumentKind.LETTER: "brief",
    DocumentKind.OBJECTION: "bezwaar",
}

#: years a document of each kind is kept when ``DOCUMENT_RETENTION_YEARS`` does not say
#: otherwise. 7 years is the issue's default (issue 19). domain.md §9 gives 5 years for budget
#: holders, weakly sourced (pgbadviesbureaudebruijn.nl, secondary); 7 years covers it. The
#: fiscal 7 years (AWR art. 52) is not sourced in domain.md and is not relied on here.
DEFAULT_RETENTION_YEARS = 7
