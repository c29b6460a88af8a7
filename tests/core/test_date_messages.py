"""Dates in messages go through one helper (pgb_admin.core.dates): Dutch 9-11-2026 (in prose
9 november 2026), English 9 Nov 2026 (in prose 9 November 2026); never MM/DD/YYYY.

Every entry of the message catalogue that takes a date is rendered in both languages; every
rule of the validation catalogue renders its dates through the helper; and the code writes no
date into a message in any other way (no ``isoformat()`` or day format of its own)."""

import ast
import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template import Context, Template
from django.utils import translation

import pytest
from babel.messages.pofile import read_po

from declarations.validation.registry import Param, catalogue
from pgb_admin.core.dates import format_date, format_moment, format_month
from pgb_admin.core.periods import date_out_of_range, month_out_of_range

DAY = date(2026, 11, 9)  # 9 November: as MM/DD it would read 11 September
MOMENT = datetime(2026, 11, 9, 14, 5, tzinfo=ZoneInfo("Europe/Amsterdam"))
WRITTEN = {
    ("nl", "short"): "9-11-2026",
    ("nl", "prose"): "9 november 2026",
    ("en", "short"): "9 Nov 2026",
    ("en", "prose"): "9 November 2026",
}
MM_DD_YYYY = re.compile(r"\b(0?[1-9]|1[0-2])/(0?[1-9]|[12][0-9]|3[01])/[0-9]{4}\b")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# the placeholders that stand for a day (or, ``when``, a moment) in the catalogue's messages
DATE_PLACEHOLDERS = frozenset(
    {"date", "day", "start", "end", "deadline", "from", "to", "when", "first", "last"}
)
LANGUAGES = ("nl", "en")
ROOT = Path(settings.BASE_DIR)
SOURCES = ("pgb_admin", "contracts", "declarations", "reports")


# --- the helper ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "style"), list(WRITTEN))
def test_the_helper_writes_a_day_as_the_language_does(language, style):
    with translation.override(language):
        for value in (DAY, "2026-11-09", MOMENT):
            assert format_date(value, style) == WRITTEN[(language, style)]
        template = Template('{% load pgb %}{{ day|format_date }} / {{ day|format_date:"prose" }}')
        short, prose = template.render(Context({"day": DAY})).split(" / ")
        assert (short, prose) == (WRITTEN[(language, "short")], WRITTEN[(language, "prose")])
        # Django's own date filter and formats write the day first too
        django_short = Template('{{ day|date:"SHORT_DATE_FORMAT" }}').render(Context({"day": DAY}))
        assert django_short == WRITTEN[(language, "short")]
    assert format_date(None) == "–"


def test_months_and_moments_in_words():
    with translation.override("nl"):
        assert format_month(DAY) == format_month("2026-11") == "november 2026"
        assert format_moment(MOMENT) == "9 november 2026 14:05"
    with translation.override("en"):
        assert format_month(DAY) == "November 2026"
        assert format_moment(MOMENT) == "9 November 2026 14:05"


def test_the_range_is_written_by_the_helper():
    with translation.override("nl"):
        assert date_out_of_range().messages == [
            "Geef een datum van 1-1-1900 tot en met 31-12-2099."
        ]
        assert month_out_of_range().messages == [
            "Geef een maand van januari 1900 tot en met december 2099."
        ]
    with translation.override("en"):
        assert date_out_of_range().messages == ["Give a date from 1 Jan 1900 to 31 Dec 2099."]


# --- the message catalogue -----------------------------------------------------------------------


def _placeholders(message) -> set[str]:
    ids = message.id if message.pluralizable else [message.id]
    return set(PLACEHOLDER.findall(" ".join(ids)))


def _entries_with_a_date() -> list:
    """The catalogue's entries (obsolete ones are not read) with a date placeholder."""
    path = settings.LOCALE_PATHS[0] / "nl" / "LC_MESSAGES" / "django.po"
    with open(path, "rb") as handle:
        catalogue = read_po(handle)
    return [m for m in catalogue if m.id and DATE_PLACEHOLDERS & _placeholders(m)]


ENTRIES = _entries_with_a_date()


