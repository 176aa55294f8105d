"""How long a national file of official results takes to load, on a fresh SQLite database.

    .venv/bin/python bench/import_results.py [--stations 100000] [--record]

Loads a station list first (bench/import_stations.py's generator), then times `results_import`,
the path the admin and `python manage.py import_results` take, for a party list of seven parties:
the first file, and a corrected file that replaces it (the first stays as history). The target is
at most 60 seconds for 100,000 stations. `--record` writes the figures into docs/benchmarks.md,
replacing only this benchmark's section.
"""

import argparse
import csv
import io
import random
import sys
import tempfile
import time
from pathlib import Path

from import_stations import machine, record, setup_django, station_rows, to_csv

TARGET_SECONDS = 60.0
SEED = 2023
PARTIES = ("amanat", "auyl", "respublica", "akzhol", "qhp", "osdp", "baytaq")
HEADER = ("station_number", "registered", "ballots_issued", "ballots_in_boxes", "invalid", *PARTIES)


def results_csv(stations: list[list[str]], seed: int) -> bytes:
    """One line per station: a plausible turnout, ballots in the boxes, invalid ballots and votes."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for row in stations:
        registered = int(row[8])
        issued = round(registered * rng.uniform(0.3, 0.8))
        in_boxes = issued - rng.randint(0, min(3, issued))
        invalid = rng.randint(0, in_boxes // 50)
        valid = in_boxes - invalid
        shares = [rng.random() ** 2 for _ in PARTIES]
        votes = [int(valid * share / sum(shares)) for share in shares]
        votes[0] += valid - sum(votes)
        writer.writerow([row[3], registered, issued, in_boxes, invalid, *votes])
    return out.getvalue().encode()


def run(count: int) -> dict[str, float]:
    from counts.models import OfficialResult
    from counts.results import ChoiceSpec, contest_define, results_import
    from stations.models import Election
    from stations.services import stations_import

    election = Election.objects.create(slug="bench", name="Benchmark", date="2023-03-19")
    stations = station_rows(count)
    stations_import(election=election, data=to_csv(stations), filename="stations.csv")
    contest = contest_define(
        election=election,
        code="party_list",
        name="Party list",
        kind="party_list",
        choices=[ChoiceSpec(code, code) for code in PARTIES],
    )
    figures = {}
    for label, seed in (("first file", SEED), ("corrected file", SEED + 1)):
        data = results_csv(stations, seed)
        started = time.perf_counter()
        batch = results_import(contest=contest, data=data, filename=f"{label}.csv")
        figures[label] = time.perf_counter() - started
        print(f"{label:<16} {figures[label]:7.2f} s   ({batch.rows:,} stations, {len(data) / 1e6:.1f} MB)")
    assert OfficialResult.objects.count() == 2 * count
    return figures


def section(count: int, figures: dict[str, float]) -> str:
    verdict = "within" if max(figures.values()) <= TARGET_SECONDS else "OVER"
    return "\n".join(
        [
            "## Official results import",
            "",
            f"`bench/import_results.py --stations {count}`: `results_import` (the admin's and",
            "`import_results`' path) for a party list of seven parties, on a fresh SQLite database.",
            "Without a broker the work an import sets off runs in the same call and is timed with it:",
            "the forensic tests of every station and a recompute of the scores.",
            f"Target: ≤ {TARGET_SECONDS:.0f} s for 100,000 stations ({verdict} target).",
            "",
            "| file | seconds | stations per second |",
            "| --- | ---: | ---: |",
            *(f"| {label} | {seconds:.2f} | {count / seconds:,.0f} |" for label, seconds in figures.items()),
            "",
            f"Measured on {machine()}.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=100_000)
    parser.add_argument("--record", action="store_true", help="write the figures into docs/benchmarks.md")
    args = parser.parse_args()
    if args.stations < 1:
        sys.exit("--stations must be at least 1")
    with tempfile.TemporaryDirectory() as folder:
        setup_django(Path(folder) / "bench.sqlite3")
        figures = run(args.stations)
    text = section(args.stations, figures)
    print()
    print(text)
    if args.record:
        record(text, text.split("\n", 1)[0])


if __name__ == "__main__":
    main()
