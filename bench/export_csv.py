"""How long the report CSV export takes for 200,000 reports, and how much memory it holds.

    .venv/bin/python bench/export_csv.py [--reports 200000] [--postgres postgres://...] [--record]

Fills a throw-away database (a fresh SQLite file; with --postgres also a PostgreSQL database
that it creates on that server and drops) with reports spread over 10,000 stations, then
streams the CSV through the admin view with Django's test client, as a coordinator would, and
reads it chunk by chunk. It reports the time to the first rows, the total wall and CPU time,
rows per second, and the peak of Python memory (tracemalloc, in a second run so that tracing
does not slow the timed one). `--record` writes the figures into docs/benchmarks.md, replacing
only this benchmark's section.
"""

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from _record import BENCHMARKS_MD, record_section

ROOT = Path(__file__).resolve().parent.parent
HEADING = "## Report CSV export (200,000 reports)"
STATIONS = 10_000
MORNING = datetime(2023, 3, 19, 3, 0, tzinfo=UTC)
REPORT_COLUMNS = [
    "id",
    "observer_id",
    "organization_id",
    "election_id",
    "station_id",
    "category",
    "severity",
    "phase",
    "occurred_at",
    "description",
    "public_description",
    "status",
    "question",
    "received_at",
    "updated_at",
    "version",
]


def setup_django(database_url: str) -> None:
    # The database must be chosen before settings are read; a benchmark never uses the real one.
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-key")
    os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SSL_REDIRECT"] = "false"  # the test client speaks plain HTTP
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def fill(count: int):
    """`count` reports over the stations by one observer; returns a coordinator who may export."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from people.models import Membership, Organization, Role
    from people.roles import ensure_groups
    from reports.taxonomy import DEFAULT_SEVERITY, Category
    from stations.models import District, Election, PollingStation, Region

    users = get_user_model().objects
    election = Election.objects.create(slug="bench-2023", name="Benchmark election", date=date(2023, 3, 19))
    region = Region.objects.create(election=election, name="Region 01")
    district = District.objects.create(election=election, number=1, name="District 1", region=region)
    stations = PollingStation.objects.bulk_create(
        PollingStation(
            election=election, number=f"{n:05d}", region=region, district=district, registered_voters=1000
        )
        for n in range(STATIONS)
    )
    organization = Organization.objects.create(name="Benchmark watch", slug="bench")
    observer = users.create_user("observer")
    Membership.objects.create(user=observer, organization=organization)
    coordinator = users.create_user("coordinator", is_staff=True)
    Membership.objects.create(user=coordinator, organization=organization, role=Role.COORDINATOR)
    coordinator.groups.add(ensure_groups()["Coordinator"])
    categories = list(Category)
    now = datetime.now(UTC)
    rows = (
        (
            uuid.uuid4(),
            observer.pk,
            organization.pk,
            election.pk,
            stations[n % STATIONS].pk,
            categories[n % len(categories)].value,
            int(DEFAULT_SEVERITY[categories[n % len(categories)]]),
            "voting",
            MORNING + timedelta(seconds=n // 5),
            f"Report number {n}, written for the benchmark",
            "",
            "submitted",
            "",
            now,
            now,
            1,
        )
        for n in range(count)
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: row-by-row INSERTs would make filling slower than the export being timed.
            with cursor.cursor.copy(
                f"COPY reports_incidentreport ({', '.join(REPORT_COLUMNS)}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(REPORT_COLUMNS))
            sql = f"INSERT INTO reports_incidentreport ({', '.join(REPORT_COLUMNS)}) VALUES ({placeholders})"
            # SQLite keeps a UUID as its 32 hex digits.
            cursor.executemany(sql, ((row[0].hex, *row[1:]) for row in rows))
    return coordinator


def stream(client, *, traced: bool) -> dict[str, float]:
    from django.urls import reverse

    if traced:
        tracemalloc.start()
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(reverse("reports_export_csv"))
    first = None
    lines = size = 0
    for chunk in response.streaming_content:
        lines += chunk.count(b"\n")
        size += len(chunk)
        if first is None and lines:
            first = time.perf_counter() - started
    figures = {
        "first": first,
        "total": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
        "lines": lines,
        "bytes": size,
    }
    if traced:
        figures["peak"] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return figures


def machine(vendor: str) -> str:
    import django
    from django.db import connection

    if vendor == "sqlite":
        database = f"SQLite {sqlite3.sqlite_version}"
    else:
        database = f"PostgreSQL {connection.pg_version // 10000}.{connection.pg_version % 10000}"
    # Other work on the machine slows every figure; the load average tells the reader how much.
    return (
        f"{os.cpu_count()} CPUs, {platform.machine()}, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, {database}, Django {django.get_version()}; "
        f"load average {os.getloadavg()[0]:.1f} at the end"
    )


def run(count: int) -> dict[str, float]:
    from django.db import connection
    from django.test import Client

    print(f"Report CSV export, {count:,} reports, {connection.vendor}")
    started = time.perf_counter()
    coordinator = fill(count)
    print(f"{'fill the database':<28} {time.perf_counter() - started:7.2f} s")
    client = Client()
    client.force_login(coordinator)
    figures = stream(client, traced=False)
    if figures["lines"] != count + 1:
        sys.exit(f"expected {count + 1} lines, got {figures['lines']}")
    figures["peak"] = stream(client, traced=True)["peak"]
    figures["vendor"] = connection.vendor
    print(f"{'first rows':<28} {figures['first']:7.2f} s")
    print(f"{'whole file':<28} {figures['total']:7.2f} s   ({figures['bytes'] / 2**20:.1f} MB)")
    print(f"{'CPU, this process':<28} {figures['cpu']:7.2f} s")
    print(f"{'rows per second':<28} {count / figures['total']:9,.0f}")
    print(f"{'peak Python memory':<28} {figures['peak'] / 2**20:7.1f} MB (traced run)")
    return figures


def section(count: int, results: dict[str, dict]) -> str:
    names = {"sqlite": "SQLite (WAL)", "postgresql": "PostgreSQL"}
    table = "\n".join(
        f"| {names[vendor]} | {f['first']:.2f} | {f['total']:.2f} | {f['cpu']:.2f} "
        f"| {count / f['total']:,.0f} | {f['bytes'] / 2**20:.1f} | {f['peak'] / 2**20:.1f} |"
        for vendor, f in results.items()
    )
    recorded = "\n".join(f"Recorded {date.today():%Y-%m-%d} on {f['machine']}." for f in results.values())
    return f"""{HEADING}

