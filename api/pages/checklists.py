"""The observer's checklists at a station: the published ones, and the form of each.

The form is drawn on the phone by checklists.js from the definition embedded in the page (the JSON
that GET /api/v1/checklists/ gives, in the page's language). The phone checks the answers with the
rules of checklists/validation.py, read from that same definition, keeps a half-filled checklist as
a draft, and sends it through the outbox; the server checks the answers again. A form of sixty
questions that appear and disappear with the answers needs JavaScript: without it the page says so.
"""

import hashlib
from functools import cache
from pathlib import Path

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from api.pages.observer import observer_required
from checklists.models import ChecklistPhase
from checklists.selectors import checklists_for_station
from checklists.texts import localized, text_in
from checklists.validation import MAX_TEXT, questions_of
from core.errors import NotFound

SCRIPT = Path(__file__).resolve().parent.parent / "static" / "observe" / "checklists.js"


@cache
def script_version() -> str:
    """Changes with checklists.js, so a phone's cached copy (service worker, cache first) is replaced."""
    return hashlib.sha256(SCRIPT.read_bytes()).hexdigest()[:12]


def phone_messages() -> dict[str, str]:
    """The server's own messages for answers at fault (checklists/validation.py), word for word, so
    the phone says what the server would and both share one translation. The phone puts the number
    in place of %(min)d and %(max)d."""
    return {
        "required": _("This question needs an answer."),
        "photo": _("This question needs a photo."),
        "yes_no": _("Answer true or false."),
        "choice": _("Choose one of the question's choices."),
        "choices": _("Choose from the question's choices."),
        "twice": _("Choose each choice at most once."),
        "number": _("Answer with a whole number."),
        "min": _("The answer cannot be less than %(min)d."),
        "max": _("The answer cannot be more than %(max)d."),
        "time": _("Give the time as HH:MM, for example 07:45."),
        "text": _("Answer with a text."),
        "long": _("The answer is longer than %(max)d characters."),
        "stored": _("The answer holds a character that cannot be stored."),
    }


def phone_texts() -> dict[str, str]:
    """The form's own words; "{time}" marks a value the phone fills in."""
    return {
        "yes": _("Yes"),
        "no": _("No"),
        "required_mark": _("(required)"),
        "draft": _("Your answers kept on this phone at {time} are back in the form."),
        "clear_confirm": _("Clear every answer of this checklist?"),
        "editing": _("This checklist was not accepted. Correct it and send it again."),
        "kept_photo": _("The photo chosen before is kept unless you choose another."),
        "no_outbox": _("This browser cannot keep the checklist on the phone: open it in another browser."),
    }


def _checklists_or_404(user, station_id):
    try:
        return checklists_for_station(user=user, station_id=station_id)
    except NotFound:
        raise Http404 from None


@require_GET
@observer_required
def checklist_list(request, station_id: int):
    station, versions = _checklists_or_404(request.user, station_id)
    rows = [
        {
            "code": version.checklist.code,
            "name": text_in(version.definition["name"]),
            "phase": ChecklistPhase(version.checklist.phase).label,
            "version": version.number,
            "questions": len(questions_of(version.definition)),
            "url": reverse("observe:checklist", args=[station.pk, version.checklist.code]),
        }
        for version in versions
    ]
    context = {"station": station, "checklists": rows, "script_version": script_version()}
    return render(request, "observe/checklist_list.html", context)


@require_GET
@observer_required
def checklist_form(request, station_id: int, code: str):
    station, versions = _checklists_or_404(request.user, station_id)
    version = next((version for version in versions if version.checklist.code == code), None)
    if version is None:
        raise Http404
    context = {
        "station": station,
        "definition": localized(version.definition),
        "phase": ChecklistPhase(version.checklist.phase).label,
        "phone_texts": {**phone_messages(), **phone_texts(), "max_text": MAX_TEXT},
        "script_version": script_version(),
    }
    return render(request, "observe/checklist_form.html", context)
