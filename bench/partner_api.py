"""How fast the partner API answers for a national election: 10,000 stations, 1,000,000 reports.

    .venv/bin/python bench/partner_api.py [--database-url postgres://...] [--stations 10000]
                                          [--reports 1000000] [--requests 100] [--record]

Builds the same throw-away election as bench/scores.py (its `fill`: about 300 districts, a random
sample, check-ins, reports in a realistic mix of review states, 40 % of them verified, 30 % with
a photo), computes the scores, creates a partner key with every scope, then asks the partner API
through Django's test client, as a partner's HTTP client would (authentication, throttling,
filters, pagination, rendering; no network):

- `GET /api/v1/incidents/`: the first page; a page 200,000 incidents deep (a cursor, as following
  `next` reaches it); the first page filtered by election, district and severity;
- `GET /api/v1/elections/{slug}/districts/`: the first page, and the same with If-None-Match (304).

Each case runs --requests times after a few warm-ups (or for --budget seconds when it is slow,
at least 10 times); the figures are the 50th and 95th percentiles of the wall time per request.
For each case the slowest SQL statement of one request is shown with its query plan (EXPLAIN
QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL), so a slow list says why. `--record` writes
the figures into docs/benchmarks.md, replacing only this benchmark's section (and in it only the
database measured).
"""

import argparse
import base64
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from _record import BENCHMARKS_MD, record_section, recorded_section
from scores_data import ROOT, fill, postgres_database, setup_django
from scores_doc import machine

HEADING = "## Partner API (10,000 stations, 1,000,000 reports)"
VENDOR_NAMES = {"sqlite": "SQLite (WAL)", "postgresql": "PostgreSQL"}
DEEP = 200_000
WARMUPS = 3
MIN_REQUESTS = 10
PROPOSED_INDEX_SQL = "(occurred_at DESC, id DESC) WHERE status = 'verified'"
# The latency a partner's dashboard can live with for one page; a design choice, not DESIGN.md's.
TARGET_MS = 200


def cursor(position: str) -> str:
    """A cursor as DRF's CursorPagination writes it: the position of the last row seen."""
    return base64.b64encode(urlencode({"p": position}).encode("ascii")).decode("ascii")


