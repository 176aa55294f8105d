"""How long a national station list takes to load, on a fresh SQLite database.

    .venv/bin/python bench/import_stations.py [--stations 100000] [--record]

Times three imports through `stations_import`, the path the admin and the command take: the first
load, the same file again (nothing changes) and a file in which one station in ten changed. The
target is at most 30 seconds for the first load of 100,000 stations. `--record` writes the figures
into docs/benchmarks.md, replacing only this benchmark's section.
"""

import argparse
import csv
import io
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS_MD = ROOT / "docs" / "benchmarks.md"
TARGET_SECONDS = 30.0
SEED = 2023
REGIONS = 20
DISTRICTS = 200
DOC_INTRO = """# Benchmarks

Timings of the paths that must stay fast at national scale. Each benchmark is a standalone
script that builds its own throw-away database, so it never touches `db.sqlite3`; run it from
the repository root and add `--record` to replace its section below with the new figures.

- Station import: `.venv/bin/python bench/import_stations.py [--stations 100000] [--record]`
"""


def setup_django(database: Path) -> None:
    # The database must be chosen before settings are read; a benchmark never uses the real one.
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-key")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def station_rows(count: int) -> list[list[str]]:
    """`count` stations spread over 200 districts in 20 regions, the same on every run."""
    rng = random.Random(SEED)
    rows = []
    for index in range(count):
        district = index * DISTRICTS // count + 1
        region = (district - 1) % REGIONS + 1
        latitude = f"{rng.uniform(40.5, 55.5):.6f}"
        longitude = f"{rng.uniform(46.5, 87.3):.6f}"
        rows.append(
            [
                f"Region {region:02d}",
                str(district),
                f"District {district}",
                f"{district:03d}-{index + 1:06d}",
                f"School No. {rng.randint(1, 300)}",
                f"{rng.randint(1, 250)} Abai Avenue (settlement {rng.randint(1, 5000)})",
                latitude,
                longitude,
                str(rng.randint(50, 3000)),
            ]
        )
    return rows


def changed_rows(rows: list[list[str]], share: float = 0.1) -> list[list[str]]:
    """A copy in which `share` of the stations have new voters, a new name or a new address."""
    rng = random.Random(SEED + 1)
    changed = [list(row) for row in rows]
    for count, index in enumerate(rng.sample(range(len(rows)), int(len(rows) * share))):
        column = (8, 4, 5)[count % 3]
        changed[index][column] = (
            str(int(rows[index][8]) + 1) if column == 8 else rows[index][column] + " (new)"
        )
    return changed


def to_csv(rows: list[list[str]]) -> bytes:
    from stations.importers import STATION_COLUMNS

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(STATION_COLUMNS)
    writer.writerows(rows)
    return out.getvalue().encode()


def timed(label: str, expect: tuple[int, int], **kwargs) -> float:
    from stations.services import stations_import

    started = time.perf_counter()
    batch = stations_import(**kwargs)
    seconds = time.perf_counter() - started
    if (batch.created, batch.updated) != expect:
        sys.exit(f"{label}: expected {expect} (created, updated), got {(batch.created, batch.updated)}")
    print(f"{label:<32} {seconds:7.2f} s   ({batch.created:,} created, {batch.updated:,} updated)")
    return seconds


def parse_seconds(data: bytes) -> float:
    from stations.importers import read_station_csv

    started = time.perf_counter()
    read_station_csv(data)
    return time.perf_counter() - started


def machine() -> str:
    import django

    return (
        f"{os.cpu_count()} CPUs, {platform.machine()}, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, Django {django.get_version()}"
    )


def run(count: int) -> dict[str, float]:
    from stations.models import Election

    election = Election.objects.create(slug="bench", name="Benchmark election", date=date(2023, 3, 19))
    rows = station_rows(count)
    first, changed = to_csv(rows), to_csv(changed_rows(rows))
    tenth = int(count * 0.1)
    figures = {"parse": parse_seconds(first)}
    print(f"{'parse and check only':<32} {figures['parse']:7.2f} s   ({len(first) / 2**20:.1f} MB)")
    figures["first"] = timed("first import", (count, 0), election=election, data=first, filename="a.csv")
    figures["same"] = timed("same file again", (0, 0), election=election, data=first, filename="a.csv")
    figures["changed"] = timed(
        "10 % of stations changed", (0, tenth), election=election, data=changed, filename="b.csv"
    )
    return figures


def section(count: int, figures: dict[str, float]) -> str:
    verdict = "met" if figures["first"] <= TARGET_SECONDS else "**missed**"
    return f"""## Station import ({count:,} stations, SQLite)

`bench/import_stations.py`: a deterministic CSV of {count:,} stations in {DISTRICTS} districts and
{REGIONS} regions, loaded with `stations_import` into a fresh SQLite file (WAL, the project's
settings). Target: first import in at most {TARGET_SECONDS:.0f} s ({verdict}).

| Step | Seconds |
| --- | ---: |
| First import (all stations created) | {figures["first"]:.2f} |
| Same file again (nothing changes) | {figures["same"]:.2f} |
| 10 % of stations changed | {figures["changed"]:.2f} |
| of which reading and checking the CSV, each time | {figures["parse"]:.2f} |

Recorded {date.today():%Y-%m-%d} on {machine()}.
"""


def record(text: str, heading: str) -> None:
    """Put `text` in place of the section starting at `heading`, or append it; leave the rest."""
    content = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else DOC_INTRO
    start = content.find(heading + "\n")
    if start == -1:
        content = content.rstrip("\n") + "\n\n" + text
    else:
        end = content.find("\n## ", start + len(heading))
        content = content[:start] + text + (content[end:] if end != -1 else "")
    BENCHMARKS_MD.parent.mkdir(exist_ok=True)
    BENCHMARKS_MD.write_text(content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=100_000, help="how many stations (default 100000)")
    parser.add_argument("--record", action="store_true", help="write the figures into docs/benchmarks.md")
    args = parser.parse_args()
    if args.stations < DISTRICTS:
        parser.error(f"--stations must be at least {DISTRICTS}, one per district")
    with tempfile.TemporaryDirectory(prefix="baqylau-bench-") as directory:
        setup_django(Path(directory) / "bench.sqlite3")
        from django.db import connections

        print(f"Station import, {args.stations:,} stations: {machine()}")
        figures = run(args.stations)
        connections.close_all()
    text = section(args.stations, figures)
    if args.record:
        record(text, text.split("\n", 1)[0])
        print(f"Recorded in {BENCHMARKS_MD.relative_to(ROOT)}.")
    if figures["first"] > TARGET_SECONDS:
        print(f"The first import took longer than the {TARGET_SECONDS:.0f} s target.")


if __name__ == "__main__":
    main()
