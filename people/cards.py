"""Observers' cards: A4 sheets of eight, to cut apart and hand out at training. Each card carries
the observer's name, organization and stations, their one-time sign-in code and a QR code of the
sign-in link, and the organization's hotline, in the observer's own language.

The codes exist in plain text only while they are being issued (people/codes.py), so the cards
are drawn from the issued codes in the same request, and from nothing stored.
"""

import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import qrcode
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from core.pdf import pdf_fonts
from people.codes import IssuedCode, group_code
from people.models import Assignment

COLUMNS, ROWS = 2, 4
CARD_WIDTH, CARD_HEIGHT = A4[0] / COLUMNS, A4[1] / ROWS
PADDING = 7 * mm
QR_SIZE = 32 * mm
STATIONS_SHOWN = 12
QR_MASK = 2


@dataclass(frozen=True)
class Card:
    full_name: str
    organization: str
    stations: tuple[str, ...]
    code: str
    expires_at: datetime
    language: str
    hotline: str


def sign_in_link(login_url: str, code: str) -> str:
    """The QR code's link: the code rides in the fragment, which the browser sends to no server."""
    return f"{login_url}#code={code}"


def cards_for(issued: list[IssuedCode]) -> list[Card]:
    """A card for each issued code, with the observer's stations read in one query."""
    stations: dict[int, list[str]] = defaultdict(list)
    assignments = Assignment.objects.filter(membership__in=[item.membership.pk for item in issued])
    for membership_id, number in assignments.order_by("station__number").values_list(
        "membership_id", "station__number"
    ):
        stations[membership_id].append(number)
    return [
        Card(
            full_name=item.membership.user.get_full_name() or item.membership.user.get_username(),
            organization=item.membership.organization.name,
            stations=tuple(stations[item.membership.pk]),
            code=item.code,
            expires_at=item.row.expires_at,
            language=item.membership.language,
            hotline=item.membership.organization.hotline,
        )
        for item in issued
    ]


def cards_pdf(cards: Iterable[Card], *, login_url: str) -> bytes:
    """The PDF: eight cards an A4 page, in the order given, with cutting lines between them."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(_("Sign-in cards"))
    cards = list(cards)
    for start in range(0, len(cards), COLUMNS * ROWS):
        _cutting_lines(canvas)
        for place, card in enumerate(cards[start : start + COLUMNS * ROWS]):
            x = (place % COLUMNS) * CARD_WIDTH
            y = A4[1] - (place // COLUMNS + 1) * CARD_HEIGHT
            with translation.override(card.language):
                _draw_card(canvas, card, x, y, login_url)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _cutting_lines(canvas: Canvas) -> None:
    canvas.saveState()
    canvas.setDash(2, 3)
    canvas.setLineWidth(0.3)
    canvas.setStrokeGray(0.6)
    for column in range(1, COLUMNS):
        canvas.line(column * CARD_WIDTH, 0, column * CARD_WIDTH, A4[1])
    for row in range(1, ROWS):
        canvas.line(0, row * CARD_HEIGHT, A4[0], row * CARD_HEIGHT)
    canvas.restoreState()


def _lines(canvas: Canvas, text: str, x: float, y: float, *, font: str, size: float, width: float, most: int):
    """Writes `text` wrapped to `width` in at most `most` lines, the last one cut with an ellipsis.
    Returns the baseline of the next line."""
    lines = simpleSplit(text, font, size, width) or [""]
    if len(lines) > most:
        lines = [*lines[: most - 1], lines[most - 1].rstrip() + "…"]
    canvas.setFont(font, size)
    for line in lines:
        canvas.drawString(x, y, line)
        y -= size * 1.25
    return y


def _draw_card(canvas: Canvas, card: Card, x: float, y: float, login_url: str) -> None:
    regular, bold = pdf_fonts()
    width = CARD_WIDTH - 2 * PADDING
    left, top = x + PADDING, y + CARD_HEIGHT - PADDING - 9
    heading = f"{_('Observer')} · {card.organization}"
    top = _lines(canvas, heading, left, top, font=regular, size=8, width=width, most=1)
    top = _lines(canvas, card.full_name, left, top - 2, font=bold, size=12, width=width, most=2)
    if card.stations:
        numbers = ", ".join(card.stations[:STATIONS_SHOWN])
        numbers += " …" if len(card.stations) > STATIONS_SHOWN else ""
    else:
        numbers = _("given on the day")
    _lines(canvas, f"{_('Stations')}: {numbers}", left, top, font=regular, size=8, width=width, most=2)
    _draw_qr(canvas, sign_in_link(login_url, card.code), left, y + PADDING, QR_SIZE)
    _draw_code(canvas, card, left + QR_SIZE + 5 * mm, y + PADDING, width - QR_SIZE - 5 * mm, login_url)


def _draw_code(canvas: Canvas, card: Card, x: float, bottom: float, width: float, login_url: str) -> None:
    regular, bold = pdf_fonts()
    y = bottom + QR_SIZE - 7
    y = _lines(canvas, _("Your sign-in code"), x, y, font=regular, size=7, width=width, most=1)
    y = _lines(canvas, group_code(card.code), x, y - 8, font=bold, size=13, width=width, most=1)
    expires = formats.date_format(timezone.localtime(card.expires_at), "SHORT_DATE_FORMAT")
    y = _lines(
        canvas,
        _("Works once, until %(date)s.") % {"date": expires},
        x,
        y,
        font=regular,
        size=7,
        width=width,
        most=1,
    )
    how = _("Scan the QR code with your phone, or open this address and type the code:")
    y = _lines(canvas, how, x, y, font=regular, size=7, width=width, most=3)
    address = login_url.split("://", 1)[-1]
    # An address is one long word: it is set smaller until it fits rather than broken.
    size = min(7.0, 7.0 * width / max(stringWidth(address, regular, 7), 1))
    canvas.setFont(regular, size)
    canvas.drawString(x, y, address)
    if card.hotline:
        hotline = _("Hotline: %(number)s") % {"number": card.hotline}
        _lines(canvas, hotline, x, bottom + 1, font=bold, size=9, width=width, most=1)


def _draw_qr(canvas: Canvas, link: str, x: float, y: float, size: float) -> None:
    """The QR code as one filled path of horizontal runs: fast to draw and sharp at any print size."""
    # One fixed mask: every reader decodes any of the eight, and trying all eight to pick the
    # "best" took two thirds of the time of a national mission's cards.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=QR_MASK)
    code.add_data(link)
    code.make(fit=True)
    matrix = code.get_matrix()
    module = size / len(matrix)
    path = canvas.beginPath()
    for row, cells in enumerate(matrix):
        top = y + size - (row + 1) * module
        column = 0
        while column < len(cells):
            if not cells[column]:
                column += 1
                continue
            end = column
            while end < len(cells) and cells[end]:
                end += 1
            path.rect(x + column * module, top, (end - column) * module, module)
            column = end
    canvas.drawPath(path, stroke=0, fill=1)
