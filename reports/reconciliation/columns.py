"""The column layouts of the overviews pgb-admin reads (docs/reconciliation.md). They are
pgb-admin's own: the SVB publishes no format of the PGB Portaal's downloads, so a user copies
the figures into these columns (or types them into the form). A header may be in Dutch or in
English; case and spaces do not matter."""

from django.utils.translation import gettext_lazy as _

from declarations.selectors.uploads import Column

from .constants import OverviewKind

PAYMENT_COLUMNS = (
    Column("agreement", "Zorgovereenkomst", "Care agreement", required=True,
           help=_("The agreement number the PGB Portaal shows, or pgb-admin's number.")),
    Column("provider", "Zorgverlener", "Care provider",
           help=_("The care provider's name, as shown; only read, not matched.")),
    Column("period", "Periode", "Period", required=True,
           help=_("The month: 2026-10, 10-2026 or a day in it.")),
    Column("declared", "Gedeclareerd bedrag", "Declared amount",
           help=_("In euros: 1.234,56 or 1234.56.")),
    Column("paid", "Betaald bedrag", "Paid amount", required=True,
           help=_("In euros; empty or 0 when nothing was paid.")),
    Column("paid_on", "Betaaldatum", "Payment date", help=_("2026-11-05 or 5-11-2026.")),
    Column("status", "Status", "Status",
           help=_("As shown, e.g. Uitbetaald or Afgewezen; only read, not matched.")),
)  # fmt: skip

BUDGET_COLUMNS = (
    Column("grant", "Toekenning", "Grant", required=True,
           help=_("The decision reference of the grant (beschikkingskenmerk).")),
    Column("on", "Datum", "Date", required=True, help=_("The day of the balance.")),
    Column("balance", "Saldo", "Balance", required=True, help=_("In euros.")),
)  # fmt: skip

COLUMNS_OF_KIND = {
    OverviewKind.SVB_PAYMENTS: PAYMENT_COLUMNS,
    OverviewKind.INSURER_PAYMENTS: PAYMENT_COLUMNS,
    OverviewKind.SVB_BUDGET: BUDGET_COLUMNS,
}
