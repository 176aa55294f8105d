# ruff: noqa: RUF001 (Cyrillic letters are the point of this module)
"""Soft hyphens in long Kazakh and Russian words, so that a 360-pixel phone breaks them at a syllable
with a hyphen shown ("Бюл-ле-тень-дер-ді") rather than anywhere: Chromium on Linux and Android's
WebView carry no hyphenation dictionary for either language, so CSS `hyphens: auto` does nothing.

The rule is the simple one of Cyrillic typesetting: a word breaks between two vowels and, where
consonants stand between two vowels, before the last of them; й, ь and ъ stay with the letter
before them; no syllable is a single letter, and the word's first and last two letters stay whole.
Words shorter than MIN_LETTERS are left whole, and so is everything that is not Cyrillic.
"""

import itertools
import re

SOFT_HYPHEN = "\u00ad"
MIN_LETTERS = 8
VOWELS = set("аәеёиіоөуұүыэюяАӘЕЁИІОӨУҰҮЫЭЮЯ")
# Letters that never begin a syllable.
CLINGING = set("йьъЙЬЪ")
WORD = re.compile(rf"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]{{{MIN_LETTERS},}}")


def hyphenate(text: str) -> str:
    return WORD.sub(lambda match: SOFT_HYPHEN.join(syllables(match.group())), text)


def syllables(word: str) -> list[str]:
    vowels = [index for index, letter in enumerate(word) if letter in VOWELS]
    breaks = [0]
    for left, right in itertools.pairwise(vowels):
        # Between two vowels, or before the last of the consonants between them ...
        cut = right if right == left + 1 else right - 1
        # ... but й, ь and ъ stay with the letter before them.
        while word[cut] in CLINGING and cut < right:
            cut += 1
        # No syllable of one letter, and two letters at least at either end of the word.
        if cut - breaks[-1] >= 2 and len(word) - cut >= 2:
            breaks.append(cut)
    return [word[start:end] for start, end in zip(breaks, [*breaks[1:], len(word)], strict=True)]
