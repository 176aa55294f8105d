"""Demo observers and what they sent on election day, for "Majilis 2023 (demo)".

Everything goes through the same services as real submissions, with ids derived from names,
so running the seed again finds every row already there and changes nothing.
"""

import io
import random
import uuid
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from people.models import Assignment, Membership, Organization, Role
from reports.services import checkin_create, report_ask, report_reject, report_submit, report_verify
from reports.taxonomy import Category, Phase
from stations.models import Election, PollingStation

DEMO_NAMESPACE = uuid.UUID("6f1d3c52-8a4e-4c57-9a53-2d0b1c1e2023")
STATIONS_PER_OBSERVER = 3
CHECKIN_TIMES = (
    ("arrival", time(7, 15)),
    ("opening", time(8, 0)),
    ("voting", time(13, 0)),
    ("counting", time(20, 5)),
)

# What observers saw, by phase, with how often each kind of incident turns up and a typical account.
INCIDENTS = [
    (
        Category.PROCEDURAL,
        Phase.OPENING,
        8,
        "The station opened 25 minutes late; the commission was still sealing boxes.",
    ),
    (
        Category.CAMPAIGNING_AT_STATION,
        Phase.VOTING,
        4,
        "Leaflets of one party on the table next to the voter list.",
    ),
    (
        Category.OBSERVER_OBSTRUCTION,
        Phase.VOTING,
        5,
        "The chair told me to stand 15 metres away, behind a column.",
    ),
    (
        Category.SECRECY_VIOLATION,
        Phase.VOTING,
        4,
        "Two women filled in their ballots together outside the booth.",
    ),
    (
        Category.COERCED_VOTING,
        Phase.VOTING,
        3,
        "A group from the district akimat arrived together and photographed ballots.",
    ),
    (
        Category.MULTIPLE_VOTING,
        Phase.VOTING,
        3,
        "The same young man voted twice within an hour, with another passport.",
    ),
    (
        Category.BALLOT_STUFFING,
        Phase.VOTING,
        2,
        "A commission member put a folded stack of ballots into the box.",
    ),
    (
        Category.IMPROPER_BALLOT_HANDLING,
        Phase.COUNTING,
        3,
        "Unused ballots were not cancelled before the count began.",
    ),
    (
        Category.COUNT_MANIPULATION,
        Phase.COUNTING,
        2,
        "Ballots were counted in piles without announcing each vote.",
    ),
    (
        Category.TURNOUT_INFLATION,
        Phase.COUNTING,
        2,
        "Signatures in the voter list far exceed the voters I counted.",
    ),
    (
        Category.PROTOCOL_FALSIFICATION,
        Phase.TABULATION,
        1,
        "The protocol copy handed to me differs from the one posted.",
    ),
    (
        Category.UNSEALED_OR_UNATTENDED_BOX,
        Phase.VOTING,
        2,
        "The mobile box stood unsealed in the corridor for 20 minutes.",
    ),
]


def demo_id(*parts) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, ":".join(str(part) for part in parts))


def ensure_organization(
    *, slug: str, name: str, staff: list, observers: list, election: Election, first: int = 0
) -> Organization:
    """The organization, its staff as (user, role), and its observers with three stations each in
    three districts. `first` numbers the observers across organizations so none share a station."""
    organization, _ = Organization.objects.get_or_create(slug=slug, defaults={"name": name})
    for user, role in staff:
        Membership.objects.get_or_create(user=user, organization=organization, defaults={"role": role})
    districts = list(election.districts.order_by("number").values_list("pk", flat=True))
    for offset, user in enumerate(observers):
        index = first + offset
        membership, created = Membership.objects.get_or_create(
            user=user,
            organization=organization,
            # The last observer roams their districts instead of staying at one station.
            defaults={"role": Role.OBSERVER, "roaming": offset == len(observers) - 1},
        )
        if created:
            for step in range(STATIONS_PER_OBSERVER):
                district = districts[(index * STATIONS_PER_OBSERVER + step) % len(districts)]
                station = PollingStation.objects.filter(district_id=district).order_by("pk")[index]
                Assignment.objects.get_or_create(membership=membership, station=station)
    return organization


def demo_photo(rng: random.Random) -> SimpleUploadedFile:
    image = Image.new("RGB", (800, 600), (rng.randint(150, 220),) * 3)
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randint(0, 760), rng.randint(0, 560)
        draw.rectangle(
            (x, y, x + rng.randint(20, 200), y + rng.randint(20, 150)),
            fill=tuple(rng.choices(range(256), k=3)),
        )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return SimpleUploadedFile("evidence.jpg", buffer.getvalue(), content_type="image/jpeg")


def record_activity(*, election: Election, observers: list, seed: int) -> tuple[int, list]:
    """Check-ins at every assigned station and a realistic spread of reports.

    Returns how many check-ins were new, and the new reports."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    zone = ZoneInfo(election.timezone)
    new_checkins, new_reports = 0, []
    weights = [weight for _, _, weight, _ in INCIDENTS]
    for user in observers:
        stations = PollingStation.objects.filter(assignments__membership__user=user).order_by("pk")
        for station in stations:
            for kind, at in CHECKIN_TIMES:
                moment = datetime.combine(election.date, at, tzinfo=zone)
                _, created = checkin_create(
                    observer=user,
                    id=demo_id("checkin", user.username, station.number, kind),
                    station_id=station.pk,
                    kind=kind,
                    at=moment,
                    all_clear=rng.random() < 0.6,
                )
                new_checkins += created
            for number in range(rng.choices((0, 1, 2, 3), weights=(5, 4, 2, 1))[0]):
                category, phase, _, account = rng.choices(INCIDENTS, weights=weights)[0]
                hour = {"opening": 8, "voting": rng.randint(9, 19), "counting": 20, "tabulation": 22}[phase]
                report, created = report_submit(
                    observer=user,
                    id=demo_id("report", user.username, station.number, number),
                    station_id=station.pk,
                    category=category,
                    phase=phase,
                    occurred_at=datetime.combine(election.date, time(hour, rng.randint(0, 59)), tzinfo=zone),
                    description=account,
                    photos=[demo_photo(rng)] if rng.random() < 0.4 else [],
                )
                if created:
                    new_reports.append(report)
    return new_checkins, new_reports


def review_some(reports: list, *, reviewers: dict, seed: int) -> None:
    """A reviewed election evening: most new reports verified, some rejected or questioned.

    `reviewers` maps an organization id to the user who reviews its reports."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    for report in reports:
        by = reviewers[report.organization_id]
        draw = rng.random()
        if draw < 0.45:
            report_verify(report=report, by=by, note="Consistent with the photo and the station's layout.")
        elif draw < 0.55:
            report_reject(report=report, by=by, reason="The observer was at another station at that time.")
        elif draw < 0.65:
            report_ask(report=report, by=by, question="How many people did you see, and at which ballot box?")
