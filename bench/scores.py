"""How long the integrity scores take for a national election: 10,000 stations, 1,000,000 reports.

    .venv/bin/python bench/scores.py [--database-url postgres://...] [--stations 10000]
                                     [--reports 1000000] [--runs 3] [--record]

Builds a throw-away database (a fresh SQLite file by default; with --database-url, a PostgreSQL
database that it creates next to the one the URL names, and drops at the end), fills it with a
deterministic election (about 300 districts, a random sample, check-ins at 8 stations in 10, and
reports in a realistic mix of categories, severities, review states, photos and times), then
times:

- the full recompute, `scores_recompute` (gather in SQL, compute, write): target at most 3 s;
- one district, `score_district` (gather its reports, score against the other districts of the
  last run): target at most 100 ms;
- beside them, one raw SQL GROUP BY over the same reports (station, category, count), the floor
  of any path that reads every report.

Each figure is the median of --runs runs after one warm-up; a profiled run then says where the
time of the full recompute goes. `--record` writes the figures into docs/benchmarks.md, replacing
only this benchmark's section (and in it only the database measured).
"""

import argparse
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS_MD = ROOT / "docs" / "benchmarks.md"
HEADING = "## Integrity scores (10,000 stations, 1,000,000 reports)"
FULL_TARGET, DISTRICT_TARGET = 3.0, 0.1
SEED = 2023
DISTRICTS = 300
REGIONS = 20
OBSERVED_SHARE = 0.8
SAMPLE_SHARE = 0.12
ORGANIZATIONS = 3
# Election day 19 March 2023, 08:00-22:00 in Almaty (UTC+6), as seconds since 1970.
DAY_START, DAY_SECONDS = 1679191200, 14 * 3600
DOC_INTRO = """# Benchmarks

Timings of the paths that must stay fast at national scale. Each benchmark is a standalone
script that builds its own throw-away database; run it from the repository root and add
`--record` to replace its section below with the new figures.
"""
VENDOR_NAMES = {"sqlite": "SQLite (WAL)", "postgresql": "PostgreSQL"}


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

    from reports.models import Organization
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
        "phase", "occurred_at", "description", "status", "question", "received_at", "updated_at", "version",
    ]  # fmt: skip
    photo_rows = []
    for start in range(0, count, 100_000):
        part = slice(start, min(start + 100_000, count))
        ids = [uuid_text(2, i, vendor) for i in range(part.start, part.stop)]
        times = timestamps(seconds[part], vendor)
        rows = [
            (report_id, by, org, election_id, at_station, categories[c], s, ph, t, "", st, "", t, t, 1)
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


def timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def median_seconds(function, runs: int) -> tuple[float, object]:
    timed(function)  # warm-up: the database's pages, numpy's first calls
    results = [timed(function) for _ in range(runs)]
    return statistics.median(seconds for seconds, _ in results), results[-1][1]


def group_by(election_id: int) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT station_id, category, count(*) FROM reports_incidentreport "
            "WHERE election_id = %s GROUP BY 1, 2",
            [election_id],
        )
        return len(cursor.fetchall())


def status_columns(election_id: int) -> int:
    """The reports query with the review status in place of the evidence level: what reading the
    reports costs without with_evidence()'s per-report subqueries."""
    from django.db import connection

    from reports.models import IncidentReport
    from reports.scores.gather import CATEGORY_CODE, Epoch

    queryset = (
        IncidentReport.objects.filter(election_id=election_id)
        .order_by()
        .annotate(category_code=CATEGORY_CODE, at=Epoch("occurred_at"))
        .values_list("station_id", "category_code", "severity", "at", "status")
    )
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return len(cursor.fetchall())


def review(election_id: int, count: int) -> None:
    """`count` submitted reports verified, as a busy half-hour of reviewing leaves them."""
    from reports.models import IncidentReport

    chosen = IncidentReport.objects.filter(election_id=election_id, status="submitted").order_by("pk")
    ids = list(chosen.values_list("pk", flat=True)[: count * 50 : 50])
    IncidentReport.objects.filter(pk__in=ids).update(status="verified")


def profile_full(election_id: int) -> dict[str, float]:
    """One full recompute cut into its steps, each timed on its own."""
    from reports.scores import gather as gathering
    from reports.scores import services
    from reports.scoring import ScoreParams, district_inputs, score_districts, station_indicators

    params, steps = ScoreParams.from_settings(), {}

    def step(name, function, *args):
        steps[name], result = timed(lambda: function(*args))
        return result

    columns = step(
        "reports query (evidence levels in SQL) into arrays", gathering.report_columns, election_id
    )
    indicators = step("station indicators (numpy)", station_indicators, columns, params)
    stations = step("stations and check-ins queries", gathering.station_inputs, election_id)
    inputs = step("district inputs", district_inputs, stations, indicators, params)
    seed = services.derived_seed(inputs, params)
    results = step(
        "score_districts (shrinkage, 2,000 draws a district)", score_districts, inputs, params, seed
    )
    gathered = gathering.Gathered(inputs=inputs, indicators=indicators)
    run = services.run_start(election_id, params, seed)
    step(
        "write (run, scores, history, changed indicators)",
        services.run_publish,
        run,
        gathered,
        results,
        params,
        seed,
    )
    return steps