def cases(election) -> list[tuple[str, str]]:
    """(label, path) of each timed request."""
    from partners.selectors import shared_reports
    from stations.models import District

    verified = shared_reports().order_by("-occurred_at", "-id").values_list("occurred_at", flat=True)
    depth = min(DEEP, verified.count() // 2)
    numbers = list(
        District.objects.filter(election=election).order_by("number").values_list("number", flat=True)
    )
    district = numbers[len(numbers) // 2]
    filtered = urlencode({"election": election.slug, "district": district, "severity": 5})
    # A partner polling every minute: only the 20 most recently changed incidents are new.
    recent = shared_reports().order_by("-updated_at").values_list("updated_at", flat=True)[19]
    return [
        ("incidents, first page", "/api/v1/incidents/"),
        (
            f"incidents, {depth:,} deep (cursor)",
            "/api/v1/incidents/?" + urlencode({"cursor": cursor(str(verified[depth]))}),
        ),
        ("incidents, election + district + severity", f"/api/v1/incidents/?{filtered}"),
        (
            "incidents, changed since (polling)",
            "/api/v1/incidents/?" + urlencode({"since": recent.isoformat()}),
        ),
        ("districts, first page", f"/api/v1/elections/{election.slug}/districts/"),
        ("districts, unchanged (If-None-Match, 304)", f"/api/v1/elections/{election.slug}/districts/"),
    ]


def partner_client():
    from django.test import Client

    from partners.keys import key_create
    from partners.models import Partner, Scope
    from people.models import Organization

    partner = Partner.objects.create(name="Benchmark partner", organization=Organization.objects.first())
    _row, key = key_create(partner=partner, scopes=Scope.values, days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def get(client, path: str, headers: dict) -> tuple[float, object]:
    started = time.perf_counter()
    response = client.get(path, headers=headers)
    body = response.content
    return time.perf_counter() - started, (response, body)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def explain(sql: str, params) -> list[str]:
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        rows = cursor.fetchall()
    return [row[-1] for row in rows]


def query_seconds(sql: str) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(sql)
        cursor.fetchall()
        return time.perf_counter() - started


def slowest_query(client, path: str, headers: dict) -> tuple[int, float, str, list[str]]:
    """How many queries one request makes, and the slowest one (each run again on its own, since
    the captured times are rounded to milliseconds) with its plan."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        get(client, path, headers)
    # The captured SQL has its parameters inlined for reading; it runs as it is.
    selects = [query["sql"] for query in captured.captured_queries if query["sql"].startswith("SELECT")]
    seconds, sql = max((query_seconds(sql), sql) for sql in selects)
    return len(captured.captured_queries), seconds, sql, explain(sql, ())


def plan_summary(plan: list[str], lines: int = 3) -> str:
    """How the database reads the rows: the plan's first table reads, and its sort when there is
    one, without the joins' and PostgreSQL's detail lines (filters, buffers, timings)."""
    operations = [line.strip().lstrip("-> ").split("  (")[0] for line in plan]
    reads = [line for line in operations if line.startswith(("SCAN", "SEARCH")) or " Scan " in f" {line} "]
    sort = [line for line in operations if sorts_everything([line])][:1]
    return " / ".join(reads[:lines] + sort)


def measure(client, label: str, path: str, requests: int, budget: float) -> dict:
    headers = {}
    if "If-None-Match" in label:
        _seconds, (response, _body) = get(client, path, {})
        headers = {"If-None-Match": response["ETag"]}
    for _ in range(WARMUPS):
        _seconds, (response, body) = get(client, path, headers)
    if response.status_code not in (200, 304):
        raise SystemExit(f"{label}: {path} answered {response.status_code}: {body[:300]!r}")
    times, started = [], time.perf_counter()
    # A slow case stops after its time budget, with at least MIN_REQUESTS timed.
    while len(times) < requests and (len(times) < MIN_REQUESTS or time.perf_counter() - started < budget):
        times.append(get(client, path, headers)[0])
    queries, query_seconds, sql, plan = slowest_query(client, path, headers)
    rows = len(response.json()["results"]) if response.status_code == 200 else 0
    return {
        "label": label,
        "status": response.status_code,
        "rows": rows,
        "bytes": len(body),
        "p50": percentile(times, 0.5) * 1000,
        "p95": percentile(times, 0.95) * 1000,
        "mean": statistics.fmean(times) * 1000,
        "requests": len(times),
        "queries": queries,
        "slowest_ms": query_seconds * 1000,
        "sql": sql,
        "plan": plan,
    }


def run(stations: int, reports: int, requests: int, budget: float) -> dict:
    from django.db import connection

    from integrity.services import scores_recompute

    started = time.perf_counter()
    election = fill(stations, reports)
    scores_recompute(election_id=election.pk)
    print(f"{'fill the database and compute the scores':<46} {time.perf_counter() - started:8.1f} s")
    client = partner_client()
    requests_of = cases(election)
    results = [measure_and_print(client, label, path, requests, budget) for label, path in requests_of]
    for result in results:
        print(f"\n{result['label']}: slowest query ({result['slowest_ms']:.1f} ms)\n  {result['sql'][:300]}")
        print("  plan:\n    " + "\n    ".join(result["plan"]))
    figures = {"vendor": connection.vendor, "results": results}
    if sorts_everything(results[0]["plan"]) and index_exists():
        print("\nThe incidents list still sorts every shared incident despite report_verified_time_idx.")
    elif sorts_everything(results[0]["plan"]):
        print(f"\nThe incidents list sorts every shared incident for one page; with {PROPOSED_INDEX_SQL}:")
        add_proposed_index()
        incidents = [(label, path) for label, path in requests_of if label.startswith("incidents")]
        figures["proposed"] = [
            measure_and_print(client, label, path, requests, budget) for label, path in incidents
        ]
    return figures


def measure_and_print(client, label: str, path: str, requests: int, budget: float) -> dict:
    result = measure(client, label, path, requests, budget)
    print(
        f"{label:<46} p50 {result['p50']:7.1f} ms  p95 {result['p95']:7.1f} ms  "
        f"({result['requests']} requests)  {result['rows']:3d} rows  {result['queries']} queries  "
        f"slowest query {result['slowest_ms']:.1f} ms"
    )
    return result


def sorts_everything(plan: list[str]) -> bool:
    """Whether the plan sorts the rows before it takes a page (SQLite's temporary B-tree, a Sort node)."""
    return any(
        "TEMP B-TREE FOR ORDER BY" in line or line.strip().lstrip("-> ").split("  ")[0] == "Sort"
        for line in plan
    )


def proposed_index():
    """Verified reports, newest first: the order of the incidents list, so a page is read, not sorted."""
    from django.db import models

    from reports.models import ReportStatus

    return models.Index(
        fields=["-occurred_at", "-id"],
        condition=models.Q(status=ReportStatus.VERIFIED),
        name="report_verified_time_idx",
    )


def index_exists() -> bool:
    """Whether the index is there already (reports migration 0007 creates it)."""
    from django.db import connection

    from reports.models import IncidentReport

    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, IncidentReport._meta.db_table)
    return proposed_index().name in constraints


def add_proposed_index() -> None:
    from django.db import connection

    from reports.models import IncidentReport

    with connection.schema_editor() as editor:
        editor.add_index(IncidentReport, proposed_index())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def vendor_block(figures: dict) -> str:
    rows = "\n".join(
        f"| {r['label']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['requests']} | {r['rows']} | {r['queries']} "
        f"| {r['slowest_ms']:.1f} |"
        for r in figures["results"]
    )
    plans = "\n".join(f"- {r['label']}: `{plan_summary(r['plan'])}`" for r in figures["results"])
    return f"""### {VENDOR_NAMES[figures["vendor"]]}

| Request | p50 (ms) | p95 (ms) | Requests | Rows | Queries | Slowest query (ms) |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
{rows}

The slowest query of each request, as the database plans it (its first table reads, and its sort):

{plans}
{proposal(figures)}
Recorded {date.today():%Y-%m-%d} on {figures["machine"]}; load average {figures["load"]:.1f} during the run.
"""


def proposal(figures: dict) -> str:
    """When the incidents list sorts everything: the same requests with the proposed index."""
    if not figures.get("proposed"):
        return ""
    rows = "\n".join(
        f"| {r['label']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['requests']} | {r['slowest_ms']:.1f} |"
        for r in figures["proposed"]
    )
    return f"""
The incidents list reads and sorts every shared incident before it takes a page: no index serves
its order (verified, newest first). With the proposed partial index on `reports_incidentreport`
`{PROPOSED_INDEX_SQL}` added to the same database, it reads the page from the index instead:

| Request, with the index | p50 (ms) | p95 (ms) | Requests | Slowest query (ms) |
| --- | ---: | ---: | ---: | ---: |
{rows}
"""


def section(blocks: dict[str, str]) -> str:
    body = "\n".join(blocks[vendor] for vendor in VENDOR_NAMES if vendor in blocks)
    return f"""{HEADING}

`bench/partner_api.py`: the election of `bench/scores.py` (10,000 stations in 300 districts,
1,000,000 reports, 40 % of them verified and shared, 30 % with a photo) with its scores computed,
read by a partner key with every scope through Django's test client: authentication, the per-key
throttle, filters, cursor pagination and JSON rendering, without the network. Each case is timed
over up to 100 requests after a warm-up (a slow case for a minute); p50 and p95 are the median
and 95th percentile of the wall time per request. Pages hold 50 rows; the incidents carry signed
photo links (photos:read). The deep page is a cursor 200,000 incidents into the list, where
following `next` would arrive. Guide: a page in at most {TARGET_MS} ms at p95 (a design choice
for partners' dashboards).

{body}"""


def existing_blocks() -> dict[str, str]:
    """The measured databases already recorded in this benchmark's section."""
    text = recorded_section(HEADING)
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
    record_section(HEADING, section(blocks))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL URL whose server gets a throw-away database")
    parser.add_argument("--stations", type=int, default=10_000, help="how many stations (default 10000)")
    parser.add_argument("--reports", type=int, default=1_000_000, help="how many reports (default 1000000)")
    parser.add_argument("--requests", type=int, default=100, help="timed requests per case (default 100)")
    parser.add_argument(
        "--budget", type=float, default=60, help="seconds per case before a slow one stops (default 60)"
    )
    parser.add_argument("--record", action="store_true", help="write the figures into docs/benchmarks.md")
    args = parser.parse_args()
    if args.record and (args.stations, args.reports) != (10_000, 1_000_000):
        parser.error("--record is for the full size only (10,000 stations, 1,000,000 reports)")
    # The test client's host, and a budget no benchmark reaches: the throttle still counts each request.
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SSL_REDIRECT"] = "false"  # the test client speaks plain HTTP
    os.environ["BAQYLAU_PARTNER_RATE"] = "1000000/min"
    with tempfile.TemporaryDirectory(prefix="baqylau-bench-") as directory:
        if args.database_url:
            name = f"baqylau_bench_{os.getpid()}"
            url = postgres_database(args.database_url, name, create=True)
        else:
            url = f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        try:
            setup_django(url)
            from django.db import connections

            print(f"Partner API, {args.stations:,} stations, {args.reports:,} reports")
            figures = run(args.stations, args.reports, args.requests, args.budget)
            figures["machine"] = machine(figures["vendor"])
            figures["load"] = os.getloadavg()[0]
            print(f"\n{figures['machine']}; load average {figures['load']:.1f}")
            connections.close_all()
        finally:
            if args.database_url:
                postgres_database(args.database_url, name, create=False)
    if args.record:
        record(figures)
        print(f"Recorded in {BENCHMARKS_MD.relative_to(ROOT)}.")
    for result in figures["results"]:
        if result["p95"] > TARGET_MS:
            print(f"{result['label']}: p95 {result['p95']:.0f} ms is above the {TARGET_MS} ms guide.")


if __name__ == "__main__":
    main()
