"""The election that bench/scores.py (and bench/partner_api.py) measures, built in a throw-away
database: about 300 districts of uneven size, a random sample, check-ins at 8 stations in 10, and
reports in a realistic mix of categories, severities, review states, photos and times.
Deterministic: the same arguments build the same election on every machine."""

import os
import sys
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
SEED = 2023
DISTRICTS = 300
REGIONS = 20
OBSERVED_SHARE = 0.8
SAMPLE_SHARE = 0.12
ORGANIZATIONS = 3
# Election day 19 March 2023, 08:00-22:00 in Almaty (UTC+6), as seconds since 1970.
DAY_START, DAY_SECONDS = 1679191200, 14 * 3600


def setup_django(database_url: str) -> None:
    # The database must be chosen before settings are read; a benchmark never uses the real one.
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-key")
    os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def build_election(stations: int):
    """The election, its regions and districts, `stations` stations (some in the sample), observers."""
    import numpy as np
    from django.contrib.auth import get_user_model

    from people.models import Organization
    from stations.models import District, Election, PollingStation, Region

    rng = np.random.default_rng(SEED)
    election = Election.objects.create(slug="bench-2023", name="Benchmark election", date=date(2023, 3, 19))
    regions = Region.objects.bulk_create(
        Region(election=election, name=f"Region {r + 1:02d}") for r in range(REGIONS)
    )
    districts = District.objects.bulk_create(
        District(election=election, number=d + 1, name=f"District {d + 1}", region=regions[d % REGIONS])
        for d in range(DISTRICTS)
    )
    # Districts of uneven size, as in life: from a dozen stations to a hundred and more.
    sizes = rng.gamma(3.0, 1.0, DISTRICTS)
    district_of = np.sort(rng.choice(DISTRICTS, size=stations, p=sizes / sizes.sum()))
    district_of[:DISTRICTS] = np.arange(DISTRICTS)  # none empty
    in_sample = rng.random(stations) < SAMPLE_SHARE
    PollingStation.objects.bulk_create(
        (
            PollingStation(
                election=election,
                number=f"{d + 1:03d}-{n + 1:05d}",
                region=districts[d].region,
                district=districts[d],
                registered_voters=int(rng.integers(200, 3000)),
                in_sample=bool(sample),
            )
            for n, (d, sample) in enumerate(zip(district_of.tolist(), in_sample.tolist(), strict=True))
        ),
        batch_size=2000,
    )
    organizations = Organization.objects.bulk_create(
        Organization(name=f"Watch {o + 1}", slug=f"watch-{o + 1}") for o in range(ORGANIZATIONS)
    )
    users = get_user_model().objects.bulk_create(
        (get_user_model()(username=f"observer{u:05d}", password="!") for u in range(2 * stations)),
        batch_size=2000,
    )
    return election, [o.pk for o in organizations], [u.pk for u in users]


def fill(stations: int, reports: int):
    """The election and its observations; returns the election."""
    import numpy as np
    from django.db import connection, transaction

    from reports.taxonomy import DEFAULT_SEVERITY, Category
    from stations.models import PollingStation

    election, organizations, users = build_election(stations)
    station_ids = np.array(
        PollingStation.objects.filter(election=election).order_by("pk").values_list("pk", flat=True)
    )
    rng = np.random.default_rng(SEED + 1)
    observed = rng.random(len(station_ids)) < OBSERVED_SHARE
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -1000000")  # up to 1 GB of pages while filling
    with transaction.atomic(), connection.cursor() as cursor:
        insert_checkins(cursor, election.pk, station_ids, observed, organizations, users)
        categories = list(Category.values)
        insert_reports(
            cursor,
            election.pk,
            station_ids,
            observed,
            organizations,
            users,
            categories,
            [int(DEFAULT_SEVERITY[c]) for c in categories],
            reports,
            rng,
        )
    with connection.cursor() as cursor:
        # Fresh statistics (and on PostgreSQL a visibility map), as autovacuum or SQLite's
        # PRAGMA optimize would keep them in a database that has been running for a while.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return election


def uuid_text(prefix: int, index: int, vendor: str) -> str:
    value = f"{prefix:08x}0000400080000000{index:08x}"
    return (
        value
        if vendor == "sqlite"
        else f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    )


def timestamps(seconds, vendor: str) -> list[str]:
    import numpy as np

    text = np.datetime_as_string(np.asarray(seconds, dtype="datetime64[s]"), unit="s")
    return [t.replace("T", " ") + ("" if vendor == "sqlite" else "+00") for t in text.tolist()]