def run(stations: int, reports: int, runs: int) -> dict:
    from django.db import connection

    from reports.models import DistrictScore
    from reports.scores.gather import report_columns
    from reports.scores.services import score_district, scores_recompute
    from stations.models import District

    seconds, election = timed(lambda: fill(stations, reports))
    print(f"{'fill the database':<46} {seconds:8.2f} s")
    recompute = lambda: scores_recompute(election_id=election.pk)  # noqa: E731
    figures = {"vendor": connection.vendor}
    figures["first"], _ = timed(recompute)
    print(f"{'first recompute (every indicator written)':<46} {figures['first']:8.3f} s")
    figures["full"], last = median_seconds(recompute, runs)
    scored = DistrictScore.objects.filter(election=election, run=last).count()
    print(f"{'full recompute, unchanged inputs':<46} {figures['full']:8.3f} s   ({scored} districts)")
    review(election.pk, 500)
    figures["reviewed"], _ = timed(recompute)
    print(f"{'full recompute after 500 verifications':<46} {figures['reviewed']:8.3f} s")
    district = District.objects.filter(election=election).order_by("number")[DISTRICTS // 2]
    one = lambda: score_district(election_id=election.pk, district_id=district.pk)  # noqa: E731
    figures["district"], _ = median_seconds(one, runs)
    print(f"{'one district (score_district)':<46} {figures['district'] * 1000:8.1f} ms")
    figures["district_gather"], columns = median_seconds(
        lambda: report_columns(election.pk, district_id=district.pk), runs
    )
    figures["district_reports"] = len(columns)
    gather_ms = figures["district_gather"] * 1000
    print(f"{'  of which its reports query':<46} {gather_ms:8.1f} ms   ({len(columns):,} reports)")
    figures["group_by"], groups = median_seconds(lambda: group_by(election.pk), runs)
    print(f"{'raw SQL GROUP BY station, category':<46} {figures['group_by']:8.3f} s   ({groups:,} groups)")
    figures["status_query"], _ = median_seconds(lambda: status_columns(election.pk), runs)
    print(f"{'reports query with status, not evidence':<46} {figures['status_query']:8.3f} s")
    figures["steps"] = profile_full(election.pk)
    for name, seconds in figures["steps"].items():
        print(f"  {name:<58} {seconds:7.3f} s")
    return figures


def machine(vendor: str) -> str:
    import django
    import numpy
    from django.db import connection

    if vendor == "sqlite":
        database = f"SQLite {sqlite3.sqlite_version}"
    else:
        database = f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}"
    return (
        f"{os.cpu_count()} CPUs, {platform.machine()}, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, {database}, Django {django.get_version()}, "
        f"numpy {numpy.__version__}"
    )


def verdict(seconds: float, target: float) -> str:
    return "met" if seconds <= target else "**missed**"


def vendor_block(figures: dict) -> str:
    full, district = verdict(figures["full"], FULL_TARGET), verdict(figures["district"], DISTRICT_TARGET)
    steps = "\n".join(f"| {name} | {seconds:.3f} |" for name, seconds in figures["steps"].items())
    query, status = next(iter(figures["steps"].values())), figures["status_query"]
    evidence = max(query - status, 0.0)
    return f"""### {VENDOR_NAMES[figures["vendor"]]}

| Path | Seconds | Target |
| --- | ---: | --- |
| Full recompute, the first (every station indicator written) | {figures["first"]:.3f} | |
| Full recompute, inputs unchanged (median) | {figures["full"]:.3f} | ≤ 3 s ({full}) |
| Full recompute after 500 verifications | {figures["reviewed"]:.3f} | |
| One district, `score_district` (median) | {figures["district"]:.3f} | ≤ 0.1 s ({district}) |
| of which its reports query ({figures["district_reports"]:,} reports) | {figures["district_gather"]:.3f} | |
| Raw SQL `GROUP BY station_id, category` over all reports | {figures["group_by"]:.3f} | |
| The reports query with the review status instead of the evidence level | {figures["status_query"]:.3f} | |

Where the time of one full recompute goes:

| Step | Seconds |
| --- | ---: |
{steps}

The evidence levels (`with_evidence()`: for each verified report an EXISTS on its photos and,
without one, a correlated count of corroborating reports) make {evidence:.1f} s of the reports
query's {query:.1f} s; the same query with the review status in their place takes {status:.1f} s.

Recorded {date.today():%Y-%m-%d} on {figures["machine"]}; load average {figures["load"]:.1f} during the run.
"""


