"""Observers' numbers against the official ones, station by station.

Set-based: one query for the current official results of a contest, one for the protocol copies,
one for the last turnout count of each station before the polls closed. The rows are then matched
in memory, which for a national election is tens of thousands of rows, not millions.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import QuerySet

from core.review import ReportStatus
from counts.models import Contest, OfficialResult, ProtocolCopy, TurnoutCount

# Protocol fields and the official columns they are compared with.
COMPARED = (
    ("registered", "registered"),
    ("issued", "ballots_issued"),
    ("in_boxes", "ballots_in_boxes"),
    ("invalid", "invalid"),
    ("valid", "valid"),
)
OFFICIAL_FIELDS = (
    "id",
    "station_id",
    "station__district_id",
    *(official for _, official in COMPARED),
    "votes",
)
PROTOCOL_FIELDS = ("id", "station_id", "status", *(field for field, _ in COMPARED), "votes")
# A copy differs materially from the official result when a line differs by more than 5 votes or
# 1 % of the ballots in the box, whichever is more. Every difference is listed for the reviewers;
# only material ones count in the count risk, because a slip of a few votes in a tired
# commission's protocol is a thing to check, not evidence that the count was rewritten.
MATERIAL_VOTES = 5
MATERIAL_SHARE = 0.01


def material_tolerance(ballots: int) -> float:
    return max(MATERIAL_VOTES, MATERIAL_SHARE * max(ballots, 0))


@dataclass(frozen=True)
class Difference:
    field: str  # a protocol field, or a choice's code
    observed: int
    official: int


@dataclass(frozen=True)
class StationComparison:
    station_id: int
    district_id: int
    official_id: int
    protocol_id: str
    protocol_status: str
    differences: tuple[Difference, ...]
    ballots: int = 0  # the official ballots in the box: the scale of a material difference

    @property
    def differs(self) -> bool:
        return bool(self.differences)

    @property
    def material(self) -> bool:
        tolerance = material_tolerance(self.ballots)
        return any(abs(d.observed - d.official) > tolerance for d in self.differences)


def protocols_for_comparison(contest: Contest) -> QuerySet:
    """The copies that speak for their station: not rejected; a verified copy before any other,
    then the latest received."""
    return (
        ProtocolCopy.objects.filter(contest=contest)
        .exclude(status=ReportStatus.REJECTED)
        .order_by("station_id", "-received_at")
    )


def chosen_protocols(contest: Contest) -> dict[int, dict]:
    chosen: dict[int, dict] = {}
    for row in protocols_for_comparison(contest).values(*PROTOCOL_FIELDS):
        current = chosen.get(row["station_id"])
        if current is None or (
            row["status"] == ReportStatus.VERIFIED and current["status"] != ReportStatus.VERIFIED
        ):
            chosen[row["station_id"]] = row
    return chosen


def differences(protocol: Mapping, official: Mapping) -> tuple[Difference, ...]:
    found = [
        Difference(field, protocol[field], official[column])
        for field, column in COMPARED
        if protocol[field] != official[column]
    ]
    codes = sorted(set(protocol["votes"]) | set(official["votes"]))
    found += [
        Difference(code, protocol["votes"].get(code, 0), official["votes"].get(code, 0))
        for code in codes
        if protocol["votes"].get(code, 0) != official["votes"].get(code, 0)
    ]
    return tuple(found)


def protocol_comparisons(
    contest: Contest, *, district_id: int | None = None, protocols: dict[int, dict] | None = None
) -> list[StationComparison]:
    """Every station with both an official result and an observer's protocol copy, compared."""
    official = OfficialResult.objects.current().filter(contest=contest)
    if district_id is not None:
        official = official.filter(station__district_id=district_id)
    protocols = chosen_protocols(contest) if protocols is None else protocols
    return [
        StationComparison(
            station_id=row["station_id"],
            district_id=row["station__district_id"],
            official_id=row["id"],
            protocol_id=str(protocols[row["station_id"]]["id"]),
            protocol_status=protocols[row["station_id"]]["status"],
            differences=differences(protocols[row["station_id"]], row),
            ballots=row["ballots_in_boxes"],
        )
        for row in official.order_by("station_id").values(*OFFICIAL_FIELDS)
        if row["station_id"] in protocols
    ]


def last_turnout_counts(election_id: int, close_at) -> dict[int, int]:
    """Station id → voters in the last count an observer made before the polls closed."""
    rows = (
        TurnoutCount.objects.filter(election_id=election_id, counted_at__lte=close_at)
        .order_by("station_id", "counted_at", "received_at")
        .values_list("station_id", "voters")
    )
    # Ordered by time within each station, so the last value written per station is the latest.
    return dict(rows)
