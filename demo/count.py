"""Count integrity in the demo election: both Majilis contests, synthetic official results, and a
field team of observers at the random sample who count turnout and copy the protocols.

The parties are the eight choices of the 2023 party-list ballot; every number is synthetic. Turnout
follows each region's published intraday and final figures (demo/data/kz2023), except in the
city of Almaty, the reference case: there independent counters put turnout at 10 to 12 % while the
commission published 25.8 %. The demo's Almaty observers count about 11 % and copy protocols that
say so, while the official results carry the published figure, the extra ballots all going to the
leading party — so the dashboard shows what the count risk is for.
"""

import csv
import hashlib
import io
import math
import random
from datetime import datetime, time
from zoneinfo import ZoneInfo

import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageDraw

from core.storage import photo_storage
from counts.arithmetic import Protocol, protocol_failures
from counts.models import Contest, ProtocolCopy, TurnoutCount
from counts.results import ChoiceSpec, contest_define, results_import
from demo.election import DATA_DIR
from demo.observations import INCIDENTS, demo_id
from people.models import Assignment, Membership, Organization, Role
from reports.models import CheckIn, IncidentReport, ReportStatus
from reports.taxonomy import DEFAULT_SEVERITY
from stations.models import Election, PollingStation
from stations.services import sample_draw

PARTIES = [
    ("amanat", "AMANAT", 0.539),
    ("auyl", "Auyl", 0.109),
    ("respublica", "Respublica", 0.086),
    ("akzhol", "Ak Zhol", 0.084),
    ("qhp", "People's Party of Kazakhstan", 0.068),
    ("osdp", "National Social Democratic Party", 0.052),
    ("baytaq", "Baytaq", 0.023),
    ("against_all", "Against all", 0.039),
]
CANDIDATES_PER_DISTRICT = 3
SAMPLE_SHARE = 0.10
SAMPLE_MIN_PER_DISTRICT = 30
OBSERVED_SHARE = 0.6  # of the sample, by the field team; all of it in the reference case
REFERENCE_REGION = "Almaty (city)"
REFERENCE_TRUE_TURNOUT = 0.11
COUNT_TIMES = (
    (time(10, 10), "t_1010"),
    (time(12, 10), "t_1210"),
    (time(14, 0), "t_1400"),
    (time(18, 10), "t_1810"),
)
LAST_COUNT = time(19, 58)
PROTOCOL_SHARE = 0.6
# Outside the reference case, copies differ from the official result only by clerical slips.
DIFFERING_ELSEWHERE = 0.04
RESULT_HEADER = ["station_number", "registered", "ballots_issued", "ballots_in_boxes", "invalid"]


def region_turnout() -> dict[str, dict[str, float]]:
    with (DATA_DIR / "region_turnout_2023.csv").open(newline="", encoding="utf-8") as handle:
        return {
            row["region_en"]: {
                key: float(value) / 100 for key, value in row.items() if key.startswith("t_") and value
            }
            for row in csv.DictReader(handle)
        }


def ensure_contests(election: Election) -> tuple[Contest, Contest]:
    party_list = contest_define(
        election=election,
        code="party_list",
        name="Majilis: party list",
        kind="party_list",
        choices=[ChoiceSpec(code, name) for code, name, _share in PARTIES],
    )
    candidates = [
        ChoiceSpec(
            f"smd{district.number:02d}-{letter}",
            f"Candidate {letter.upper()} (district {district.number}, demo)",
            district.number,
        )
        for district in election.districts.order_by("number")
        for letter in "abc"[:CANDIDATES_PER_DISTRICT]
    ]
    smd = contest_define(
        election=election,
        code="smd",
        name="Majilis: single-mandate districts",
        kind="candidates",
        choices=candidates,
    )
    return party_list, smd


