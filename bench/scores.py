"""How long the integrity scores take for a national election: 10,000 stations, 1,000,000 reports.

    .venv/bin/python bench/scores.py [--database-url postgres://...] [--stations 10000]
                                     [--reports 1000000] [--runs 5] [--record]

Builds a throw-away database (a fresh SQLite file by default; with --database-url, a PostgreSQL
database that it creates next to the one the URL names, and drops at the end), fills it with a
deterministic election (bench/scores_data.py), then times:

- the full recompute, `scores_recompute` (gather in SQL, compute, write): target at most 3 s;
- one district, `score_district` (its reports and stations only, scored against the priors of
  the last published run): target at most 100 ms;
- beside them, one raw SQL GROUP BY over the same reports (station, category, count), the floor
  of any path that reads every report.

Each figure is the best and the median of --runs runs after one warm-up; each step of the full
recompute is then timed on its own. It prints the load average before and after, since other
work on the machine slows every figure. `--record` writes the figures into docs/benchmarks.md,
replacing only this benchmark's section (and in it only the database measured).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _record import BENCHMARKS_MD, record_section
from scores_data import DISTRICTS, ROOT, fill, postgres_database, setup_django
from scores_doc import DISTRICT_TARGET, FULL_TARGET, HEADING, existing_blocks, machine, section, vendor_block

__all__ = ["fill", "machine", "postgres_database", "setup_django"]  # bench/partner_api.py uses them


def timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def best_and_median(function, runs: int) -> tuple[dict, object]:
    """Best and median wall time of `runs` runs after a warm-up, and the CPU time of the best."""
    function()  # warm-up: the database's pages, numpy's first calls
    results = []
    for _ in range(runs):
        cpu = time.process_time()
        seconds, result = timed(function)
        results.append((seconds, time.process_time() - cpu, result))
    best = min(results, key=lambda r: r[0])
    timing = {"best": best[0], "median": statistics.median(r[0] for r in results), "cpu": best[1]}
    return timing, results[-1][2]


def group_by(election_id: int) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT station_id, category, count(*) FROM reports_incidentreport "
            "WHERE election_id = %s GROUP BY 1, 2",
            [election_id],
        )
        return len(cursor.fetchall())


def review(election_id: int, count: int) -> None:
    """`count` submitted reports verified, as a busy half-hour of reviewing leaves them."""
    from reports.models import IncidentReport

    chosen = IncidentReport.objects.filter(election_id=election_id, status="submitted").order_by("pk")
    ids = list(chosen.values_list("pk", flat=True)[: count * 50 : 50])
    IncidentReport.objects.filter(pk__in=ids).update(status="verified")


def profile_full(election_id: int) -> dict[str, float]:
    """One full recompute cut into its steps, each timed on its own."""
    from integrity import gather as gathering
    from integrity import services
    from integrity.scoring import (
        ReportColumns,
        ScoreParams,
        district_inputs,
        fit_priors,
        score_districts,
        station_indicators,
    )

    params, steps = ScoreParams.from_settings(), {}

    def step(name, function, *args, **kwargs):
        steps[name], result = timed(lambda: function(*args, **kwargs))
        return result

    rows = step(
        "reports query (four integer columns) into arrays, sorted", gathering.report_rows, election_id
    )
    evidence = step("evidence levels (numpy)", rows.evidence)
    columns = ReportColumns(rows.station_id, rows.category, rows.severity, rows.occurred_at / 1e6, evidence)
    indicators = step("station indicators (numpy)", station_indicators, columns, params)
    stations = step("stations and check-ins queries", gathering.station_inputs, election_id)
    inputs = step("district inputs", district_inputs, stations, indicators, params)
    seed = services.derived_seed(inputs, params)
    priors = fit_priors(inputs, params)
    results = step(
        "score_districts (shrinkage, 2,000 draws a district)",
        score_districts,
        inputs,
        params,
        seed,
        priors=priors,
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
        priors=priors,
    )
    return steps


def best_steps(election_id: int, runs: int) -> dict[str, float]:
    profiles = [profile_full(election_id) for _ in range(runs)]
    return {name: min(p[name] for p in profiles) for name in profiles[0]}


def report(label: str, timing: dict | float, unit: str = "s", note: str = "") -> None:
    scale = 1000 if unit == "ms" else 1
    if isinstance(timing, dict):
        text = f"best {timing['best'] * scale:8.3f} {unit}, median {timing['median'] * scale:8.3f} {unit}"
    else:
        text = f"     {timing * scale:8.3f} {unit}"
    print(f"{label:<46} {text}{note}", flush=True)


def run(stations: int, reports: int, runs: int) -> dict:
    from django.db import connection

    from integrity.gather import report_rows
    from integrity.models import DistrictScore
    from integrity.services import score_district, scores_recompute
    from stations.models import District

    seconds, election = timed(lambda: fill(stations, reports))
    report("fill the database", seconds)
    figures = {"vendor": connection.vendor, "runs": runs, "load_before": os.getloadavg()}
    recompute = lambda: scores_recompute(election_id=election.pk)  # noqa: E731
    figures["first"], _ = timed(recompute)
    report("first recompute (every indicator written)", figures["first"])
    figures["full"], last = best_and_median(recompute, runs)
    scored = DistrictScore.objects.filter(election=election, run=last).count()
    report("full recompute, unchanged inputs", figures["full"], note=f"   ({scored} districts)")
    print(f"{'  CPU of this process, best run':<46}      {figures['full']['cpu']:8.3f} s")
    review(election.pk, 500)
    figures["reviewed"], _ = timed(recompute)
    report("full recompute after 500 verifications", figures["reviewed"])

    district = District.objects.filter(election=election).order_by("number")[DISTRICTS // 2]
    one = lambda: score_district(election_id=election.pk, district_id=district.pk)  # noqa: E731
    figures["district"], _ = best_and_median(one, runs)
    report("one district (score_district)", figures["district"], "ms")
    figures["district_query"], rows = best_and_median(
        lambda: report_rows(election.pk, district_id=district.pk), runs
    )
    figures["district_reports"] = len(rows)
    report("  of which its reports query", figures["district_query"], "ms", f"   ({len(rows):,} reports)")
    figures["group_by"], groups = best_and_median(lambda: group_by(election.pk), runs)
    report("raw SQL GROUP BY station, category", figures["group_by"], note=f"   ({groups:,} groups)")
    figures["steps"] = best_steps(election.pk, runs)
    print(f"Steps of one full recompute, each timed on its own (best of {runs}):")
    for name, seconds in figures["steps"].items():
        print(f"  {name:<62} {seconds:7.3f} s")
    figures["load_after"] = os.getloadavg()
    return figures


def record(figures: dict) -> None:
    """Replace this benchmark's section (only the measured database's part); leave the rest."""
    blocks = existing_blocks()
    blocks[figures["vendor"]] = vendor_block(figures)
    record_section(HEADING, section(blocks, figures["runs"]))


def measure(database_url: str | None, stations: int, reports: int, runs: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="baqylau-bench-") as directory:
        if database_url:
            name = f"baqylau_bench_{os.getpid()}"
            url = postgres_database(database_url, name, create=True)
        else:
            url = f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        try:
            setup_django(url)
            from django.db import connections

            print(f"Integrity scores, {stations:,} stations, {reports:,} reports")
            print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
            figures = run(stations, reports, runs)
            figures["machine"] = machine(figures["vendor"])
            print(figures["machine"])
            print("load average after: {:.2f} {:.2f} {:.2f}".format(*figures["load_after"]))
            connections.close_all()
        finally:
            if database_url:
                postgres_database(database_url, name, create=False)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL URL whose server gets a throw-away database")
    parser.add_argument("--stations", type=int, default=10_000, help="how many stations (default 10000)")
    parser.add_argument("--reports", type=int, default=1_000_000, help="how many reports (default 1000000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure (default 5)")
    parser.add_argument("--record", action="store_true", help="write the figures into docs/benchmarks.md")
    args = parser.parse_args()
    if args.stations < DISTRICTS:
        parser.error(f"--stations must be at least {DISTRICTS}, one per district")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.record and (args.stations, args.reports) != (10_000, 1_000_000):
        parser.error("--record is for the full size only (10,000 stations, 1,000,000 reports)")
    figures = measure(args.database_url, args.stations, args.reports, args.runs)
    if args.record:
        record(figures)
        print(f"Recorded in {BENCHMARKS_MD.relative_to(ROOT)}.")
    for label, timing, target in (
        ("full recompute", figures["full"], FULL_TARGET),
        ("one district", figures["district"], DISTRICT_TARGET),
    ):
        if timing["best"] > target:
            print(f"The {label} took longer than its {target:g} s target, even in its best run.")


if __name__ == "__main__":
    sys.exit(main())