def write_rows(cursor, table: str, columns: list[str], rows: list[tuple]) -> None:
    """Bulk insert: executemany on SQLite, COPY on PostgreSQL."""
    if cursor.db.vendor == "sqlite":
        marks = ", ".join("?" for _ in columns)
        cursor.db.connection.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
        return
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def insert_checkins(cursor, election_id, station_ids, observed, organizations, users) -> None:
    """Arrival, opening and counting at every observed station, by its first observer."""
    vendor = cursor.db.vendor
    rows = []
    for index in (observed.nonzero()[0]).tolist():
        for k, (kind, offset) in enumerate((("arrival", -1800), ("opening", 0), ("counting", 13 * 3600))):
            at = timestamps([DAY_START + offset], vendor)[0]
            rows.append(
                (
                    uuid_text(1, index * 3 + k, vendor),
                    users[2 * index],
                    organizations[index % len(organizations)],
                    election_id,
                    int(station_ids[index]),
                    kind,
                    at,
                    k == 1,
                    "",
                    at,
                )
            )
    columns = ["id", "observer_id", "organization_id", "election_id", "station_id", "kind", "at"]
    write_rows(cursor, "reports_checkin", [*columns, "all_clear", "note", "received_at"], rows)


def insert_reports(
    cursor, election_id, station_ids, observed, organizations, users, categories, severities, count, rng
) -> None:
    """`count` reports: most at observed stations, more at troubled ones, in a day's rhythm."""
    import numpy as np

    vendor = cursor.db.vendor
    # Some stations draw several times the median's reports; one in twenty comes from an
    # unobserved station (observers pass by, or report from a distance).
    weight = rng.lognormal(0.0, 0.75, len(station_ids)) * np.where(observed, 1.0, 0.25)
    station = rng.choice(len(station_ids), size=count, p=weight / weight.sum())
    category = rng.choice(len(categories), size=count, p=category_weights(len(categories)))
    severity = np.array(severities)[category]
    # Reviewers move one report in twenty to another severity.
    changed = rng.random(count) < 0.05
    severity[changed] = rng.choice([1, 3, 5], size=int(changed.sum()))
    status = rng.choice(
        ["submitted", "verified", "rejected", "needs_info"], size=count, p=[0.35, 0.4, 0.1, 0.15]
    )
    # In the order they arrive: by time.
    seconds = DAY_START + np.sort(rng.integers(0, DAY_SECONDS, count))
    phase = np.where(
        seconds < DAY_START + 3600, "opening", np.where(seconds < DAY_START + 12 * 3600, "voting", "counting")
    )
    observer = np.array(users)[2 * station + rng.integers(0, 2, count)]
    organization = np.array(organizations)[station % len(organizations)]
    photo = rng.random(count) < 0.3
    columns = [
        "id", "observer_id", "organization_id", "election_id", "station_id", "category", "severity",
        "phase", "occurred_at", "description", "public_description", "status", "question", "received_at",
        "updated_at", "version",
    ]  # fmt: skip
    photo_rows = []
    for start in range(0, count, 100_000):
        part = slice(start, min(start + 100_000, count))
        ids = [uuid_text(2, i, vendor) for i in range(part.start, part.stop)]
        times = timestamps(seconds[part], vendor)
        rows = [
            (report_id, by, org, election_id, at_station, categories[c], s, ph, t, "", "", st, "", t, t, 1)
            for report_id, by, org, at_station, c, s, ph, t, st in zip(
                ids,
                observer[part].tolist(),
                organization[part].tolist(),
                station_ids[station[part]].tolist(),
                category[part].tolist(),
                severity[part].tolist(),
                phase[part].tolist(),
                times,
                status[part].tolist(),
                strict=True,
            )
        ]
        write_rows(cursor, "reports_incidentreport", columns, rows)
        photo_rows.extend(
            (
                uuid_text(3, start + k, vendor),
                rows[k][0],
                "p.jpg",
                "t.jpg",
                1500,
                2000,
                1,
                f"{start + k:064x}",
                rows[k][8],
            )
            for k in np.flatnonzero(photo[part]).tolist()
        )
    photo_columns = ["id", "report_id", "image", "thumbnail", "width", "height", "size_bytes", "sha256"]
    write_rows(cursor, "reports_reportphoto", [*photo_columns, "received_at"], photo_rows)


def category_weights(count: int):
    """Procedural and minor incidents are common, result-changing ones rarer."""
    import numpy as np

    weights = np.ones(count)
    weights[:6] = 0.6  # the S5 categories come first in the taxonomy
    weights[-3:] = 3.0  # campaigning, procedural, other
    return weights / weights.sum()


def postgres_database(server_url: str, name: str, *, create: bool) -> str:
    """Create (or drop) a throw-away database next to the one `server_url` names; return its URL."""
    import psycopg

    parts = urlsplit(server_url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            admin.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))