def station_truth(station, turnout: dict, rng: random.Random, draws: np.random.Generator) -> dict:
    """One station's true count, and the official one (inflated in the reference case). Voters
    and votes are binomial and multinomial draws, so the honest numbers pass the digit tests as
    counted numbers do."""
    region = station.region.name
    reference = region == REFERENCE_REGION
    true_turnout = REFERENCE_TRUE_TURNOUT if reference else turnout[region]["t_final_2000"]
    true_turnout = min(0.95, max(0.05, rng.gauss(true_turnout, 0.02 if reference else 0.04)))
    registered = station.registered_voters
    issued = int(draws.binomial(registered, true_turnout))
    official_issued = (
        round(registered * min(0.95, max(0.05, rng.gauss(0.2582, 0.02)))) if reference else issued
    )
    weights = [share * rng.lognormvariate(0, 0.25) for _code, _name, share in PARTIES]
    in_boxes = issued - min(issued, rng.randint(0, 2))
    invalid = min(in_boxes, rng.randint(0, max(1, in_boxes // 60)))
    shares = np.array(weights) / sum(weights)
    counts = draws.multinomial(in_boxes - invalid, shares)
    votes = {code: int(count) for (code, _name, _share), count in zip(PARTIES, counts, strict=True)}
    extra = max(0, official_issued - issued)
    official_votes = dict(votes, amanat=votes["amanat"] + extra)
    if not reference and rng.random() < DIFFERING_ELSEWHERE:
        # A clerical slip: a few votes written in a neighbouring party's line.
        first, second = rng.sample([code for code, _name, _share in PARTIES], 2)
        moved = min(official_votes[first], rng.randint(1, 5))
        official_votes = dict(
            official_votes, **{first: official_votes[first] - moved, second: official_votes[second] + moved}
        )
    return {
        "registered": registered,
        "issued": issued,
        "in_boxes": in_boxes,
        "invalid": invalid,
        "votes": votes,
        "official": {
            "issued": issued + extra,
            "in_boxes": in_boxes + extra,
            "invalid": invalid,
            "votes": official_votes,
        },
    }


def results_file(stations: list, truths: dict, codes: list[str], votes_of) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*RESULT_HEADER, *codes])
    for station in stations:
        official = truths[station.pk]["official"]
        votes = votes_of(station, official)
        row = [
            station.number,
            station.registered_voters,
            official["issued"],
            official["in_boxes"],
            official["invalid"],
        ]
        writer.writerow(row + [votes.get(code, "") for code in codes])
    return out.getvalue().encode()


def smd_votes(station, official) -> dict[str, int]:
    """The same ballots in the single-mandate contest, split between the district's candidates."""
    valid = sum(official["votes"].values())
    rng = random.Random(station.pk)  # noqa: S311 - reproducible demo data
    codes = [f"smd{station.district.number:02d}-{letter}" for letter in "abc"[:CANDIDATES_PER_DISTRICT]]
    first = round(valid * rng.uniform(0.5, 0.7))
    second = round((valid - first) * rng.uniform(0.5, 0.8))
    return dict(zip(codes, (first, second, valid - first - second), strict=True))


def protocol_image() -> tuple[str, str]:
    """One picture of a protocol, stored once and shared by the demo's copies (its name, its
    thumbnail's name)."""
    storage, name, thumb = photo_storage(), "protocols/demo/protocol.jpg", "protocols/demo/protocol-thumb.jpg"
    if not storage.exists(name):
        image = Image.new("RGB", (900, 1200), (245, 243, 235))
        draw = ImageDraw.Draw(image)
        draw.text((60, 50), "PROTOCOL OF THE PRECINCT ELECTION COMMISSION (demo)", fill=(20, 20, 20))
        for line in range(26):
            draw.line((60, 120 + line * 40, 840, 120 + line * 40), fill=(150, 150, 150))
        for size, path in (((900, 1200), name), ((240, 320), thumb)):
            buffer = io.BytesIO()
            image.resize(size).save(buffer, "JPEG", quality=70)
            storage.save(path, ContentFile(buffer.getvalue()))
    return name, thumb


@transaction.atomic
def seed_counts(*, election: Election, organization: Organization, reviewer, seed: int) -> str:
    """Contests, official results and the field team's numbers; nothing when already there."""
    if Contest.objects.filter(election=election, code="party_list").exists():
        return "The demo's contests and results are already there."
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    party_list, smd = ensure_contests(election)
    if not election.stations.filter(in_sample=True).exists():
        stations = election.stations.count()
        wanted = max(math.ceil(stations * SAMPLE_SHARE), SAMPLE_MIN_PER_DISTRICT * election.districts.count())
        size = min(stations, wanted)
        sample_draw(election=election, size=size, seed=seed, min_per_district=SAMPLE_MIN_PER_DISTRICT)
    stations = list(
        PollingStation.objects.filter(election=election).select_related("region", "district").order_by("pk")
    )
    turnout = region_turnout()
    draws = np.random.default_rng(seed)
    truths = {station.pk: station_truth(station, turnout, rng, draws) for station in stations}
    results_import(
        contest=party_list,
        data=results_file(
            stations, truths, [code for code, _n, _s in PARTIES], lambda s, official: official["votes"]
        ),
        filename="party_list-demo.csv",
    )
    smd_codes = list(smd.choices.values_list("code", flat=True))
    results_import(
        contest=smd, data=results_file(stations, truths, smd_codes, smd_votes), filename="smd-demo.csv"
    )
    # Stations with an observer of their own already are left to that observer.
    taken = set(Assignment.objects.filter(station__election=election).values_list("station_id", flat=True))
    observed = [
        s
        for s in stations
        if s.in_sample
        and s.pk not in taken
        and (s.region.name == REFERENCE_REGION or rng.random() < OBSERVED_SHARE)
    ]
    field_team(election, organization, reviewer, observed, truths, turnout, rng)
    return (
        f"Contests party_list and smd with official results at {len(stations)} stations; "
        f"a field team of {len(observed)} observers at the random sample."
    )


def field_team(election, organization, reviewer, stations, truths, turnout, rng) -> None:
    """One observer per observed sample station: a check-in, turnout counts through the day, a
    protocol copy at most stations, and now and then an incident."""
    zone = ZoneInfo(election.timezone)
    at = lambda moment: datetime.combine(election.date, moment, tzinfo=zone)  # noqa: E731
    password = make_password(None)
    User = get_user_model()
    users = User.objects.bulk_create(
        User(username=f"field{index:04d}", password=password)
        for index, _station in enumerate(stations, start=1)
    )
    memberships = Membership.objects.bulk_create(
        Membership(user=user, organization=organization, role=Role.OBSERVER) for user in users
    )
    Assignment.objects.bulk_create(
        Assignment(membership=membership, station=station)
        for membership, station in zip(memberships, stations, strict=True)
    )
    image, thumbnail = protocol_image()
    contest = Contest.objects.get(election=election, code="party_list")
    with photo_storage().open(image) as handle:
        data = handle.read()
    photo = {
        "image": image,
        "thumbnail": thumbnail,
        "sha256": hashlib.sha256(data).hexdigest(),
        "size_bytes": len(data),
    }
    checkins, counts, copies, reports = [], [], [], []
    for user, station in zip(users, stations, strict=True):
        truth = truths[station.pk]
        common = {"observer": user, "organization": organization, "election": election, "station": station}
        checkins.append(
            CheckIn(id=demo_id("field-checkin", station.pk), kind="arrival", at=at(time(7, 20)), **common)
        )
        final = turnout[station.region.name]["t_final_2000"]
        for moment, column in (*COUNT_TIMES, (LAST_COUNT, None)):
            share = 1.0 if column is None else turnout[station.region.name].get(column, final) / final
            counts.append(
                TurnoutCount(
                    id=demo_id("field-count", station.pk, moment),
                    counted_at=at(moment),
                    voters=round(truth["issued"] * min(1.0, share)),
                    method="tally",
                    **common,
                )
            )
        if rng.random() < PROTOCOL_SHARE:
            copies.append(field_protocol(common, contest, truth, reviewer, photo, at(time(23, 30)), rng))
        if rng.random() < 0.12:
            category, phase, _weight, account = rng.choices(INCIDENTS, weights=[i[2] for i in INCIDENTS])[0]
            reports.append(
                IncidentReport(
                    id=demo_id("field-report", station.pk),
                    category=category,
                    severity=DEFAULT_SEVERITY[category],
                    phase=phase,
                    occurred_at=at(time(rng.randint(9, 19), rng.randint(0, 59))),
                    description=account,
                    **review_state(rng.random() < 0.5, at(time(22, 0))),
                    **common,
                )
            )
    CheckIn.objects.bulk_create(checkins)
    TurnoutCount.objects.bulk_create(counts)
    ProtocolCopy.objects.bulk_create(copies)
    IncidentReport.objects.bulk_create(reports)


def review_state(verified: bool, moment) -> dict:
    return (
        {"status": ReportStatus.VERIFIED, "reviewed_at": moment}
        if verified
        else {"status": ReportStatus.SUBMITTED}
    )


def field_protocol(common, contest, truth, reviewer, photo, moment, rng) -> ProtocolCopy:
    cancelled = round(truth["registered"] * 0.05)
    numbers = {
        "registered": truth["registered"],
        "received": truth["issued"] + cancelled,
        "issued": truth["issued"],
        "cancelled": cancelled,
        "in_boxes": truth["in_boxes"],
        "invalid": truth["invalid"],
        "valid": sum(truth["votes"].values()),
        "votes": truth["votes"],
    }
    verified = rng.random() < 0.7
    return ProtocolCopy(
        id=demo_id("field-protocol", common["station"].pk),
        contest=contest,
        failures=protocol_failures(Protocol(**numbers)),
        width=900,
        height=1200,
        **photo,
        captured_at=moment,
        status=ReportStatus.VERIFIED if verified else ReportStatus.SUBMITTED,
        reviewed_by=reviewer if verified else None,
        reviewed_at=moment if verified else None,
        **common,
        **numbers,
    )
