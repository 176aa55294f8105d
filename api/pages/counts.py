"""The observer's count pages: a turnout count, a protocol copy, and "My counts".

Each works as a plain HTML form post; counts.js sends the same forms through the outbox when
JavaScript runs. Writes go through counts/services.py only."""

import hashlib
import uuid
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from api.pages.count_forms import ProtocolForm, TurnoutForm
from api.pages.observer import LOCAL_INPUT_FORMAT, observer_required
from api.pages.photos import session_or_token_required
from core.errors import ApplicationError, NotFound
from core.storage import evidence_image
from counts.arithmetic import RULES
from counts.models import ProtocolCopy, TurnoutMethod
from counts.selectors import (
    contest_get_for_station,
    contests_for_station,
    protocol_get_for_user,
    protocols_for_observer,
    turnout_counts_for_observer,
)
from counts.services import PROTOCOL_NUMBERS as NUMBERS
from counts.services import protocol_submit, turnout_count_create
from people.selectors import station_get_for_observer

# "My counts" lists the latest of each; an observer sends a few dozen on election day.
LISTED = 100
SCRIPT = Path(__file__).resolve().parent.parent / "static" / "observe" / "counts.js"


@cache
def script_version() -> str:
    """Changes with counts.js, so a phone's cached copy (service worker, cache first) is replaced."""
    return hashlib.sha256(SCRIPT.read_bytes()).hexdigest()[:12]


def _station_or_404(user, station_id):
    try:
        station, _organization = station_get_for_observer(user=user, station_id=station_id)
    except NotFound:
        raise Http404 from None
    return station


def _submit(form, service, **arguments):
    """The service's (row, created), or None with its message put beside its field."""
    try:
        return service(**arguments)
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        if exc.field == "votes":
            form.vote_errors.append(exc.message)
        else:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None


def _received(row, created: bool, new: str, again: str) -> str:
    values = {"time": time_format(timezone.localtime(row.received_at), "H:i"), "ref": str(row.id)[:8]}
    return (new if created else again) % values


@require_http_methods(["GET", "HEAD", "POST"])
@observer_required
def turnout(request, station_id: int):
    station = _station_or_404(request.user, station_id)
    context = {"station": station, "methods": TurnoutMethod.choices, "script_version": script_version()}
    # Times typed on this page are wall-clock times at the station.
    with timezone.override(ZoneInfo(station.election.timezone)):
        if request.method != "POST":
            now = timezone.localtime().strftime(LOCAL_INPUT_FORMAT)
            form = TurnoutForm(initial={"id": uuid.uuid4(), "counted_at": now, "method": TurnoutMethod.TALLY})
            return render(request, "observe/turnout_form.html", {**context, "form": form})
        form = TurnoutForm(request.POST)
        result = None
        if form.is_valid():
            data = form.cleaned_data
            result = _submit(
                form,
                turnout_count_create,
                observer=request.user,
                id=data["id"],
                station_id=station.pk,
                counted_at=data["counted_at"],
                voters=data["voters"],
                method=data["method"],
                note=data["note"],
            )
        if result is None:
            return render(request, "observe/turnout_form.html", {**context, "form": form}, status=400)
        row, created = result
        message = _received(
            row,
            created,
            _("Turnout count received at %(time)s. Reference %(ref)s."),
            _("This turnout count had already arrived at %(time)s. Reference %(ref)s."),
        )
    (messages.success if created else messages.info)(request, message)
    return redirect("observe:counts")


@require_GET
@observer_required
def protocol_contests(request, station_id: int):
    """Which protocol: a station votes on a party list and on its district's candidates."""
    station = _station_or_404(request.user, station_id)
    contests = list(contests_for_station(station))
    if len(contests) == 1:
        return redirect("observe:protocol", station_id=station.pk, contest=contests[0].code)
    return render(request, "observe/protocol_contests.html", {"station": station, "contests": contests})


def _protocol_context(station, contest, form) -> dict:
    return {
        "station": station,
        "contest": contest,
        "form": form,
        "numbers": [(form[name], ProtocolCopy._meta.get_field(name).verbose_name) for name in NUMBERS],
        "rules": RULES.values(),
        "script_version": script_version(),
    }


def _failures_message(row) -> str:
    rules = " ".join(str(RULES[code].message) for code in row.failures if code in RULES)
    return _("This copy does not add up: %(rules)s It is kept and flagged; the photo shows the protocol.") % {
        "rules": rules
    }


@require_http_methods(["GET", "HEAD", "POST"])
@observer_required
def protocol(request, station_id: int, contest: str):
    station = _station_or_404(request.user, station_id)
    try:
        contest_row = contest_get_for_station(station=station, code=contest)
    except NotFound:
        raise Http404 from None
    choices = contest_row.choices.all()
    if request.method != "POST":
        form = ProtocolForm(initial={"id": uuid.uuid4()}, choices=choices)
        return render(request, "observe/protocol_form.html", _protocol_context(station, contest_row, form))
    form = ProtocolForm(request.POST, request.FILES, choices=choices)
    result = None
    if form.is_valid():
        data = form.cleaned_data
        result = _submit(
            form,
            protocol_submit,
            observer=request.user,
            id=data["id"],
            station_id=station.pk,
            contest_code=contest_row.code,
            votes=form.votes(),
            photo=data["photo"],
            note=data["note"],
            **form.numbers(),
        )
    if result is None:
        context = _protocol_context(station, contest_row, form)
        return render(request, "observe/protocol_form.html", context, status=400)
    row, created = result
    with timezone.override(ZoneInfo(station.election.timezone)):
        message = _received(
            row,
            created,
            _("Protocol copy received at %(time)s. Reference %(ref)s."),
            _("This protocol copy had already arrived at %(time)s. Reference %(ref)s."),
        )
    (messages.success if created else messages.info)(request, message)
    if row.failures:
        messages.warning(request, _failures_message(row))
    return redirect("observe:counts")


@observer_required
def counts(request):
    protocols = list(protocols_for_observer(request.user)[:LISTED])
    for copy in protocols:
        copy.failure_messages = [RULES[code].message for code in copy.failures if code in RULES]
    context = {
        "turnout_counts": list(turnout_counts_for_observer(request.user)[:LISTED]),
        "protocols": protocols,
        "listed": LISTED,
    }
    return render(request, "observe/counts.html", context)


def _serve(request, protocol_id, field: str):
    try:
        copy = protocol_get_for_user(user=request.user, protocol_id=protocol_id)
    except NotFound:
        raise Http404 from None
    return evidence_image(getattr(copy, field), str(copy.id))


@require_GET
@session_or_token_required
def protocol_photo(request, protocol_id):
    return _serve(request, protocol_id, "image")


@require_GET
@session_or_token_required
def protocol_thumbnail(request, protocol_id):
    return _serve(request, protocol_id, "thumbnail")
