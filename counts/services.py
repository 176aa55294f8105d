"""The only writers of what observers count: turnout counts and protocol copies.

Both follow the observer's other writes (reports.services.submissions): an id made on the phone,
so a retried send returns the row it created; the station must be one the observer reports on;
times are checked like check-ins. A protocol copy that does not add up is kept and flagged with the
arithmetic rules it breaks, never refused: the commission's own protocol may be the wrong one.
"""

import uuid
from collections.abc import Mapping
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.intake import check_choice, check_time, read_photo, single_insert
from core.photos import ProcessedPhoto
from core.review import MAX_NOTE
from core.signals import evidence_changed
from counts.arithmetic import Protocol, protocol_failures
from counts.models import ProtocolCopy, TurnoutCount, TurnoutMethod
from counts.selectors import contests_for_station
from people.selectors import station_for_new_row
from stations.models import PollingStation

# No polling station has more voters than this: a larger number is a typing error.
MAX_COUNT = 100_000
# Voter lists grow on election day (additional lists, voters at home), but not to twice their size.
MAX_TURNOUT_RATIO = 2
PROTOCOL_NUMBERS = ("registered", "received", "issued", "cancelled", "lost", "in_boxes", "invalid", "valid")


def check_count(value, field: str, *, label: str = "") -> None:
    """A whole number from 0 to MAX_COUNT; `label` names a choice inside the votes."""
    prefix = f"{label}: " if label else ""
    if not isinstance(value, int) or isinstance(value, bool):
        raise ApplicationError(prefix + _("Give a whole number."), field=field)
    if value < 0:
        raise ApplicationError(prefix + _("This number cannot be negative."), field=field)
    if value > MAX_COUNT:
        raise ApplicationError(
            prefix
            + _("No polling station has more than %(max)s voters; check the number.")
            % {"max": number_format(MAX_COUNT, force_grouping=True)},
            field=field,
        )


def check_note(note: str) -> None:
    if len(note) > MAX_NOTE:
        raise ApplicationError(
            _("The note is longer than %(max)d characters.") % {"max": MAX_NOTE}, field="note"
        )


def check_turnout(voters, station: PollingStation) -> None:
    """Refuse only what cannot be true; a count above the station's list is possible and kept.

    A station whose registered voters are unknown (0) gets the general maximum only.
    """
    check_count(voters, "voters")
    registered = station.registered_voters
    if registered and voters > MAX_TURNOUT_RATIO * registered:
        raise ApplicationError(
            _(
                "%(voters)d voters is more than twice the %(registered)d registered at this station; "
                "check the number."
            )
            % {"voters": voters, "registered": registered},
            field="voters",
        )


def turnout_count_create(
    *,
    observer: AbstractBaseUser,
    id,
    station_id,
    counted_at: datetime,
    voters: int,
    method: str,
    note: str = "",
) -> tuple[TurnoutCount, bool]:
    """Record the voters an observer counted at a station so far. Returns (count, created)."""
    station, organization_id, existing = station_for_new_row(
        TurnoutCount, pk=id, observer=observer, station_id=station_id
    )
    if existing:
        return existing, False
    check_time(counted_at, station.election, "counted_at")
    check_turnout(voters, station)
    check_choice(method, TurnoutMethod, "method")
    check_note(note)
    try:
        with single_insert():
            count = TurnoutCount.objects.create(
                id=id,
                observer=observer,
                organization_id=organization_id,
                election=station.election,
                station=station,
                counted_at=counted_at,
                voters=voters,
                method=method,
                note=note,
            )
    except IntegrityError:
        # The same request arrived twice at once; the other one won.
        return TurnoutCount.objects.get(pk=id, observer=observer), False
    evidence_changed.send(sender=TurnoutCount, election_id=station.election_id, arrived=True)
    return count, True


