"""Observer ingest at the floor: what one JSON write costs in process, and how many a second the
production server takes, beside a bare Django view that does one INSERT on the same machine.

    .venv/bin/python bench/ingest.py [--database-url postgres://postgres@127.0.0.1:5432/postgres]
                                     [--seconds 20] [--connections 16] [--requests 1000]
                                     [--workers N] [--threads N] [--observers 3100] [--record]

On PostgreSQL, the production database: the database baqylau_bench_ingest is created on the server
of --database-url (migrated, then filled with one election, --observers observers, each with a
token on their phone and a station of their own) and dropped at the end. A Redis of the run's own
on a free loopback port is the cache the tokens' request budgets are counted in, as in production.

The three writes a phone sends as JSON with its bearer token: an incident report without photos,
a check-in and a turnout count, each with a new id.

1. In process: straight to the production WSGI application (config.wsgi: all the middleware, the
   token, the request budgets, the service and its SQL, the answer; no network), --requests times
   after 200 warm-ups, from 100 observers whose tokens were used within the minute (a phone's
   first request in a minute also writes its token's last use: one UPDATE more). Median and 95th
   percentile of the wall time, and the SQL statements of one request.
2. Through README's production server: gunicorn (config.wsgi, gthread workers) on a free loopback
   port, loaded by wrk (Debian's package) with --connections connections for --seconds seconds
   per write, after a 3 s warm-up of every write; each write from its own third of the observers,
   every request a new id from the next of them. The floor runs in the same way and the same run:
   the same gunicorn serving bench/ingest_floor.py, a bare Django view that parses the same JSON
   and inserts the report in one INSERT. For each: requests a second, its share of the floor,
   p50/p95/p99 latency, errors (non-2xx answers, socket errors, timeouts), the rows stored against
   the 2xx answers (a request still in flight when wrk stops may be stored without its answer
   counted: at most one per connection), and the CPU time per request of gunicorn's workers and of
   the PostgreSQL processes serving them, read from /proc (the server is local), which unlike the
   rates holds when other work shares the machine.

--record writes the figures into docs/benchmarks.md, replacing only this benchmark's section.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from wsgiref.util import setup_testing_defaults

import ingest_load as load
from _record import BENCHMARKS_MD, record_section
from ingest_doc import HEADING, WARM_UPS, section, verdicts
from scores_data import ROOT, postgres_database
from scores_doc import machine

DATABASE = "baqylau_bench_ingest"
IN_PROCESS_OBSERVERS = 100
SETTLE_SECONDS = 2
FLOOR = "Floor: bare view, one INSERT"
# (label, path, JSON with %s for the id and %d for the station, table written)
WRITES = [
    (
        "Incident report, no photo",
        "/api/v1/reports/",
        '{"id": "%s", "station": %d, "category": "ballot_stuffing", "phase": "voting", '
        '"occurred_at": "AT", "description": "Two bundles of ballots went into box 2."}',
        "reports_incidentreport",
    ),
    (
        "Check-in",
        "/api/v1/checkins/",
        '{"id": "%s", "station": %d, "kind": "arrival", "at": "AT", "all_clear": true}',
        "reports_checkin",
    ),
    (
        "Turnout count",
        "/api/v1/turnout-counts/",
        '{"id": "%s", "station": %d, "counted_at": "AT", "voters": 412, "method": "tally"}',
        "counts_turnoutcount",
    ),
]


def environment(database_url: str, redis_url: str) -> dict:
    """What the product reads at start, as an operator sets it (plain HTTP on loopback)."""
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_SECRET_KEY": "benchmark-only-secret-key",
        "DJANGO_DEBUG": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SSL_REDIRECT": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
    }


def build(observers: int) -> tuple[list[tuple[str, int]], tuple[int, int, int]]:
    """One election today, its stations, observers with a station and a token each: their keys
    and stations, and the (observer, organization, election) the floor's rows name."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from people.models import Assignment, Membership, ObserverToken, Organization
    from stations.models import District, Election, PollingStation, Region

    election = Election.objects.create(slug="ingest", name="Ingest benchmark", date=date.today())
    region = Region.objects.create(election=election, name="Region")
    districts = District.objects.bulk_create(
        District(election=election, number=d + 1, name=f"District {d + 1}", region=region) for d in range(50)
    )
    stations = PollingStation.objects.bulk_create(
        PollingStation(
            election=election,
            number=f"{n + 1:05d}",
            region=region,
            district=districts[n % 50],
            registered_voters=1500,
        )
        for n in range(observers)
    )
    organization = Organization.objects.create(name="Bench watch", slug="bench-watch")
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"observer{n:05d}", password="!") for n in range(observers)
    )
    memberships = Membership.objects.bulk_create(Membership(user=u, organization=organization) for u in users)
    Assignment.objects.bulk_create(
        Assignment(membership=m, station=s) for m, s in zip(memberships, stations, strict=True)
    )
    keys = [f"bench{n:05d}-{uuid.uuid4().hex}" for n in range(observers)]
    expires = timezone.now() + timedelta(days=1)
    ObserverToken.objects.bulk_create(
        ObserverToken(user=u, key_hash=ObserverToken.hash_key(k), prefix=k[:8], expires_at=expires)
        for u, k in zip(users, keys, strict=True)
    )
    return [(k, s.pk) for k, s in zip(keys, stations, strict=True)], (
        users[0].pk,
        organization.pk,
        election.pk,
    )


