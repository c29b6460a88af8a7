"""No BSN in error reports or log lines (SECURITY.md, "BSN").

Two layers: POST fields and variables whose name says BSN are hidden in error reports as
passwords are; and every 9-digit number that passes the 11-proef is masked (``*****6782``) in
the rendered report and in formatted log lines. The second layer also catches a BSN under
another name, at the price of masking the odd other number that happens to pass the 11-proef.
"""

import logging
import re

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from stdnum.nl import bsn as stdnum_bsn

from .masking import mask_identifier

NINE_DIGITS = re.compile(r"(?<!\d)\d{9}(?!\d)")
BSN_NAMES = re.compile(r"bsn", flags=re.IGNORECASE)


def looks_like_bsn(number: str) -> bool:
    return stdnum_bsn.is_valid(number)


def mask_bsns(text: str) -> str:
    """``text`` with every 9-digit number that passes the 11-proef masked."""

    def _mask(match: re.Match) -> str:
        number = match.group()
        return mask_identifier(number) if looks_like_bsn(number) else number

    return NINE_DIGITS.sub(_mask, text)


class BSNSafeExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, plus: POST fields and frame variables named like ``bsn`` (also as keys
    of dictionaries, such as a serializer's validated data) are always hidden, DEBUG or not."""

    def _cleanse(self, name, value):
        if isinstance(name, str) and BSN_NAMES.search(name):
            return self.cleansed_substitute
        if isinstance(value, dict):
            return {key: self._cleanse(key, item) for key, item in value.items()}
        if type(value) in (list, tuple):
            return type(value)(self._cleanse("", item) for item in value)
        return value

    def get_post_parameters(self, request):
        parameters = super().get_post_parameters(request)
        hidden = [key for key in parameters if BSN_NAMES.search(key)]
        if not hidden:
            return parameters
        parameters = parameters.copy()
        for key in hidden:
            parameters[key] = self.cleansed_substitute
        return parameters

    def get_traceback_frame_variables(self, request, tb_frame):
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return [(name, self._cleanse(name, value)) for name, value in variables]


class BSNSafeExceptionReporter(ExceptionReporter):
    """The 500 page (DEBUG) and the error e-mail, with any BSN-like number masked."""

    def get_traceback_html(self):
        return mask_bsns(super().get_traceback_html())

    def get_traceback_text(self):
        return mask_bsns(super().get_traceback_text())


class BSNMaskingFormatter(logging.Formatter):
    """Formats log lines as usual, then masks any BSN-like number in them (the record itself
    is left as it is)."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_bsns(super().format(record))
