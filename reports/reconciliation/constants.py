from django.db import models
from django.utils.translation import gettext_lazy as _

from pgb_admin.budgets.constants import Channel


class OverviewKind(models.TextChoices):
    SVB_PAYMENTS = "svb_payments", _("SVB: declarations and monthly wages")
    SVB_BUDGET = "svb_budget", _("SVB: budget overview")
    INSURER_PAYMENTS = "insurer_payments", _("Insurer: payments (Zvw)")


#: the channel whose declarations an overview of payments answers
CHANNEL_OF_KIND = {
    OverviewKind.SVB_PAYMENTS: Channel.SVB,
    OverviewKind.SVB_BUDGET: Channel.SVB,
    OverviewKind.INSURER_PAYMENTS: Channel.INSURER,
}
PAYMENT_KINDS = (OverviewKind.SVB_PAYMENTS, OverviewKind.INSURER_PAYMENTS)


class OverviewSource(models.TextChoices):
    FILE = "file", _("Uploaded file")
    HAND = "hand", _("Entered by hand")


class DifferenceKind(models.TextChoices):
    PAID_AS_DECLARED = "paid_as_declared", _("Paid as declared")
    PAID_DIFFERENTLY = "paid_differently", _("Paid differently")
    NOT_PAID = "not_paid", _("Declared here, not paid")
    PAID_WITHOUT_DECLARATION = "paid_without_declaration", _("Paid without a declaration here")
    BALANCE_AGREES = "balance_agrees", _("Budget balance agrees")
    BALANCE_DIFFERS = "balance_differs", _("Budget balance differs")


#: the outcomes that agree: kept, never on the work list
AGREEING = frozenset({DifferenceKind.PAID_AS_DECLARED, DifferenceKind.BALANCE_AGREES})
DIFFERING = tuple(kind for kind in DifferenceKind if kind not in AGREEING)


class Resolution(models.TextChoices):
    OPEN = "open", _("Open")
    EXPLAINED = "explained", _("Explained")
    CORRECTED = "corrected", _("Corrected")
    TO_ASK = "to_ask", _("To ask the SVB or insurer")
