# ruff: noqa: RUF001 (Kazakh and Russian words)
"""Soft hyphens at syllables in long Kazakh and Russian words (core/hyphens.py)."""

import pytest

from core.hyphens import SOFT_HYPHEN, hyphenate, syllables


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Бюллетеньдерді", "Бюл-ле-тень-дер-ді"),
        ("Фальсификация", "Фаль-си-фи-ка-ция"),
        ("голосование", "го-ло-со-ва-ние"),
        ("нәтижелерім", "нә-ти-же-ле-рім"),
        ("хабарламаларым", "ха-бар-ла-ма-ла-рым"),
        # й, ь and ъ stay with the letter before them; no syllable of one letter.
        ("объявление", "объ-яв-ле-ние"),
        ("Сайлаушылардың", "Сай-ла-ушы-лар-дың"),
    ],
)
def test_a_long_word_breaks_at_its_syllables(word, expected):
    assert "-".join(syllables(word)) == expected


def test_short_words_latin_words_and_numbers_stay_whole():
    text = "Ballot stuffing: № 15 мектеп, район, Carousel voting"

    assert hyphenate(text) == text


def test_the_breaks_are_soft_hyphens_that_leave_the_word_as_it_was():
    text = "Ящик для голосования не опломбирован"

    hyphenated = hyphenate(text)

    assert hyphenated.replace(SOFT_HYPHEN, "-") == "Ящик для го-ло-со-ва-ния не оп-лом-би-ро-ван"
    assert hyphenated.replace(SOFT_HYPHEN, "") == text