`bench/export_csv.py`: {count:,} reports over {STATIONS:,} stations, streamed as CSV through the
admin export view (`/admin/reports/exports/reports.csv`) by a coordinator (identity and position
columns included) and read chunk by chunk with Django's test client. The rows come from the
database 2,000 at a time (`QuerySet.iterator`; a server-side cursor on PostgreSQL), so memory
stays flat whatever the number of reports. "First rows" is when the first rows arrived (the
response starts at once with its headers); peak memory is the peak of Python allocations
(tracemalloc) during a second, traced run.

| Database | First rows (s) | Whole file (s) | Web process CPU (s) | Rows/s | File (MB) | Peak memory (MB) |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
{table}

A sync gunicorn worker is killed after `--timeout` seconds (60 in the README) whatever it is
doing, streaming included: keep the timeout above the whole-file time of the largest export, or
run gthread workers.

{recorded}
"""


def postgres_database(server_url: str, name: str, *, create: bool) -> str:
    """Create (or drop) a throw-away database next to the one `server_url` names; return its URL."""
    import psycopg

    parts = urlsplit(server_url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            admin.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def measure(database: str | None, count: int) -> dict:
    """One run on a fresh database, in this process: SQLite in a temporary folder, or a throw-away
    database on the PostgreSQL server that `database` names."""
    with tempfile.TemporaryDirectory(prefix="baqylau-bench-") as directory:
        if database:
            name = f"baqylau_bench_{os.getpid()}"
            url = postgres_database(database, name, create=True)
        else:
            url = f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        try:
            setup_django(url)
            from django.db import connections

            figures = run(count)
            figures["machine"] = machine(figures["vendor"])
            connections.close_all()
        finally:
            if database:
                postgres_database(database, name, create=False)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=200_000, help="how many reports (default 200000)")
    parser.add_argument(
        "--postgres", help="also run on PostgreSQL: a server URL, e.g. postgres://postgres@127.0.0.1/postgres"
    )
    parser.add_argument("--record", action="store_true", help="write the figures into docs/benchmarks.md")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.record and args.reports != 200_000:
        parser.error("--record writes the 200,000-report section; run it with the default --reports")
    if args.child is not None:
        print("FIGURES " + json.dumps(measure(args.child or None, args.reports)))
        return
    # Django is set up once per process, so each database gets its own.
    results = {}
    for database in ["", *([args.postgres] if args.postgres else [])]:
        command = [sys.executable, __file__, "--reports", str(args.reports), "--child", database]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        print(output.rsplit("FIGURES ", 1)[0], end="")
        figures = json.loads(output.rsplit("FIGURES ", 1)[1])
        results[figures["vendor"]] = figures
    text = section(args.reports, results)
    if args.record:
        record_section(HEADING, text)
        print(f"Recorded in {BENCHMARKS_MD.relative_to(ROOT)}.")


if __name__ == "__main__":
    main()
