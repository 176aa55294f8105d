"""The missing list: sampled stations of an organization's observers that went silent.

A station of the random sample, with at least one of the organization's observers assigned to it,
is missing
- at the arrival stage: no arrival check-in of the organization by settings.MISSING_ARRIVAL_MINUTES
  after the polls open (settings.POLLS_OPEN, the election's local time);
- at the close stage: no final turnout count (counted at most FINAL_COUNT_BEFORE_CLOSE before the
  close, or later) or no protocol copy of the organization by settings.MISSING_CLOSE_MINUTES after
  the polls close (the election's `polls_close`).
A station leaves the list as soon as what it lacked arrives, whatever the calls said.

Three queries whatever the size of the list: the stations, their observers, the calls made.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from counts.models import ProtocolCopy, TurnoutCount
from people.models import Assignment, Role
from reports.models import CheckIn
from reports.taxonomy import CheckInKind
from roster.models import RecontactCall, Stage
from roster.selectors import observer_name
from stations.models import Election, PollingStation

# An observer's last count just before the polls close is the final one; one made an hour earlier is not.
FINAL_COUNT_BEFORE_CLOSE = timedelta(minutes=30)


@dataclass
class Observer:
    membership_id: int
    username: str
    name: str
    phone: str


@dataclass
class MissingEntry:
    station: PollingStation
    stage: str
    observers: list[Observer] = field(default_factory=list)
    last_call: RecontactCall | None = None
    calls: int = 0

    @property
    def key(self) -> str:
        return f"{self.station.pk}-{self.stage}"

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label

    @property
    def last_call_text(self) -> str:
        return call_text(self.last_call)


def call_text(call: RecontactCall | None) -> str:
    """One line on the latest call, as the missing list shows it."""
    if call is None:
        return ""
    text = _("%(outcome)s, %(at)s by %(by)s") % {
        "outcome": call.get_outcome_display(),
        "at": timezone.localtime(call.at).strftime("%H:%M"),
        "by": call.by.get_username() if call.by else _("someone since removed"),
    }
    if call.replacement is not None:
        text += " → " + observer_name(call.replacement.user)
    return f"{text}: {call.note}" if call.note else text


def polls_open_at(election: Election) -> datetime:
    opening = time.fromisoformat(settings.POLLS_OPEN)
    return datetime.combine(election.date, opening, tzinfo=ZoneInfo(election.timezone))


def deadlines(election: Election) -> dict[str, datetime]:
    """When each stage's silence starts to count."""
    return {
        Stage.ARRIVAL: polls_open_at(election) + timedelta(minutes=settings.MISSING_ARRIVAL_MINUTES),
        Stage.CLOSE: election.polls_close_at + timedelta(minutes=settings.MISSING_CLOSE_MINUTES),
    }


def silent_stations(*, organization_id: int, election: Election, now: datetime):
    """The sampled stations of the organization's observers, each with what it lacks (the
    `arrived`, `counted` and `protocol` annotations), limited to those missing something due."""
    due = deadlines(election)
    station = OuterRef("pk")
    mine = {"station": station, "organization_id": organization_id}
    stations = PollingStation.objects.filter(election=election, in_sample=True).filter(
        Exists(
            Assignment.objects.filter(
                station=station, membership__organization_id=organization_id, membership__role=Role.OBSERVER
            )
        )
    )
    stations = stations.annotate(
        arrived=Exists(CheckIn.objects.filter(kind=CheckInKind.ARRIVAL, **mine)),
        counted=Exists(
            TurnoutCount.objects.filter(
                counted_at__gte=election.polls_close_at - FINAL_COUNT_BEFORE_CLOSE, **mine
            )
        ),
        protocol=Exists(ProtocolCopy.objects.filter(**mine)),
    )
    silent = Q(pk__in=[])
    if now >= due[Stage.ARRIVAL]:
        silent |= Q(arrived=False)
    if now >= due[Stage.CLOSE]:
        silent |= Q(counted=False) | Q(protocol=False)
    return stations.filter(silent).select_related("district").order_by("district__number", "number")


def missing_entries(
    *, organization_id: int, election: Election, now: datetime | None = None
) -> list[MissingEntry]:
    """The missing list, one entry per station and stage, with the observers to call and the calls made."""
    now = now or timezone.now()
    due = deadlines(election)
    entries = []
    for station in silent_stations(organization_id=organization_id, election=election, now=now):
        if now >= due[Stage.ARRIVAL] and not station.arrived:
            entries.append(MissingEntry(station=station, stage=Stage.ARRIVAL))
        if now >= due[Stage.CLOSE] and not (station.counted and station.protocol):
            entries.append(MissingEntry(station=station, stage=Stage.CLOSE))
    station_ids = {entry.station.pk for entry in entries}
    observers = observers_of(organization_id, station_ids)
    calls = calls_of(organization_id, election, station_ids)
    for entry in entries:
        entry.observers = observers.get(entry.station.pk, [])
        made = calls.get((entry.station.pk, entry.stage), [])
        entry.calls = len(made)
        entry.last_call = made[0] if made else None
    return entries


def observers_of(organization_id: int, station_ids: set[int]) -> dict[int, list[Observer]]:
    rows = (
        Assignment.objects.filter(
            station_id__in=station_ids,
            membership__organization_id=organization_id,
            membership__role=Role.OBSERVER,
        )
        .order_by("membership__user__last_name", "membership__user__username")
        .values_list(
            "station_id",
            "membership_id",
            "membership__user__username",
            "membership__user__first_name",
            "membership__user__last_name",
            "membership__phone",
        )
    )
    observers = defaultdict(list)
    for station_id, membership_id, username, first, last, phone in rows:
        name = f"{first} {last}".strip() or username
        observers[station_id].append(Observer(membership_id, username, name, phone))
    return observers


def calls_of(
    organization_id: int, election: Election, station_ids: set[int]
) -> dict[tuple, list[RecontactCall]]:
    """(station id, stage) → the calls made, the latest first."""
    rows = (
        RecontactCall.objects.filter(
            organization_id=organization_id, election=election, station_id__in=station_ids
        )
        .select_related("by", "replacement__user")
        .order_by("-at", "-pk")
    )
    calls = defaultdict(list)
    for call in rows:
        calls[(call.station_id, call.stage)].append(call)
    return calls
