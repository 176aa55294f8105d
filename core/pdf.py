# ruff: noqa: RUF002
"""The fonts every PDF of Baqylau is set in: DejaVu Sans, which carries every Kazakh letter
(ә ғ қ ң ө ұ ү һ і) and all of Russian, embedded into each document (licence: core/fonts/LICENSE)."""

from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONTS = Path(__file__).resolve().parent / "fonts"


@cache
def pdf_fonts() -> tuple[str, str]:
    """Registers the fonts with reportlab once; returns the names of the regular and bold faces."""
    pdfmetrics.registerFont(TTFont("DejaVuSans", str(FONTS / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(FONTS / "DejaVuSans-Bold.ttf")))
    return "DejaVuSans", "DejaVuSans-Bold"
