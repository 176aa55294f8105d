"""The Russian and Kazakh catalogs are complete, keep every placeholder, and are compiled."""

import gettext
import re

import pytest

from tests.catalogs import LANGUAGES, LOCALE, po_messages

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")


def translations(entry: dict[str, str]) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language):
    empty = [
        entry["msgid"] for entry in po_messages(language) if not all(map(str.strip, translations(entry)))
    ]
    assert empty == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_translation_keeps_the_placeholders_of_its_message(language):
    broken = {
        entry["msgid"]: text
        for entry in po_messages(language)
        for text in translations(entry)
        if set(PLACEHOLDER.findall(entry["msgid"] + entry.get("msgid_plural", "")))
        != set(PLACEHOLDER.findall(text))
    }
    assert broken == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalog_matches_the_source(language):
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = {
        entry["msgid"]: entry["msgstr"]
        for entry in po_messages(language)
        if "msgstr" in entry and compiled.gettext(entry["msgid"]) != entry["msgstr"]
    }
    assert stale == {}, "run `python manage.py compilemessages` and commit the .mo files"
