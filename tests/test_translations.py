"""The Dutch catalogue is complete: every string has a translation that keeps its placeholders."""

import re

from django.conf import settings

from babel.messages.pofile import read_po

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _catalogue():
    path = settings.LOCALE_PATHS[0] / "nl" / "LC_MESSAGES" / "django.po"
    with open(path, "rb") as handle:
        return read_po(handle)


def test_every_string_is_translated_and_none_is_fuzzy():
    missing = [
        message.id
        for message in _catalogue()
        if message.id and (not message.string or message.fuzzy)
    ]
    assert missing == []


def test_translations_keep_their_placeholders():
    wrong = []
    for message in _catalogue():
        if not message.id or isinstance(message.id, tuple):
            continue
        if set(PLACEHOLDER.findall(message.id)) != set(PLACEHOLDER.findall(message.string)):
            wrong.append(message.id)
    assert wrong == []
