"""Polls closed: the busiest minutes of election day replayed against the production set-up.

    .venv/bin/python bench/election_day.py [--database-url postgres://postgres@127.0.0.1:5432/postgres]
                                           [--stations 10000] [--reports 1000000]
                                           [--stations-sampled 1000[,1500,...]] [--minutes 5]
                                           [--coordinators 20] [--partners 10] [--record]

The election is the national one of bench/coordinator_pages.py (10,000 stations, 1,000,000
reports, scores computed), kept in `baqylau_bench_coordinator_pages` and built once when missing
(--stations/--reports build a smaller one under a name of its own, to try the benchmark). Each run
works on a throw-away copy (`CREATE DATABASE ... TEMPLATE`), dropped at the end, so every run
starts from the same state. In the copy, before the load: the party-list contest with the
commission's results for every station, an observer with a token at each of --stations-sampled
stations drawn from the random sample (as a parallel vote tabulation sends them), --coordinators
coordinators of every organization with an authenticator app, --partners partners with a key.

The production set-up of README on free loopback ports: a Redis of the run's own (broker and
cache), gunicorn `config.wsgi` (gthread workers and threads as README), one Celery worker and one beat,
photos on a temporary disk.

Compressed into --minutes, each sampled station's observer sends at random times, in order, a
closing check-in, a final turnout count and a protocol copy with a 2,560-pixel JPEG (about 1.3 MB,
with EXIF and GPS to strip); one station in five also an incident report with one or two photos.
Meanwhile the coordinators, signed in at the admin with password and code over HTTP, load the
dashboard every 10 s (every third time also the report list or a district page), and the partners
poll the incidents changed since their last poll every 5 s. The readers start --warm-up seconds (60)
before the observers: the pages have been open all day when the polls close. The load comes from
threads of this process (http.client, a connection per request); its own CPU is measured too.

Figures: per endpoint the requests, rate, p50/p95/p99 to the last byte, 4xx, 5xx and failed
connections; the rows stored against the 2xx answers, by the ids sent (every 2xx stored once, no
row left without its photos, nothing stored that was not sent); the photo processing time
(the product's metric) and the web workers' CPU per photo; the CPU of the web workers, the Celery
processes and PostgreSQL per station; and how long after the last protocol copy was answered
the district scores (a score run started after it published) and the count estimates (the
dashboard's count board computed for the data as it is) were current. Reads are counted while the
observers send; the coordinators keep reading until the scores are current.

--record writes the figures into docs/benchmarks.md, replacing only this benchmark's section; give
several --stations-sampled to find the largest N that holds the targets (a line for each).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import election_day_load as traffic
import ingest_load as load
import redis as redis_client
from _record import BENCHMARKS_MD, record_section
from election_day_doc import HEADING, figures_for, print_run, section
from election_day_setup import copy_database, drop_database, ensure_kept, phone_photo, prepare
from ingest import environment
from scores_data import ROOT
from scores_doc import machine

CELERY = ROOT / ".venv" / "bin" / "celery"
SCORES_TIMEOUT_SECONDS = 900
POLL_SECONDS = 2
CPU_POLL_SECONDS = 0.5


def settings_env(url: str, redis_url: str, directory: Path) -> dict:
    """ingest.py's production environment, with photos, static files and metrics on temporary disk."""
    return {
        **environment(url, redis_url),
        "DJANGO_MEDIA_ROOT": str(directory / "media"),
        "DJANGO_STATIC_ROOT": str(directory / "static"),
        "PROMETHEUS_MULTIPROC_DIR": str(directory / "metrics"),
        "DJANGO_SECURE_COOKIES": "false",  # plain HTTP on loopback
        "BAQYLAU_REQUIRE_2FA_FOR_STAFF": "true",
    }


def start_celery(kind: str, env: dict, directory: Path) -> subprocess.Popen:
    command = [str(CELERY), "-A", "config", kind, "--loglevel=info"]
    if kind == "beat":
        command += ["--schedule", str(directory / "beat-schedule")]
    with (directory / f"celery-{kind}.log").open("ab") as output:
        return subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=output, stderr=output)