def check_votes(votes, codes: list[str]) -> dict[str, int]:
    """Every choice on the station's ballot, and nothing else, with a whole number of votes."""
    if not isinstance(votes, Mapping):
        raise ApplicationError(_("Give the votes of each choice."), field="votes")
    unknown = [str(code) for code in votes if code not in codes]
    if unknown:
        raise ApplicationError(
            _("Not a choice on this station's ballot: %(codes)s.") % {"codes": ", ".join(sorted(unknown))},
            field="votes",
        )
    missing = [code for code in codes if code not in votes]
    if missing:
        raise ApplicationError(
            _("Give the votes of every choice; missing: %(codes)s.") % {"codes": ", ".join(missing)},
            field="votes",
        )
    for code in codes:
        check_count(votes[code], "votes", label=code)
    return {code: votes[code] for code in codes}


def _contest_and_codes(station: PollingStation, contest_code):
    contest = contests_for_station(station).filter(code=str(contest_code)).first()
    if contest is None:
        raise ApplicationError(
            _("%(code)s is not a contest of this election.") % {"code": contest_code}, field="contest"
        )
    return contest, [choice.code for choice in contest.choices.all()]


def _attach_photo(copy: ProtocolCopy, processed: ProcessedPhoto, *, captured_at: datetime | None) -> None:
    """The re-encoded photo and its seal on the copy, as a report's photo (reports.services)."""
    copy.width, copy.height = processed.width, processed.height
    copy.size_bytes = len(processed.image)
    copy.sha256 = processed.sha256_received
    copy.captured_at = processed.captured_at or captured_at
    copy.image.save(f"{copy.id}.jpg", ContentFile(processed.image), save=False)
    copy.thumbnail.save(f"{copy.id}-thumb.jpg", ContentFile(processed.thumbnail), save=False)


def protocol_submit(
    *,
    observer: AbstractBaseUser,
    id,
    station_id,
    contest_code: str,
    registered: int,
    received: int,
    issued: int,
    cancelled: int,
    lost: int = 0,
    in_boxes: int,
    invalid: int,
    valid: int,
    votes: Mapping[str, int],
    photo: UploadedFile | None,
    captured_at: datetime | None = None,
    note: str = "",
) -> tuple[ProtocolCopy, bool]:
    """File the observer's copy of a station's protocol with its photo. Returns (copy, created).

    A second copy of the same station and contest is a new row (a corrected copy); the comparison
    takes the latest verified one, else the latest. `captured_at` is used when the photo itself
    carries no capture time.
    """
    station, organization_id, existing = station_for_new_row(
        ProtocolCopy, pk=id, observer=observer, station_id=station_id
    )
    if existing:
        return existing, False
    contest, codes = _contest_and_codes(station, contest_code)
    numbers = {
        "registered": registered,
        "received": received,
        "issued": issued,
        "cancelled": cancelled,
        "lost": lost,
        "in_boxes": in_boxes,
        "invalid": invalid,
        "valid": valid,
    }
    for field, value in numbers.items():
        check_count(value, field)
    votes = check_votes(votes, codes)
    check_note(note)
    if captured_at is not None:
        check_time(captured_at, station.election, "captured_at")
    if photo is None:
        raise ApplicationError(_("Add a photo of the protocol: it is the evidence."), field="photo")
    # Decoding is the slow part: do it before taking any database lock.
    processed = read_photo(photo, election=station.election, field="photo")
    copy = ProtocolCopy(
        id=uuid.UUID(str(id)),
        observer=observer,
        organization_id=organization_id,
        election=station.election,
        station=station,
        contest=contest,
        votes=votes,
        failures=protocol_failures(Protocol(votes=votes, **numbers)),
        note=note,
        **numbers,
    )
    try:
        with transaction.atomic():
            _attach_photo(copy, processed, captured_at=captured_at)
            copy.save(force_insert=True)
    except IntegrityError:
        return ProtocolCopy.objects.get(pk=id, observer=observer), False
    evidence_changed.send(sender=ProtocolCopy, election_id=station.election_id, arrived=True)
    return copy, True
