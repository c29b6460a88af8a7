"""A week in words, in the page's language: week 49 (30 nov, en dash, 6 dec)."""

from datetime import date

from django.template import Context, Template
from django.utils import translation

import pytest

from pgb_admin.core.dates import week_label


@pytest.mark.parametrize(
    ("language", "value", "words"),
    [
        ("nl", date(2026, 12, 2), "week 49 (30 nov – 6 dec)"),
        ("en", date(2026, 12, 2), "week 49 (30 Nov – 6 Dec)"),
        ("nl", "2026-W50", "week 50 (7 – 13 dec)"),
        ("nl", "2026-W10", "week 10 (2 – 8 mrt)"),
        ("en", "2026-W53", "week 53 (28 Dec 2026 – 3 Jan 2027)"),
        ("nl", "2026-W54", "2026-W54"),  # no such week: as it is
        ("nl", None, "–"),
    ],
)
def test_a_week_in_words(language, value, words):
    with translation.override(language):
        assert week_label(value) == words


def test_the_template_filter():
    template = Template('{% load pgb %}{{ day|week_label }} · {{ "2026-W40"|week_label }}')
    with translation.override("nl"):
        text = template.render(Context({"day": date(2026, 10, 1)}))
    assert text == "week 40 (28 sep – 4 okt) · week 40 (28 sep – 4 okt)"
