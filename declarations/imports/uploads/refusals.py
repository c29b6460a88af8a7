"""The refusals of a file as a whole, each with a stable code and a message that says what to do."""

from django.utils.translation import gettext_lazy as _

from ..problems import UploadRefused
from .layout import Layout
from .limits import HEADER_ROWS


def advised(message, advice) -> str:
    """A message followed by a sentence of advice, each translated whole."""
    return f"{message} {advice}"


def defused(error: BaseException) -> bool:
    """Whether defusedxml refused the XML (openpyxl wraps it in a ValueError)."""
    from defusedxml import DefusedXmlException

    seen = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, DefusedXmlException):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


def macro_workbook() -> UploadRefused:
    return UploadRefused.because(
        "macro_workbook",
        _(
            "This is an Excel file with macros (.xlsm); files with macros are not accepted. "
            "Choose Save As > Excel Workbook (.xlsx) and upload that file."
        ),
    )


def not_a_spreadsheet(layout: Layout) -> UploadRefused:
    return UploadRefused.because("not_a_spreadsheet", layout.not_a_spreadsheet)


def xml_entities(layout: Layout) -> UploadRefused:
    return UploadRefused.because(
        "xml_entities",
        advised(
            _(
                "This Excel file declares XML entities (a DOCTYPE), which a real workbook "
                "never does; it is refused for safety."
            ),
            layout.copy_rows,
        ),
    )


def encoding() -> UploadRefused:
    return UploadRefused.because(
        "encoding",
        _(
            "The CSV file is not saved as UTF-8 text. In Excel choose Save As > CSV UTF-8 "
            "(comma delimited) (*.csv) and upload that file."
        ),
    )


def no_header(sheet: str, layout: Layout) -> UploadRefused:
    return UploadRefused.because(
        "no_header",
        _(
            "No header row found: the first %(count)s rows are empty. The first filled row must "
            "hold the column names, such as %(names)s."
        ),
        count=HEADER_ROWS,
        names=layout.examples(),
        sheet=sheet,
    )


def unreadable(kind: str) -> UploadRefused:
    if kind == "xlsx":
        message = _(
            "The Excel file (.xlsx) could not be read: it is damaged or incomplete. Open it in "
            "Excel, save it again as Excel Workbook (.xlsx) and upload it again."
        )
    elif kind == "csv":
        message = _(
            "The CSV file could not be read: it is damaged, or a cell is far too long. Open it "
            "in Excel, save it again as CSV UTF-8 and upload it again."
        )
    else:
        message = _(
            "The file could not be read. Save the file as Excel Workbook (.xlsx) or as CSV "
            "UTF-8 and upload it again."
        )
    return UploadRefused.because("unreadable", message)