def with_time(template: str) -> str:
    from django.utils import timezone

    return template.replace("AT", (timezone.now() - timedelta(minutes=10)).isoformat())


def wsgi_post(application, path: str, body: bytes, key: str) -> str:
    """One request as gunicorn hands it to Django: its status line."""
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "HTTP_HOST": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_AUTHORIZATION": f"Bearer {key}",
        "wsgi.input": io.BytesIO(body),
    }
    setup_testing_defaults(environ)
    answer = []
    result = application(environ, lambda status, headers, exc_info=None: answer.append(status))
    try:
        b"".join(result)
    finally:
        result.close()
    return answer[0]


def in_process(application, observers, requests: int) -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    figures = []
    for label, path, template, _table in WRITES:
        template, times = with_time(template), []
        for n in range(WARM_UPS + requests):
            key, station = observers[n % len(observers)]
            body = (template % (uuid.uuid4(), station)).encode()
            started = time.perf_counter()
            status = wsgi_post(application, path, body, key)
            elapsed = time.perf_counter() - started
            if not status.startswith("201"):
                raise SystemExit(f"{label}: {path} answered {status}")
            if n >= WARM_UPS:
                times.append(elapsed * 1000)
        key, station = observers[0]
        with CaptureQueriesContext(connection) as queries:
            wsgi_post(application, path, (template % (uuid.uuid4(), station)).encode(), key)
        figures.append(
            {
                "label": label,
                "median": statistics.median(times),
                "p95": statistics.quantiles(times, n=20)[-1],
                "statements": [
                    q["sql"].split()[0] + " " + table_of(q["sql"]) for q in queries.captured_queries
                ],
            }
        )
        row = figures[-1]
        print(f"{label:<28} in process: median {row['median']:5.2f} ms, p95 {row['p95']:5.2f} ms")
    return figures


def table_of(sql: str) -> str:
    for word in ("INTO", "FROM", "UPDATE"):
        if f"{word} " in sql:
            return sql.split(f"{word} ", 1)[1].split()[0].strip('"')
    return ""


