"""Taking people's names, addresses and numbers out of free text, whole words only: forgetting
"observer1" leaves "observer10" alone."""

import re
from collections.abc import Callable


def whole_words(replacements: dict[str, str]) -> Callable[[str], str]:
    """A function that replaces each key of `replacements` found in a text, as a whole word, by its
    value; the longest first, so that a full name goes before the first name inside it."""
    if not replacements:
        return lambda text: text
    words = "|".join(re.escape(word) for word in sorted(replacements, key=len, reverse=True))
    pattern = re.compile(rf"(?<!\w)(?:{words})(?!\w)")
    return lambda text: pattern.sub(lambda match: replacements[match.group(0)], text)
