"""What bench/ingest.py records in docs/benchmarks.md, and which targets a run missed."""

from datetime import date

HEADING = "## Observer ingest (JSON writes, PostgreSQL)"
WARM_UPS = 200
# DESIGN.md, "Performance budget", and issue 14: in process, through gunicorn, share of the floor, p95.
TARGET_MS, TARGET_RATE, TARGET_SHARE, TARGET_P95 = 5, 300, 0.3, 100


def verdicts(figures: dict) -> list[str]:
    """Each target the run missed, in words."""
    missed = [
        f"{row['label']}: {row['median']:.2f} ms in process, above {TARGET_MS} ms"
        for row in figures["in_process"]
        if row["median"] > TARGET_MS
    ]
    floor = figures["load"][0]
    for row in figures["load"][1:]:
        share = row["rate"] / floor["rate"]
        if row["rate"] < TARGET_RATE or share < TARGET_SHARE or row["p95"] > TARGET_P95:
            missed.append(
                f"{row['label']}: {row['rate']:.0f}/s, {share:.2f} of the floor, p95 {row['p95']:.0f} ms"
            )
        if row["errors"] or not row["every_2xx_stored"]:
            missed.append(f"{row['label']}: {row['errors']} errors, {row['ok']} 2xx, {row['stored']} stored")
    return missed


def section(figures: dict) -> str:
    in_process = "\n".join(
        f"| {r['label']} | {len(r['statements'])}: {', '.join(r['statements'])} | {r['median']:.2f} | "
        f"{r['p95']:.2f} | {'met' if r['median'] <= TARGET_MS else '**missed**'} |"
        for r in figures["in_process"]
    )
    floor = figures["load"][0]
    through = "\n".join(
        f"| {r['label']} | {r['rate']:.0f} | {r['rate'] / floor['rate']:.2f} | {r['p50']:.1f} | "
        f"{r['p95']:.1f} | {r['p99']:.1f} | {r['errors']} | {r['ok']:,} | {r['stored']:,} | "
        f"{'yes' if r['every_2xx_stored'] else '**no**'} | {r['web_cpu_ms']:.2f} | "
        f"{r['database_cpu_ms']:.2f} |"
        for r in figures["load"]
    )
    missed = figures["missed"]
    outcome = "Every target met." if not missed else "Missed: " + "; ".join(missed) + "."
    return f"""{HEADING}

`bench/ingest.py`: the three JSON writes of an observer's phone (an incident report without photos,
a check-in, a turnout count), each with a new id and the observer's bearer token, on PostgreSQL
with a Redis for the request budgets, as in production. Targets (DESIGN.md, "Performance budget"):
at most {TARGET_MS} ms in process; through gunicorn at least {TARGET_RATE} writes a second and
{TARGET_SHARE} of the floor, p95 at most {TARGET_P95} ms, no error, every 2xx answer stored.
{outcome}

In process, straight to the production WSGI application (all the middleware, authentication,
request budgets, the service, the answer; no network): {figures["requests"]:,} requests after
{WARM_UPS} warm-ups, from observers whose tokens were used within the minute. A phone's first request
in a minute also writes its token's last use (one conditional UPDATE more); Django's connection
health check (`SELECT 1`, with `DJANGO_CONN_MAX_AGE` above 0) adds a round trip that it does not log.

| Write | SQL statements | Median (ms) | p95 (ms) | ≤ {TARGET_MS} ms |
| --- | --- | ---: | ---: | --- |
{in_process}

Through gunicorn (`config.wsgi`, {figures["workers"]} workers x {figures["threads"]} threads,
`--worker-class gthread`), loaded by wrk with {figures["connections"]} connections for
{figures["seconds"]} s per write, after a 3 s warm-up of every write; each write from its own third
of {figures["observers"]:,} observers, each at their own station (the first request of a token in a
minute writes its last use). The floor ran in the same run: the same gunicorn serving
`bench/ingest_floor.py`, a bare Django view without middleware that parses the report's JSON and
inserts it into the same table in one INSERT. "Stored" counts the rows written during the run, and
"All in" says whether every 2xx answer's row is among them: a request still in flight when wrk
stops may be stored without its answer counted, at most one per connection. The CPU per request
(gunicorn's workers, and the PostgreSQL processes serving them; one that ends during the run, a
connection past its age, is left out) is measured from /proc: unlike the
rates, it changes little when other work shares the machine. Web CPU and DB CPU are in ms a request.

| Path | Rate /s | Of floor | p50 ms | p95 ms | p99 ms | Errors | 2xx | Stored | All in | Web CPU | DB CPU |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |
{through}

Recorded {date.today():%Y-%m-%d} on {figures["machine"]}; load average {figures["load_average"]:.1f}
before the run (wrk, gunicorn and PostgreSQL share the machine's CPUs).
"""