def test_the_catalogue_has_its_messages_with_dates():
    assert len(ENTRIES) >= 40


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("style", ["short", "prose"])
def test_every_catalogue_entry_with_a_date_writes_it_as_the_helper_does(language, style):
    wrong = []
    with translation.override(language):
        expected = format_date(DAY, style)
        for entry in ENTRIES:
            if entry.pluralizable:
                text = translation.ngettext(entry.id[0], entry.id[1], 2)
            else:
                text = translation.gettext(entry.id)
            names = set(PLACEHOLDER.findall(text))
            params = {name: expected if name in DATE_PLACEHOLDERS else "X" for name in names}
            rendered = text % params
            if expected not in rendered or MM_DD_YYYY.search(rendered):
                wrong.append((entry.id, rendered))
    assert expected == WRITTEN[(language, style)]
    assert wrong == []


# --- the validation rules' findings -------------------------------------------------------------


RULES_WITH_DATES = sorted(
    code for code, rule in catalogue().items() if Param.DATE in rule.params.values()
)


def test_the_rules_with_dates_are_found():
    assert len(RULES_WITH_DATES) >= 15


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("code", RULES_WITH_DATES)
def test_every_rule_writes_its_dates_through_the_helper(code, language):
    rule = catalogue()[code]
    samples = {
        Param.DATE: "2026-11-09",
        Param.END_DATE: "2026-11-09",
        Param.CARER_CLASS: "formal",
        Param.WEEK: "2026-W46",
    }
    params = {name: samples.get(kind, "1") for name, kind in rule.params.items()}
    with translation.override(language):
        rendered = rule.render(params)
    assert WRITTEN[(language, "short")] in rendered
    assert not MM_DD_YYYY.search(rendered)


# --- the code writes no date into a message another way -------------------------------------------


# what raises or builds a message with parameters
MESSAGE_CALLS = frozenset(
    {
        "ValidationError",
        "Conflict",
        "_error",
        "_conflict",
        "_field_error",
        "_nothing",
        "_Refused",
        "problem",
        "because",
    }
)
TRANSLATIONS = frozenset({"_", "gettext", "gettext_lazy", "ngettext", "pgettext"})


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _own_date_formatting(node: ast.AST) -> list[ast.AST]:
    """``x.isoformat()``, ``x.strftime(…)``, an f-string with a day format (``{x:%d-%m}``) or
    Django's ``date_format`` inside ``node``."""
    found = []
    for inner in ast.walk(node):
        if isinstance(inner, ast.Call) and _name(inner) in {
            "isoformat",
            "strftime",
            "date_format",
        }:
            found.append(inner)
        elif isinstance(inner, ast.FormattedValue) and inner.format_spec is not None:
            spec = ast.unparse(inner.format_spec)
            if "%d" in spec or "%-d" in spec:
                found.append(inner)
    return found


def _python_sources():
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts and "management" not in path.parts:
                yield path


def test_no_message_formats_a_date_itself():
    """Management commands print ISO dates for machines and are left out; a message (a
    ``ValidationError``, a row problem, a translated text filled in with ``%``) takes its dates
    from the helper."""
    wrong = []
    for path in _python_sources():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.Call) and _name(node) in MESSAGE_CALLS:
                targets = [*node.args, *node.keywords]
            elif (
                isinstance(node, ast.BinOp)
                and isinstance(node.op, ast.Mod)
                and isinstance(node.left, ast.Call)
                and _name(node.left) in TRANSLATIONS
            ):
                targets = [node.right]
            for target in targets:
                for bad in _own_date_formatting(target):
                    wrong.append(f"{path.relative_to(ROOT)}:{bad.lineno}: {ast.unparse(bad)}")
    assert wrong == []


def test_only_the_helper_calls_django_date_formats():
    callers = [
        str(path.relative_to(ROOT))
        for path in _python_sources()
        if re.search(r"\bdate_format\(", path.read_text())
    ]
    assert callers == ["pgb_admin/core/dates.py"]


BLOCK = re.compile(r"{%\s*blocktranslate\b[^%]*%}")
DAY_FORMAT = re.compile(r"\|date:[\"'][^\"']*[jd][^\"']*[\"']")


def test_translated_template_texts_take_their_dates_from_the_helper():
    """``{% blocktranslate with end=…|format_date:"prose" %}``, not ``|date:"j F Y"``; months
    (``|date:"F Y"``) are no day."""
    wrong = []
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*.html")):
            for tag in BLOCK.findall(path.read_text()):
                if DAY_FORMAT.search(tag):
                    wrong.append(f"{path.relative_to(ROOT)}: {tag}")
    assert wrong == []
