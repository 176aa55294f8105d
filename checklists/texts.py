"""A frozen definition keeps every text in Kazakh, Russian and English; the phone gets one language."""

from django.utils import translation

LOCALIZED = ("name", "title", "label", "message")
FALLBACK = ("en", "ru", "kk")


def text_in(texts: dict[str, str], language: str | None = None) -> str:
    """The text in `language` (the active one unless given), else the first one written."""
    language = (language or translation.get_language() or "en").split("-")[0]
    for candidate in (language, *FALLBACK):
        if texts.get(candidate):
            return texts[candidate]
    return ""


def localized(value, language: str | None = None):
    """`value` (a definition or any part of it) with each text in one language."""
    if isinstance(value, list):
        return [localized(item, language) for item in value]
    if not isinstance(value, dict):
        return value
    return {
        key: text_in(item, language)
        if key in LOCALIZED and isinstance(item, dict)
        else localized(item, language)
        for key, item in value.items()
    }
