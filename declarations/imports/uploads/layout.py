"""What the reader reads and how its refusals advise: the columns of a layout and the
sentences that say where its rows belong. The hours template's by default; another app that
reads a layout of its own (the reconciliation's overviews) gives its own sentences, so that
no refusal speaks of hours to someone who uploads something else."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ..columns import COLUMNS, Column


@dataclass(frozen=True)
class Layout:
    columns: tuple[Column, ...] = COLUMNS
    # whole sentences (gettext_lazy), each a message or the last sentence of one
    missing_columns: object = _(
        "The header row lacks the column(s) %(columns)s. Use the hours template of pgb-admin, "
        "or write these names in the first filled row."
    )
    not_a_spreadsheet: object = _(
        "This file is not an Excel workbook (.xlsx) or a CSV file. Upload the hours template "
        "of pgb-admin, filled in, or a CSV file with the same columns."
    )
    no_sheet: object = _(
        "The workbook has no visible sheet with hours. Show the sheet %(name)s (right-click a "
        "sheet tab, Unhide), save the file and upload it again."
    )
    #: after a workbook refused for safety
    copy_rows: object = _("Copy the hours into the template of pgb-admin and upload that file.")

    def examples(self) -> str:
        """Some of the column names, as a header holds them (for a message)."""
        return ", ".join(column.dutch for column in self.columns[:3])


HOURS = Layout()
