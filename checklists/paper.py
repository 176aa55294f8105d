"""A published checklist version as a paper form, for observers without a phone: the same
questions, codes and conditions as the phone shows, in Kazakh, Russian or English, with boxes to
tick and to fill, set in DejaVu Sans (core.pdf) so that every Kazakh letter prints. Paper returns
come back through double entry (checklists.double_entry)."""

import io
from xml.sax.saxutils import escape

from django.utils import translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer

from checklists.models import ChecklistPhase, ChecklistVersion
from checklists.texts import text_in
from checklists.validation import questions_of
from core.pdf import pdf_fonts

LANGUAGES = ("kk", "ru", "en")
MARGIN = 16 * mm
BOX = "☐"
CRITICAL = "(!)"
FILL_LINE = "_" * 60
TEXT_LINES = 2
NUMBER_BOXES = 4


class Styles:
    def __init__(self):
        regular, bold = pdf_fonts()
        self.body = ParagraphStyle("body", fontName=regular, fontSize=10, leading=13, spaceAfter=2)
        self.title = ParagraphStyle("title", parent=self.body, fontName=bold, fontSize=14, leading=18)
        self.section = ParagraphStyle(
            "section", parent=self.body, fontName=bold, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4
        )
        self.question = ParagraphStyle("question", parent=self.body, fontName=bold)
        self.answer = ParagraphStyle("answer", parent=self.body, leftIndent=8 * mm)
        self.note = ParagraphStyle("note", parent=self.answer, fontSize=8.5, leading=11)


def version_pdf(version: ChecklistVersion, language: str) -> bytes:
    """The paper form of `version` in `language` (kk, ru or en); texts not written in that language
    fall back as the phone's do (checklists.texts)."""
    if language not in LANGUAGES:
        raise ValueError(language)
    with translation.override(language):
        return _build(version.definition, language)


def _build(definition: dict, language: str) -> bytes:
    styles = Styles()
    target = io.BytesIO()
    name = text_in(definition["name"], language)
    document = SimpleDocTemplate(
        target,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=name,
        invariant=True,
    )
    story = [Paragraph(escape(name), styles.title), *_header(definition, styles)]
    labels = {question["code"]: question for question in questions_of(definition)}
    for section in definition["sections"]:
        story.append(Paragraph(escape(text_in(section["title"], language)), styles.section))
        for question in section["questions"]:
            story.append(KeepTogether(_question(question, labels, language, styles)))
    document.build(story)
    return target.getvalue()


def _header(definition: dict, styles: Styles) -> list:
    phase = ChecklistPhase(definition["phase"]).label
    lines = [
        _("Phase: %(phase)s. Version %(version)d.") % {"phase": phase, "version": definition["version"]},
        f"{_('Polling station number')}: {FILL_LINE[:20]}",
        f"{_('Observer (name)')}: {FILL_LINE[:40]}",
        f"{_('Date and time filled in')}: {FILL_LINE[:24]}",
        _(
            "Tick one box, or several where the question says so; write numbers and times in the boxes. "
            "Questions marked * must be answered; answers marked %(critical)s are reported to the "
            "organization at once."
        )
        % {"critical": CRITICAL},
    ]
    return [*(Paragraph(escape(line), styles.body) for line in lines), Spacer(1, 3 * mm)]


def _question(question: dict, labels: dict, language: str, styles: Styles) -> list:
    required = " *" if question["required"] else ""
    heading = f"{escape(question['code'])}. {escape(text_in(question['label'], language))}{required}"
    parts = [Paragraph(heading, styles.question)]
    if condition := question["show_if"]:
        earlier = labels[condition["question"]]
        parts.append(
            Paragraph(
                escape(
                    _("Answer only if %(code)s is “%(answer)s”.")
                    % {"code": earlier["code"], "answer": answer_text(earlier, condition["equals"], language)}
                ),
                styles.note,
            )
        )
    parts += [Paragraph(escape(line), styles.answer) for line in answer_space(question, language)]
    parts.append(Spacer(1, 2 * mm))
    return parts


def answer_text(question: dict, value, language: str | None) -> str:
    """An answer as a person reads it: yes or no, a choice's label, a number."""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    for choice in question["choices"]:
        if choice["code"] == value:
            return text_in(choice["label"], language)
    return str(value)


def _critical(question: dict, value) -> str:
    return (
        f" {CRITICAL}"
        if any(value == item and type(value) is type(item) for item in question["critical"])
        else ""
    )


def answer_space(question: dict, language: str) -> list[str]:
    """The lines where the answer is written: boxes to tick, boxes for digits, lines for words."""
    kind = question["kind"]
    if kind == "yes_no":
        return [
            "      ".join(
                f"{BOX} {answer_text(question, value, language)}{_critical(question, value)}"
                for value in (True, False)
            )
        ]
    if kind in ("choice", "choices"):
        lines = [
            f"{BOX} {text_in(c['label'], language)}{_critical(question, c['code'])}"
            for c in question["choices"]
        ]
        note = _("Tick one.") if kind == "choice" else _("Tick every one that applies.")
        return [note, *lines]
    if kind == "number":
        return [f"{BOX * _digits(question)}  {_range(question)}".rstrip()]
    if kind == "time":
        return [f"{BOX * 2} : {BOX * 2}  ({_('hours : minutes')})"]
    if kind == "photo":
        return [
            _("Photo: attach it to this form, marked with the code %(code)s.") % {"code": question["code"]}
        ]
    return [FILL_LINE] * TEXT_LINES


def _digits(question: dict) -> int:
    widest = max(
        (len(str(abs(bound))) for bound in (question["min"], question["max"]) if bound is not None), default=0
    )
    return max(widest, NUMBER_BOXES) if question["max"] is None else max(widest, 1)


def _range(question: dict) -> str:
    low, high = question["min"], question["max"]
    critical = [str(value) for value in question["critical"]]
    text = ""
    if low is not None and high is not None:
        text = _("(from %(min)d to %(max)d)") % {"min": low, "max": high}
    elif low is not None:
        text = _("(at least %(min)d)") % {"min": low}
    elif high is not None:
        text = _("(at most %(max)d)") % {"max": high}
    if critical:
        text += f" {CRITICAL} " + ", ".join(critical)
    return text
