"""Template filters of the observer pages."""

from django import template

from core.hyphens import hyphenate

register = template.Library()


@register.filter
def syllables(text) -> str:
    """Long Kazakh and Russian words with soft hyphens, so a small phone breaks them at a syllable."""
    return hyphenate(str(text))