def wait_for_worker(process: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    """Until the Celery worker answers a ping through the broker."""
    from config.celery import app

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the Celery worker stopped at start: see {log}")
        if app.control.ping(timeout=1.0):
            return
    raise SystemExit(f"the Celery worker did not answer within {seconds:.0f} s: see {log}")


def photo_metric(port: int) -> tuple[float, int]:
    """(seconds, photos) of the product's photo processing histogram, summed over every worker."""
    status, content, _headers = traffic.send(port, "GET", "/metrics")
    if status != 200:
        return 0.0, 0
    total, count = 0.0, 0
    for line in content.decode().splitlines():
        if line.startswith("baqylau_photo_processing_seconds_sum"):
            total += float(line.rsplit(" ", 1)[1])
        elif line.startswith("baqylau_photo_processing_seconds_count"):
            count += int(float(line.rsplit(" ", 1)[1]))
    return total, count


class CpuWatch:
    """CPU seconds of each group of processes, read from /proc every half second so that a process
    that ends (a database connection closed, a parallel query's worker) still counts what it used
    up to its last reading."""

    def __init__(self, groups):
        self.groups, self.first, self.last = groups, {}, {}
        self.stop, self.thread = threading.Event(), threading.Thread(target=self.run, daemon=True)

    def read(self, initial: bool = False) -> None:
        for name, pids in self.groups.items():
            for pid, seconds in load.cpu_seconds(pids()).items():
                self.first.setdefault((name, pid), seconds if initial else 0.0)
                self.last[(name, pid)] = seconds

    def run(self) -> None:
        while not self.stop.wait(CPU_POLL_SECONDS):
            self.read()

    def start(self) -> None:
        self.read(initial=True)
        self.thread.start()

    def finish(self) -> dict[str, float]:
        self.stop.set()
        self.thread.join()
        self.read()
        used = dict.fromkeys(self.groups, 0.0)
        for (name, pid), seconds in self.last.items():
            used[name] += seconds - self.first[(name, pid)]
        return used


def database_pids() -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [row[0] for row in cursor.fetchall()]


def tree(pid: int) -> list[int]:
    """A process and everything it started (gunicorn's workers, Celery's pool processes)."""
    try:
        found = load.children(pid)
    except OSError:
        return []
    return [pid] + [p for child in found for p in tree(child)]


def current(cast, since: float) -> tuple[bool, bool]:
    """(district scores, count estimates) up to date with everything sent before `since`: the
    published scores come from a run started after it, and the count board kept in the cache was
    computed for the data as it is now."""
    from datetime import UTC, datetime

    from django.core.cache import cache

    from counts.dashboard import data_state, state_key
    from integrity.models import DistrictScore
    from stations.models import Election

    started = datetime.fromtimestamp(since, UTC)
    scores = DistrictScore.objects.filter(election_id=cast.election_id, run__started_at__gte=started).exists()
    kept = cache.get(f"count-board:1:{cast.election_id}")
    election = Election.objects.get(pk=cast.election_id)
    board = (
        kept is not None
        and kept["at"].timestamp() >= since
        and kept["state"] == state_key(data_state(election))
    )
    return scores, board


def wait_until_current(cast, since: float, timeout: float) -> dict:
    waited = {"scores": None, "counts": None}
    while time.time() - since < timeout and None in waited.values():
        scores, board = current(cast, since)
        for name, ok in (("scores", scores), ("counts", board)):
            if ok and waited[name] is None:
                waited[name] = time.time() - since
        time.sleep(POLL_SECONDS)
    return waited


def one_run(args, sampled: int, server: str, template: str, env: dict, directory: Path, photo: bytes) -> dict:
    from django.core.management import call_command
    from django.db import connections

    name = f"baqylau_bench_election_day_run_{os.getpid()}"
    copy_database(server, template, name)
    processes = []
    try:
        call_command("migrate", verbosity=0)  # a kept election built by an older release
        cast = prepare(sampled, args.coordinators, args.partners, seed=sampled)
        connections.close_all()
        gunicorn, port = load.start_gunicorn(
            "config.wsgi",
            {**os.environ, **env},
            load.README_WORKERS,
            load.README_THREADS,
            directory / "gunicorn.log",
        )
        processes.append(gunicorn)
        worker = start_celery("worker", env, directory)
        processes.append(worker)
        wait_for_worker(worker, directory / "celery-worker.log")
        beat = start_celery("beat", env, directory)
        processes.append(beat)
        watch = CpuWatch(
            {
                "web": lambda: load.children(gunicorn.pid),
                "celery": lambda: [*tree(worker.pid), beat.pid],
                "database": database_pids,
            }
        )
        for _ in range(3):  # every worker imports what the writes need before the clock starts
            traffic.send(port, "GET", "/readyz")
        log, stop = traffic.Log(), threading.Event()
        reading = traffic.readers(log, port, cast, stop)
        # The dashboard has been open all day when the polls close: its kept figures are warm.
        time.sleep(args.warm_up)
        events = traffic.schedule(cast.observers, args.minutes * 60, seed=sampled)
        photos_before = photo_metric(port)
        own_before, watch_started, load_average = os.times(), time.time(), os.getloadavg()[0]
        watch.start()
        print(f"N = {sampled}: {len(events):,} writes over {args.minutes:g} min, {len(reading)} readers")
        last_protocol = traffic.replay(log, port, events, photo, args.threads, seed=sampled)
        # The CPU and the photos of the close, until its last write was answered; the readers go on.
        window_end, own_after, cpu, photos_after = time.time(), os.times(), watch.finish(), photo_metric(port)
        cpu["load generator"] = (own_after.user + own_after.system) - (own_before.user + own_before.system)
        answered = sum(200 <= a.status < 300 for a in log.answers if a.endpoint in traffic.WRITES)
        print(f"writes sent in {window_end - watch_started:.0f} s, {answered} answered 2xx; now the scores")
        waited = wait_until_current(cast, last_protocol, args.scores_timeout)
        stop.set()
        for thread in reading:
            thread.join()
        seconds, photos = window_end - watch_started, (photos_before, photos_after)
        figures = figures_for(log, cast, sampled, seconds, window_end, cpu, photos, waited, watch_started)
        figures["machine"], figures["load"] = machine("postgresql"), load_average
        figures["lag_p95"] = sorted(log.lag)[int(0.95 * (len(log.lag) - 1))] if log.lag else 0.0
        return figures
    finally:
        for process in reversed(processes):
            load.stop(process)
        connections.close_all()
        drop_database(server, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--stations", type=int, default=10_000, help="stations of the kept election")
    parser.add_argument("--reports", type=int, default=1_000_000, help="reports of the kept election")
    parser.add_argument(
        "--stations-sampled", default="1000", help="N, or several separated by commas (default 1000)"
    )
    parser.add_argument("--minutes", type=float, default=5, help="the close compressed into (default 5)")
    parser.add_argument("--coordinators", type=int, default=20)
    parser.add_argument("--partners", type=int, default=10)
    parser.add_argument("--threads", type=int, default=64, help="the load generator's sending threads")
    parser.add_argument(
        "--warm-up",
        type=float,
        default=60,
        help="seconds the readers read before the observers send (default 60)",
    )
    parser.add_argument("--scores-timeout", type=float, default=SCORES_TIMEOUT_SECONDS)
    parser.add_argument("--record", action="store_true", help="write the figures into docs/benchmarks.md")
    args = parser.parse_args()
    sizes = [int(n) for n in args.stations_sampled.split(",")]
    if args.record and ((args.stations, args.reports) != (10_000, 1_000_000) or args.minutes != 5):
        parser.error("--record is for the full size only (10,000 stations, 1,000,000 reports, 5 minutes)")
    if not shutil.which("redis-server"):
        raise SystemExit("redis-server is needed: apt-get install -y redis-server")
    template = ensure_kept(args.database_url, args.stations, args.reports)
    runs = []
    with tempfile.TemporaryDirectory(prefix="baqylau-bench-election-day-") as folder:
        directory = Path(folder)
        redis, redis_url = load.start_redis(directory)
        try:
            name = f"baqylau_bench_election_day_run_{os.getpid()}"
            server = args.database_url
            env = settings_env(load_url(server, name), redis_url, directory)
            photo = phone_photo()
            print(f"protocol photo: {len(photo) / 1e6:.2f} MB, 2560 x 1920 JPEG with EXIF and GPS")
            for sub in ("media", "metrics"):
                (directory / sub).mkdir()
            django_setup(env)
            for sampled in sizes:
                for sub in ("media", "metrics"):
                    shutil.rmtree(directory / sub, ignore_errors=True)
                    (directory / sub).mkdir()
                redis_client.Redis.from_url(redis_url).flushall()  # the run's own Redis
                runs.append(one_run(args, sampled, server, template, env, directory, photo))
                print_run(runs[-1])
        finally:
            load.stop(redis)
    if args.record:
        record_section(HEADING, section(runs, args))
        print(f"Recorded in {BENCHMARKS_MD.relative_to(ROOT)}.")


def load_url(server: str, name: str) -> str:
    from election_day_setup import server_url

    return server_url(server, name)


def django_setup(env: dict) -> None:
    """Django in this process, on the run's copy (made for each run), for preparing it and reading
    what was stored; static files collected for the production storage's manifest."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("collectstatic", interactive=False, verbosity=0)


if __name__ == "__main__":
    main()
