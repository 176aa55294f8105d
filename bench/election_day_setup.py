"""What bench/election_day.py needs before the polls close: the kept national election (built once,
as bench/coordinator_pages.py keeps it), a throw-away copy of it for each run, and in that copy the
party-list contest with the commission's results, the observers of the sampled stations with their
tokens, the coordinators with their authenticator apps, the partners with their keys, and the
protocol photo a phone sends.
"""

import io
import random
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
KEPT_DATABASE = "baqylau_bench_coordinator_pages"  # bench/coordinator_pages.py --reuse keeps it
FULL_SIZE = (10_000, 1_000_000)
PASSWORD = "benchmark-only-password"
CONTEST = "party_list"
PARTIES = ["amanat", "auyl", "respublica", "aq-jol", "ndp"]
PHOTO_SIZE = (2560, 1920)
TEMPLATE_WAIT_SECONDS = 600


def kept_name(stations: int, reports: int) -> str:
    """The kept election of this size: coordinator_pages' at full size, one of its own otherwise."""
    return (
        KEPT_DATABASE
        if (stations, reports) == FULL_SIZE
        else f"baqylau_bench_election_day_{stations}_{reports}"
    )


def server_url(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def admin_connection(url: str):
    import psycopg

    return psycopg.connect(server_url(url, "postgres"), autocommit=True)


def database_exists(url: str, name: str) -> bool:
    with admin_connection(url) as admin:
        return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def ensure_kept(url: str, stations: int, reports: int) -> str:
    """The kept election's database, built (in a process of its own, by coordinator_pages' code:
    the election of bench/scores.py with its scores computed) when it does not exist yet."""
    name = kept_name(stations, reports)
    if not database_exists(url, name):
        print(f"building {name}: {stations:,} stations, {reports:,} reports (once; it is kept)")
        command = [sys.executable, __file__, server_url(url, name), str(stations), str(reports)]
        subprocess.run(command, check=True, cwd=ROOT)
    return name


def build_kept(url: str, stations: int, reports: int) -> None:
    """Run as a script: create the database of `url` and fill it as coordinator_pages does."""
    from coordinator_pages import build_or_reuse
    from scores_data import postgres_database, setup_django

    name = urlsplit(url).path.lstrip("/")
    try:
        postgres_database(url, name, create=True)
        setup_django(url)
        build_or_reuse(stations, reports, reuse=False)
        from django.db import connections

        connections.close_all()
    except BaseException:
        postgres_database(url, name, create=False)  # never keep a half-built election
        raise


def copy_database(url: str, template: str, name: str) -> str:
    """A throw-away copy of the kept election; waits while another program still reads the template
    (PostgreSQL copies a template only while nobody is connected to it)."""
    import psycopg

    deadline = time.monotonic() + TEMPLATE_WAIT_SECONDS
    with admin_connection(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        while True:
            try:
                admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
                return server_url(url, name)
            except psycopg.errors.ObjectInUse:
                if time.monotonic() > deadline:
                    raise SystemExit(f"{template} stayed in use for {TEMPLATE_WAIT_SECONDS} s") from None
                print(f"{template} is in use by another program; waiting to copy it")
                time.sleep(10)


def drop_database(url: str, name: str) -> None:
    with admin_connection(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass(frozen=True)
class Observer:
    key: str
    station: int
    registered: int
    district: int


@dataclass
class Cast:
    election_id: int
    election_slug: str
    observers: list[Observer]
    coordinators: list[str]  # usernames; password PASSWORD, one authenticator app each
    partner_keys: list[str]
    districts: list[int]


def prepare(sampled: int, coordinators: int, partners: int, seed: int) -> Cast:
    """Everything the close needs in the copy, made before the load starts."""
    from stations.models import Election

    election = Election.objects.get(slug="bench-2023")
    add_results(election)
    observers = add_observers(election, sampled, seed)
    districts = sorted({o.district for o in observers})
    return Cast(
        election_id=election.pk,
        election_slug=election.slug,
        observers=observers,
        coordinators=add_coordinators(coordinators),
        partner_keys=add_partners(partners),
        districts=districts,
    )


def add_results(election) -> None:
    """The party-list contest and the commission's results of every station, so that the observers'
    copies and counts have something to be compared with and the count estimates are computed."""
    from counts.models import Choice, Contest, ContestKind, OfficialResult, ResultBatch
    from stations.models import PollingStation

    contest, created = Contest.objects.get_or_create(
        election=election, code=CONTEST, defaults={"name": "Party list", "kind": ContestKind.PARTY_LIST}
    )
    if not created:
        return
    Choice.objects.bulk_create(
        Choice(contest=contest, code=code, name=code.title(), position=n) for n, code in enumerate(PARTIES)
    )
    stations = list(PollingStation.objects.filter(election=election).values_list("pk", "registered_voters"))
    batch = ResultBatch.objects.create(
        contest=contest, filename="results.csv", sha256="0" * 64, rows=len(stations)
    )
    rng = random.Random(2023)
    rows = []
    for station, registered in stations:
        in_boxes = int(registered * rng.uniform(0.45, 0.75))
        invalid = in_boxes // 50
        votes = split(in_boxes - invalid, rng)
        rows.append(
            OfficialResult(
                batch=batch, contest=contest, station_id=station, registered=registered,
                ballots_issued=in_boxes, ballots_in_boxes=in_boxes, invalid=invalid,
                valid=in_boxes - invalid, votes=votes,
            )
        )  # fmt: skip
    OfficialResult.objects.bulk_create(rows, batch_size=2000)


def split(valid: int, rng: random.Random) -> dict[str, int]:
    """`valid` votes over the parties, the first far ahead, as in 2023."""
    shares = [0.55, 0.12, 0.1, 0.09, 0.14]
    votes = {
        code: int(valid * share * rng.uniform(0.9, 1.1)) for code, share in zip(PARTIES, shares, strict=True)
    }
    votes[PARTIES[0]] += valid - sum(votes.values())
    if votes[PARTIES[0]] < 0:
        votes = dict.fromkeys(PARTIES, 0) | {PARTIES[0]: valid}
    return votes


def add_observers(election, sampled: int, seed: int) -> list[Observer]:
    """An observer with a token at each of `sampled` random stations, from the random sample first
    (as a parallel vote tabulation sends them), then from the others."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from people.models import Assignment, Membership, ObserverToken, Organization, Role
    from stations.models import PollingStation

    stations = list(
        PollingStation.objects.filter(election=election)
        .order_by("pk")
        .values_list("pk", "in_sample", "registered_voters", "district_id")
    )
    rng = random.Random(seed)
    in_sample = [s for s in stations if s[1]]
    others = [s for s in stations if not s[1]]
    if sampled > len(stations):
        raise SystemExit(f"--stations-sampled {sampled} is more than the election's {len(stations)} stations")
    chosen = rng.sample(in_sample, min(sampled, len(in_sample)))
    chosen += rng.sample(others, sampled - len(chosen))
    organizations = list(Organization.objects.order_by("pk").values_list("pk", flat=True))
    users = get_user_model().objects.bulk_create(
        (get_user_model()(username=f"closing{n:05d}", password="!") for n in range(sampled)), batch_size=2000
    )
    memberships = Membership.objects.bulk_create(
        (
            Membership(user=u, organization_id=organizations[n % len(organizations)], role=Role.OBSERVER)
            for n, u in enumerate(users)
        ),
        batch_size=2000,
    )
    Assignment.objects.bulk_create(
        (Assignment(membership=m, station_id=s[0]) for m, s in zip(memberships, chosen, strict=True)),
        batch_size=2000,
    )
    keys = [f"close{n:05d}-{uuid.uuid4().hex}" for n in range(sampled)]
    expires = timezone.now() + timedelta(days=1)
    ObserverToken.objects.bulk_create(
        (
            ObserverToken(user=u, key_hash=ObserverToken.hash_key(k), prefix=k[:8], expires_at=expires)
            for u, k in zip(users, keys, strict=True)
        ),
        batch_size=2000,
    )
    return [
        Observer(key=k, station=s[0], registered=s[2], district=s[3])
        for k, s in zip(keys, chosen, strict=True)
    ]


def add_coordinators(count: int) -> list[str]:
    """Coordinators of every organization (so that every report is in their scope), staff in the
    Coordinator group, each with a confirmed authenticator app."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from people.models import Membership, Organization, Role
    from people.roles import ensure_groups

    ensure_groups()
    group = Group.objects.get(name="Coordinator")
    password = make_password(PASSWORD)
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"close-coordinator{n:02d}", password=password, is_staff=True)
        for n in range(count)
    )
    for user in users:
        user.groups.add(group)
        TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    Membership.objects.bulk_create(
        Membership(user=u, organization=o, role=Role.COORDINATOR)
        for u in users
        for o in Organization.objects.all()
    )
    return [u.username for u in users]


def totp_code(username: str) -> str:
    """The code the coordinator's authenticator app shows now."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def add_partners(count: int) -> list[str]:
    from partners.keys import key_create
    from partners.models import Partner, Scope
    from people.models import Organization

    organization = Organization.objects.order_by("pk").values_list("pk", flat=True).first()
    keys = []
    for n in range(count):
        partner = Partner.objects.create(name=f"Closing partner {n + 1}", organization_id=organization)
        keys.append(key_create(partner=partner, scopes=Scope.values, days=1)[1])
    return keys


def phone_photo() -> bytes:
    """A 2,560-pixel JPEG as a phone sends it: light, texture and grain that compress like a photo
    (about 1.5 MB), with the camera's EXIF, capture time and GPS position for stripping to remove."""
    from PIL import ExifTags, Image

    rng = random.Random(2026)
    light = Image.merge(
        "RGB",
        [
            Image.linear_gradient("L").resize(PHOTO_SIZE),
            Image.radial_gradient("L").resize(PHOTO_SIZE),
            Image.linear_gradient("L").rotate(90).resize(PHOTO_SIZE),
        ],
    )
    texture = Image.frombytes("RGB", (320, 240), rng.randbytes(320 * 240 * 3)).resize(
        PHOTO_SIZE, Image.BICUBIC
    )
    grain = Image.frombytes("RGB", PHOTO_SIZE, rng.randbytes(PHOTO_SIZE[0] * PHOTO_SIZE[1] * 3))
    picture = Image.blend(Image.blend(light, texture, 0.45), grain, 0.05)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "samsung"
    exif[ExifTags.Base.Model] = "SM-A525F"
    exif[ExifTags.Base.Orientation] = 1
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.OffsetTimeOriginal] = "+06:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = "N", (43.0, 14.0, 19.5)
    gps[ExifTags.GPS.GPSLongitudeRef], gps[ExifTags.GPS.GPSLongitude] = "E", (76.0, 53.0, 42.0)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()


def unique_photo(photo: bytes, label: str) -> bytes:
    """The same picture with a JPEG comment after the start marker: every upload has its own
    SHA-256, as every real photo does, while decoding and stripping cost the same."""
    comment = label.encode()
    return photo[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + photo[2:]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "bench"))
    build_kept(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
