"""The column layouts of the overviews pgb-admin reads (docs/reconciliation.md). They are
pgb-admin's own: the SVB publishes no format of the PGB Portaal's downloads, so a user copies
the figures into these columns (or types them into the form). A header may be in Dutch or in
English; case and spaces do not matter. A refusal of the file advises in terms of these
columns (:data:`LAYOUT_OF_KIND`), never of the hours template the safe reader also reads."""

from django.utils.translation import gettext_lazy as _

from declarations.selectors.uploads import Column, Layout

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


def _layout(columns: tuple[Column, ...]) -> Layout:
    return Layout(
        columns=columns,
        missing_columns=_(
            "The header row lacks the column(s) %(columns)s. Write these names in the first "
            "filled row, as listed under Columns on this page."
        ),
        not_a_spreadsheet=_(
            "This file is not an Excel workbook (.xlsx) or a CSV file. Copy the figures into a "
            "spreadsheet with the columns on this page and upload that, or type the figures in."
        ),
        no_sheet=_(
            "The workbook has no visible sheet. Show the sheet with the figures (right-click a "
            "sheet tab, Unhide), save the file and upload it again."
        ),
        copy_rows=_(
            "Copy the figures into a new workbook with the columns on this page and upload "
            "that file."
        ),
    )


LAYOUT_OF_KIND = {kind: _layout(columns) for kind, columns in COLUMNS_OF_KIND.items()}
