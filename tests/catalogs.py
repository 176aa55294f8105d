"""The project's translation catalogs, read straight from the .po files."""

import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("ru", "kk")
FIELD = re.compile(r'^(msgid|msgid_plural|msgstr|msgstr\[\d+\]) "(.*)"$')


def _unquote(text: str) -> str:
    return text.replace('\\"', '"').replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\")


def po_messages(language: str) -> list[dict[str, str]]:
    """Every entry but the header, as {"msgid", "msgid_plural"?, "msgstr" or "msgstr[N]"...}."""
    entries, current, key = [], {}, None
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if match := FIELD.match(line):
            key = match.group(1)
            current[key] = _unquote(match.group(2))
        elif line.startswith('"') and key:
            current[key] += _unquote(line[1:-1])
        elif not line.strip():
            if current.get("msgid"):
                entries.append(current)
            current, key = {}, None
    return entries


def po_entries(language: str) -> dict[str, str]:
    """msgid → its translation (the first form for plural entries)."""
    return {
        entry["msgid"]: entry.get("msgstr", entry.get("msgstr[0]", "")) for entry in po_messages(language)
    }
