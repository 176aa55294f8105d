"""How long onboarding a national mission takes, on a fresh SQLite database.

    .venv/bin/python bench/onboarding.py [--observers 20000] [--cards 2000] [--record]

Times `observers_import`, the path the admin page and `import_observers` take, on a deterministic
CSV of 20,000 observers spread over 10,000 stations: the first import (everyone created) and the
same file again (everyone found by phone and updated). Then issues sign-in codes to 2,000 of them
and draws their cards PDF (250 A4 pages). Targets: import ≤ 60 s, cards ≤ 60 s. `--record` writes
the figures into docs/benchmarks.md, replacing only this benchmark's section.
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

from _record import BENCHMARKS_MD, record_section

ROOT = Path(__file__).resolve().parent.parent

TARGET_SECONDS = 60.0
SEED = 2023
STATIONS = 10_000
DISTRICTS = 200
HEADING = "## Observer onboarding and sign-in cards (SQLite)"


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


def build_stations():
    """An election with 10,000 stations in 200 districts, written directly: only the import is timed."""
    from stations.models import District, Election, PollingStation, Region

    election = Election.objects.create(slug="bench", name="Benchmark election", date=date(2023, 3, 19))
    region = Region.objects.create(election=election, name="Region")
    districts = District.objects.bulk_create(
        District(election=election, number=number, name=f"District {number}", region=region)
        for number in range(1, DISTRICTS + 1)
    )
    PollingStation.objects.bulk_create(
        (
            PollingStation(
                election=election,
                number=str(index + 1),
                region=region,
                district=districts[index * DISTRICTS // STATIONS],
                registered_voters=1000,
            )
            for index in range(STATIONS)
        ),
        batch_size=2000,
    )
    return election


def observer_csv(count: int) -> bytes:
    """`count` observers, the same on every run: two in three with an e-mail address, one in ten
    with two stations, one in twenty roaming, the three languages in turn."""
    rng = random.Random(SEED)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["full_name", "phone", "email", "language", "stations", "roaming"])
    for index in range(count):
        station = rng.randint(1, STATIONS)
        stations = f"{station} {station % STATIONS + 1}" if index % 10 == 0 else str(station)
        writer.writerow(
            [
                f"Наблюдатель Номер {index + 1}",
                f"8 701 {index // 10_000:03d} {index % 10_000:04d}",
                f"observer{index + 1}@example.org" if index % 3 else "",
                ("kk", "ru", "en")[index % 3],
                stations,
                "yes" if index % 20 == 0 else "no",
            ]
        )
    return out.getvalue().encode()


def timed(label: str, action):
    started = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - started
    print(f"{label:<40} {seconds:7.2f} s")
    return seconds, result


def run(observers: int, cards: int) -> dict[str, float]:
    from people.cards import cards_for, cards_pdf
    from people.codes import codes_issue
    from people.models import Membership, Organization
    from people.onboarding import observers_import, read_observer_file

    election = build_stations()
    organization = Organization.objects.create(
        name="Benchmark Watch", slug="bench", hotline="+7 700 100 0000"
    )
    data = observer_csv(observers)
    figures = {"parse": timed("read and check the file only", lambda: read_observer_file(data))[0]}

    def load():
        return observers_import(organization=organization, election=election, data=data, by=None)

    figures["first"], first = timed(f"first import ({observers:,} created)", load)
    figures["again"], again = timed(f"same file again ({observers:,} updated)", load)
    if (first.created, again.updated, again.created) != (observers, observers, 0):
        sys.exit(f"unexpected counts: {first} then {again}")
    chosen = Membership.objects.filter(organization=organization).order_by("pk")[:cards]
    chosen = Membership.objects.filter(pk__in=list(chosen.values_list("pk", flat=True)))
    figures["codes"], issued = timed(
        f"issue {cards:,} sign-in codes", lambda: codes_issue(memberships=chosen, by=None)
    )
    figures["cards"], pdf = timed(
        f"cards PDF for {cards:,} observers",
        lambda: cards_pdf(cards_for(issued), login_url="https://baqylau.example.org/observe/login/"),
    )
    figures["pdf_mb"] = len(pdf) / 2**20
    print(f"{'cards PDF size':<40} {figures['pdf_mb']:7.2f} MB, {(cards + 7) // 8} pages")
    return figures


def machine() -> str:
    import django

    return (
        f"{os.cpu_count()} CPUs, {platform.machine()}, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, Django {django.get_version()}"
    )


def section(observers: int, cards: int, figures: dict[str, float]) -> str:
    def verdict(seconds: float) -> str:
        return "met" if seconds <= TARGET_SECONDS else "**missed**"

    return f"""{HEADING}

`bench/onboarding.py`: a deterministic CSV of {observers:,} observers over {STATIONS:,} stations, loaded
with `observers_import` into a fresh SQLite file (WAL, the project's settings); then sign-in codes
for {cards:,} of them and their cards PDF ({(cards + 7) // 8} A4 pages of eight cards, a QR code each).
Targets: import in at most {TARGET_SECONDS:.0f} s ({verdict(figures["first"])}), cards in at most
{TARGET_SECONDS:.0f} s ({verdict(figures["cards"])}).

| Step | Seconds |
| --- | ---: |
| First import ({observers:,} observers created, with their stations) | {figures["first"]:.2f} |
| Same file again (everyone found by phone, nothing to write) | {figures["again"]:.2f} |
| of which reading and checking the file, each time | {figures["parse"]:.2f} |
| Issuing {cards:,} sign-in codes | {figures["codes"]:.2f} |
| Cards PDF for {cards:,} observers ({figures["pdf_mb"]:.1f} MB) | {figures["cards"]:.2f} |

Recorded {date.today():%Y-%m-%d} on {machine()}.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--observers", type=int, default=20_000, help="how many observers (default 20000)")
    parser.add_argument("--cards", type=int, default=2_000, help="how many cards (default 2000)")
    parser.add_argument("--record", action="store_true", help="write the figures into docs/benchmarks.md")
    args = parser.parse_args()
    if not 1 <= args.cards <= args.observers:
        parser.error("--cards must be between 1 and --observers")
    with tempfile.TemporaryDirectory(prefix="baqylau-bench-") as directory:
        setup_django(Path(directory) / "bench.sqlite3")
        from django.db import connections

        print(f"Observer onboarding, {args.observers:,} observers and {args.cards:,} cards: {machine()}")
        figures = run(args.observers, args.cards)
        connections.close_all()
    if args.record:
        record_section(HEADING, section(args.observers, args.cards, figures))
        print(f"Recorded in {BENCHMARKS_MD.relative_to(ROOT)}.")
    for name, label in (("first", "import"), ("cards", "cards PDF")):
        if figures[name] > TARGET_SECONDS:
            print(f"The {label} took longer than the {TARGET_SECONDS:.0f} s target.")


if __name__ == "__main__":
    main()
