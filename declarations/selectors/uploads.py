"""The safe spreadsheet reader of the hours import, for other apps that read an uploaded
CSV/XLSX with a column layout of their own (the reconciliation of the SVB's overviews): the
same refusals of hostile files, the same row-numbered problems. Reading a file is a read, so
it is offered here, where ``reports`` may import from."""

from ..imports.columns import Column, normalise_header
from ..imports.problems import ImportRefused, Problem, UploadRefused, problem
from ..imports.uploads import Layout, Table, max_upload_bytes, read_upload

__all__ = [
    "Column",
    "ImportRefused",
    "Layout",
    "Problem",
    "Table",
    "UploadRefused",
    "max_upload_bytes",
    "normalise_header",
    "problem",
    "read_upload",
]