def rows(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        return cursor.fetchone()[0]


def database_pids() -> list[int]:
    """The PostgreSQL server processes serving this benchmark's database (the server is local)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        return [row[0] for row in cursor.fetchall()]


def load_one(server, port: int, label: str, path: str, template: str, table: str, observers, args) -> dict:
    """One path under wrk, with the rows it stored and the CPU it took."""
    template = with_time(template)
    # Requests still in the server when wrk stops finish within this; then the rows are counted.
    time.sleep(SETTLE_SECONDS)
    before, web, database = rows(table), load.children(server.pid), database_pids()
    cpu = {"web": load.cpu_seconds(web), "database": load.cpu_seconds(database)}
    figures = load.wrk(port, path, template, observers, seconds=args.seconds, connections=args.connections)
    time.sleep(SETTLE_SECONDS)
    figures.update(label=label, stored=rows(table) - before)
    database = sorted(set(database) | set(database_pids()))
    # CPU per answer: unlike the rate, it holds on a machine shared with other work.
    used = {"web": load.cpu_seconds(web), "database": load.cpu_seconds(database)}
    for name in used:
        seconds = load.cpu_used(cpu[name], used[name])
        figures[f"{name}_cpu_ms"] = seconds * 1000 / max(1, figures["requests"])
    figures["every_2xx_stored"] = figures["ok"] <= figures["stored"] <= figures["ok"] + args.connections
    print(
        f"{label:<28} {figures['rate']:7.0f} req/s  p50 {figures['p50']:6.1f}  p95 {figures['p95']:6.1f}  "
        f"p99 {figures['p99']:6.1f} ms  errors {figures['errors']}  2xx {figures['ok']}  "
        f"stored {figures['stored']}  CPU per request: web {figures['web_cpu_ms']:.2f} ms, "
        f"database {figures['database_cpu_ms']:.2f} ms"
    )
    return figures


def through_gunicorn(env: dict, observers, floor_row, args, log: Path) -> list[dict]:
    """The floor, then the three writes, each from observers of its own, so that each pays alike for
    its tokens' first use in the minute; every server warmed up on all its paths first."""
    _label, _path, report, report_table = WRITES[0]
    floor_env = {**os.environ, **env, "INGEST_FLOOR_ROW": ",".join(map(str, floor_row))}
    server, port = load.start_gunicorn("ingest_floor:application", floor_env, args.workers, args.threads, log)
    try:
        load.warm_up(port, "/floor/", with_time(report), observers, args.connections)
        results = [load_one(server, port, FLOOR, "/floor/", report, report_table, observers, args)]
    finally:
        load.stop(server)
    groups = [observers[n :: len(WRITES)] for n in range(len(WRITES))]
    server, port = load.start_gunicorn("config.wsgi", {**os.environ, **env}, args.workers, args.threads, log)
    try:
        for (_label, path, template, _table), group in zip(WRITES, groups, strict=True):
            load.warm_up(port, path, with_time(template), group, args.connections)
        for (label, path, template, table), group in zip(WRITES, groups, strict=True):
            results.append(load_one(server, port, label, path, template, table, group, args))
    finally:
        load.stop(server)
    return results


def run(args, directory: Path) -> dict:
    redis, redis_url = (None, args.redis_url) if args.redis_url else load.start_redis(directory)
    try:
        url = postgres_database(args.database_url, DATABASE, create=True)
        try:
            figures = measure(args, environment(url, redis_url), directory)
        finally:
            postgres_database(args.database_url, DATABASE, create=False)
    finally:
        if redis is not None:
            load.stop(redis)
    figures.update(
        {key: getattr(args, key) for key in ("workers", "threads", "connections", "seconds", "observers")}
    )
    figures["missed"] = verdicts(figures)
    return figures


def measure(args, env: dict, directory: Path) -> dict:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command
    from django.db import connections

    django.setup()
    try:
        call_command("migrate", verbosity=0)
        observers, floor_row = build(args.observers)
        from config.wsgi import application

        figures = {"load_average": os.getloadavg()[0], "requests": args.requests}
        figures["in_process"] = in_process(application, observers[-IN_PROCESS_OBSERVERS:], args.requests)
        load_observers = observers[:-IN_PROCESS_OBSERVERS]
        figures["load"] = through_gunicorn(env, load_observers, floor_row, args, directory / "gunicorn.log")
        figures["machine"] = machine("postgresql")
    finally:
        # The database is dropped next: no connection of this process may stay open on it.
        connections.close_all()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default="postgres://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server's URL; the benchmark's own database is created there and dropped",
    )
    parser.add_argument(
        "--redis-url", help="a Redis to use instead of starting one (its database is not emptied)"
    )
    parser.add_argument("--seconds", type=int, default=20, help="seconds of load per path (default 20)")
    parser.add_argument("--connections", type=int, default=16, help="wrk's connections (default 16)")
    parser.add_argument("--requests", type=int, default=1000, help="timed requests in process (default 1000)")
    parser.add_argument(
        "--workers", type=int, default=load.README_WORKERS, help="gunicorn workers (default as README)"
    )
    parser.add_argument(
        "--threads", type=int, default=load.README_THREADS, help="threads per worker (default as README)"
    )
    parser.add_argument(
        "--observers", type=int, default=3100, help="observers, tokens and stations (default 3100)"
    )
    parser.add_argument("--record", action="store_true", help="write the figures into docs/benchmarks.md")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error(
            "--database-url must be a PostgreSQL URL: the benchmark measures the production database"
        )
    if args.record and (args.seconds, args.connections, args.requests) != (20, 16, 1000):
        parser.error("--record is for the full run only (20 s, 16 connections, 1000 requests)")
    with tempfile.TemporaryDirectory(prefix="baqylau-bench-ingest-") as directory:
        figures = run(args, Path(directory))
    print(f"\n{figures['machine']}; load average {figures['load_average']:.1f} before the run")
    for line in figures["missed"]:
        print(f"Target missed: {line}")
    if args.record:
        record_section(HEADING, section(figures))
        print(f"Recorded in {BENCHMARKS_MD.relative_to(ROOT)}.")


if __name__ == "__main__":
    main()