def section(blocks: dict[str, str]) -> str:
    body = "\n".join(blocks[vendor] for vendor in VENDOR_NAMES if vendor in blocks)
    sample, observed = SAMPLE_SHARE * 100, OBSERVED_SHARE * 100
    return f"""{HEADING}

`bench/scores.py`: a deterministic election of 10,000 stations in {DISTRICTS} districts of uneven
size ({sample:.0f} % of stations in the random sample), check-ins at {observed:.0f} % of them, and
1,000,000 reports (categories weighted towards procedural ones, one severity in twenty changed by
a reviewer, 35 % submitted, 40 % verified, 10 % rejected, 15 % questioned, 30 % with a photo,
times over election day, some stations drawing several times the median's reports). Medians of
3 runs after a warm-up. The full recompute is `scores_recompute`: one query for the reports with
their evidence levels worked out in SQL, into numpy arrays; the station indicators and district
inputs; empirical-Bayes shrinkage and 2,000 Monte Carlo draws per district; then the run, the
current scores, their history and the station indicators that changed, written in one
transaction. One district is `score_district`: its reports gathered the same way, scored with
the other districts' inputs as the last run stored them (shrinkage pools all districts, so
`score_districts` draws for all {DISTRICTS}: about 0.25-0.4 s of its time whatever the district).

Targets: full recompute at most 3 s, one district at most 100 ms (DESIGN.md, "Performance
budget"). Reading a million rows into Python at all costs about the "status instead of evidence"
row below on this machine; the rest of the reports query is the evidence levels.

{body}"""


def existing_blocks() -> dict[str, str]:
    """The measured databases already recorded in this benchmark's section."""
    content = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else ""
    start = content.find(HEADING + "\n")
    if start == -1:
        return {}
    end = content.find("\n## ", start + len(HEADING))
    text = content[start : end if end != -1 else len(content)]
    blocks = {}
    for vendor, name in VENDOR_NAMES.items():
        begin = text.find(f"### {name}\n")
        if begin != -1:
            finish = text.find("\n### ", begin + 1)
            blocks[vendor] = text[begin : finish + 1 if finish != -1 else len(text)].rstrip("\n") + "\n"
    return blocks


def record(figures: dict) -> None:
    """Replace this benchmark's section (only the measured database's part); leave the rest."""
    blocks = existing_blocks()
    blocks[figures["vendor"]] = vendor_block(figures)
    text = section(blocks)
    content = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else DOC_INTRO
    start = content.find(HEADING + "\n")
    if start == -1:
        content = content.rstrip("\n") + "\n\n" + text
    else:
        end = content.find("\n## ", start + len(HEADING))
        content = content[:start] + text + (content[end:] if end != -1 else "")
    BENCHMARKS_MD.write_text(content)


def postgres_database(server_url: str, name: str, *, create: bool) -> str:
    """Create (or drop) a throw-away database next to the one `server_url` names; return its URL."""
    import psycopg

    parts = urlsplit(server_url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            admin.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL URL whose server gets a throw-away database")
    parser.add_argument("--stations", type=int, default=10_000, help="how many stations (default 10000)")
    parser.add_argument("--reports", type=int, default=1_000_000, help="how many reports (default 1000000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per figure (default 3)")
    parser.add_argument("--record", action="store_true", help="write the figures into docs/benchmarks.md")
    args = parser.parse_args()
    if args.stations < DISTRICTS:
        parser.error(f"--stations must be at least {DISTRICTS}, one per district")
    if args.record and (args.stations, args.reports) != (10_000, 1_000_000):
        parser.error("--record is for the full size only (10,000 stations, 1,000,000 reports)")
    with tempfile.TemporaryDirectory(prefix="baqylau-bench-") as directory:
        if args.database_url:
            name = f"baqylau_bench_{os.getpid()}"
            url = postgres_database(args.database_url, name, create=True)
        else:
            url = f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        try:
            setup_django(url)
            from django.db import connections

            print(f"Integrity scores, {args.stations:,} stations, {args.reports:,} reports")
            figures = run(args.stations, args.reports, args.runs)
            figures["machine"] = machine(figures["vendor"])
            figures["load"] = os.getloadavg()[0]
            print(figures["machine"])
            connections.close_all()
        finally:
            if args.database_url:
                postgres_database(args.database_url, name, create=False)
    if args.record:
        record(figures)
        print(f"Recorded in {BENCHMARKS_MD.relative_to(ROOT)}.")
    for label, seconds, target in (
        ("full recompute", figures["full"], FULL_TARGET),
        ("one district", figures["district"], DISTRICT_TARGET),
    ):
        if seconds > target:
            print(f"The {label} took longer than its {target:g} s target.")


if __name__ == "__main__":
    main()
