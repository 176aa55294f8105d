"""How long a checklist's results take: 1,000 sampled stations (and 2,000 observed outside the
sample) answering a checklist of 60 questions, in an election of 10,000 stations in 29 districts.

    .venv/bin/python bench/checklist_results.py [--database-url postgres://...] [--runs 5] [--record]

Builds a throw-away database (a fresh SQLite file by default; with --database-url, a PostgreSQL
database created next to the one the URL names and dropped at the end) and fills it with
bulk_create: the stations, one organization's checklist of 60 questions of every kind (30 yes/no,
10 one choice, 5 several choices, 8 whole numbers, 3 times, 2 texts, 2 photos; 9 questions shown
only after an earlier answer) published in two versions, and the submissions, one in ten of the
stations sending an earlier one that the latest replaces. Then times:

- `checklist_results` with the national figures (every question, every answer): the console's
  page and the partner endpoint without a district; target at most 1 s on PostgreSQL;
- the same with one district's figures, and with the figures of every district as well (the
  whole CSV);
- where the time goes: reading the submissions, and the arithmetic.

Best and median of --runs runs after a warm-up, with the CPU time of the best and the load
average. `--record` writes this benchmark's section of docs/benchmarks.md.
"""

import argparse
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from _record import BENCHMARKS_MD, record_section
from scores_data import ROOT, postgres_database, setup_django

HEADING = "## Checklist results (1,000 sampled stations, 60 questions)"
TARGET = 1.0
SEED = 2023
STATIONS, DISTRICTS, SAMPLED, OBSERVED_OUTSIDE = 10_000, 29, 1_000, 2_000
KINDS = [
    ("yes_no", 30),
    ("choice", 10),
    ("choices", 5),
    ("number", 8),
    ("time", 3),
    ("text", 2),
    ("photo", 2),
]
ANSWERED_AT = datetime(2023, 3, 19, 2, 0, tzinfo=UTC)


def build_stations(rng):
    from stations.models import District, Election, PollingStation, Region

    election = Election.objects.create(slug="bench-2023", name="Benchmark election", date=date(2023, 3, 19))
    region = Region.objects.create(election=election, name="Region")
    districts = District.objects.bulk_create(
        District(election=election, number=d + 1, name=f"District {d + 1}", region=region)
        for d in range(DISTRICTS)
    )
    sizes = rng.gamma(4.0, 1.0, DISTRICTS)
    district_of = rng.choice(DISTRICTS, size=STATIONS, p=sizes / sizes.sum())
    district_of[:DISTRICTS] = range(DISTRICTS)
    sampled = set(rng.choice(STATIONS, size=SAMPLED, replace=False).tolist())
    PollingStation.objects.bulk_create(
        (
            PollingStation(
                election=election,
                number=f"{n + 1:05d}",
                region=region,
                district=districts[d],
                registered_voters=1000,
                in_sample=n in sampled,
            )
            for n, d in enumerate(district_of.tolist())
        ),
        batch_size=2000,
    )
    return election


def build_checklist(election, organization):
    """60 questions; every third yes/no from the fourth on is shown only when the one before it is no."""
    from checklists.models import Checklist, Choice, Question, Section
    from checklists.services import checklist_publish

    checklist = Checklist.objects.create(
        organization=organization, election=election, code="voting", phase="voting", name_en="Voting"
    )
    section = Section.objects.create(checklist=checklist, order=1, title_en="Voting")
    kinds = [kind for kind, count in KINDS for _ in range(count)]
    questions = []
    for index, kind in enumerate(kinds):
        condition = {}
        if kind == "yes_no" and index % 3 == 0 and index > 0:
            condition = {"show_if_question": f"q{index - 1:02d}", "show_if_equals": "false"}
        questions.append(
            Question.objects.create(
                checklist=checklist,
                section=section,
                order=index,
                code=f"q{index:02d}",
                kind=kind,
                label_en=f"Question {index}",
                min_value=0 if kind == "number" else None,
                **condition,
            )
        )
    for question in questions:
        if question.kind in ("choice", "choices"):
            Choice.objects.bulk_create(
                Choice(question=question, order=c, code=f"c{c}", label_en=f"Choice {c}") for c in range(5)
            )
    first = checklist_publish(checklist=checklist, by=None)
    Question.objects.filter(pk=questions[-1].pk).update(label_en="Photo of the protocol")
    return first, checklist_publish(checklist=checklist, by=None)


def answers_for(definition: dict, rng) -> dict:
    from checklists.validation import questions_of, validate

    answers = {}
    for question in questions_of(definition):
        kind, code = question["kind"], question["code"]
        if kind == "yes_no":
            answers[code] = bool(rng.random() < 0.85)
        elif kind == "choice":
            answers[code] = f"c{int(rng.integers(0, 5))}"
        elif kind == "choices":
            answers[code] = [f"c{c}" for c in range(5) if rng.random() < 0.3] or ["c0"]
        elif kind == "number":
            answers[code] = int(rng.integers(0, 2000))
        elif kind == "time":
            answers[code] = f"{int(rng.integers(6, 9)):02d}:{int(rng.integers(0, 60)):02d}"
        elif kind == "text":
            answers[code] = "Everything as the law requires."
    return validate(definition, answers).answers  # hidden questions dropped, as the server does


def fill() -> None:
    import numpy as np
    from django.contrib.auth import get_user_model

    from checklists.models import Submission, SubmissionPhoto
    from people.models import Organization
    from stations.models import PollingStation

    rng = np.random.default_rng(SEED)
    election = build_stations(rng)
    organization = Organization.objects.create(name="Watch", slug="watch")
    first, latest = build_checklist(election, organization)
    stations = list(
        PollingStation.objects.filter(election=election).order_by("pk").values_list("pk", "in_sample")
    )
    outside = [pk for pk, in_sample in stations if not in_sample]
    observed = [pk for pk, in_sample in stations if in_sample] + rng.choice(
        outside, OBSERVED_OUTSIDE, replace=False
    ).tolist()
    user = get_user_model().objects.create_user("observer")
    submissions = []
    for n, station in enumerate(observed):
        for version, hours in ((first, -2), (latest, 0)) if n % 10 == 0 else ((latest, 0),):
            submissions.append(
                Submission(
                    version=version,
                    observer=user,
                    organization=organization,
                    election=election,
                    station_id=station,
                    answered_at=ANSWERED_AT + timedelta(hours=hours),
                    answers=answers_for(version.definition, rng),
                )
            )
    Submission.objects.bulk_create(submissions, batch_size=1000)
    SubmissionPhoto.objects.bulk_create(
        (
            SubmissionPhoto(
                submission=submission,
                question=code,
                image=f"checklists/{submission.pk}/{code}.jpg",
                thumbnail=f"checklists/{submission.pk}/{code}-thumb.jpg",
                width=64,
                height=48,
                size_bytes=1000,
                sha256="0" * 64,
            )
            for submission in submissions[::3]
            for code in ("q58", "q59")
        ),
        batch_size=1000,
    )


def measure_runs(function, runs: int) -> dict:
    function()  # warm-up: the database's pages, numpy's first calls
    results = []
    for _ in range(runs):
        cpu, started = time.process_time(), time.perf_counter()
        function()
        results.append((time.perf_counter() - started, time.process_time() - cpu))
    best = min(results)
    return {"best": best[0], "median": statistics.median(r[0] for r in results), "cpu": best[1]}


def run(runs: int) -> dict:
    from django.db import connection

    from checklists.models import Checklist, Submission
    from checklists.results import checklist_results, latest_answers
    from stations.models import District, Election

    started = time.perf_counter()
    fill()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"fill the database: {time.perf_counter() - started:.1f} s")
    election = Election.objects.get(slug="bench-2023")
    checklists = Checklist.objects.filter(election=election, code="voting")

    def national():
        return checklist_results(election=election, checklists=checklists).national()

    def one_district():
        return checklist_results(election=election, checklists=checklists).district(0)

    def every_scope():
        results = checklist_results(election=election, checklists=checklists)
        return [results.national(), *(results.district(h) for h in range(len(results.districts)))]

    def reading():
        index = {
            pk: h
            for h, pk in enumerate(District.objects.filter(election=election).values_list("pk", flat=True))
        }
        return latest_answers(
            Submission.objects.filter(election=election, version__checklist__in=checklists), index
        )

    lines = national()
    figures = {
        "vendor": connection.vendor,
        "runs": runs,
        "questions": len(lines),
        "answers": sum(len(line.answers) for line in lines),
        "submissions": Submission.objects.filter(election=election).count(),
        "national": measure_runs(national, runs),
        "district": measure_runs(one_district, runs),
        "every": measure_runs(every_scope, runs),
        "reading": measure_runs(reading, runs),
    }
    figures["arithmetic"] = max(figures["national"]["best"] - figures["reading"]["best"], 0.0)
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
        f"Python {platform.python_version()}, numpy {numpy.__version__}, {database}, "
        f"Django {django.get_version()}"
    )


def report(label: str, timing: dict) -> str:
    line = f"| {label} | {timing['best']:.3f} s | {timing['median']:.3f} s | {timing['cpu']:.3f} s |"
    print(f"{label}: best {timing['best']:.3f} s, median {timing['median']:.3f} s, CPU {timing['cpu']:.3f} s")
    return line


def section(figures: dict) -> str:
    rows = "\n".join(
        [
            report("National figures (page, partner endpoint)", figures["national"]),
            report("One district's figures", figures["district"]),
            report("National and every district (the CSV)", figures["every"]),
            report("Of which: reading the latest submissions", figures["reading"]),
        ]
    )
    verdict = "met" if figures["national"]["best"] <= TARGET else "NOT met"
    return f"""{HEADING}

`bench/checklist_results.py`: an election of {STATIONS:,} stations in {DISTRICTS} districts of uneven
size, {SAMPLED:,} of them in the random sample; a checklist of {figures["questions"]} questions
({figures["answers"]} answers that get a share or a mean; 9 questions shown only after an earlier
answer; two versions) answered at the {SAMPLED:,} sampled stations and {OBSERVED_OUTSIDE:,} others,
one station in ten sending an earlier submission that its latest replaces
({figures["submissions"]:,} submissions). Best and median of {figures["runs"]} runs after a
warm-up, with the CPU time of the best run.

| {figures["database"]} | best | median | CPU |
| --- | ---: | ---: | ---: |
{rows}

Target: the national figures in at most {TARGET:g} s ({verdict}). Of the best national run,
{figures["reading"]["best"]:.3f} s read the latest submissions (one query for the answers, one
for the photos) and {figures["arithmetic"]:.3f} s the rest: a query each for the versions and the
districts, and turning the answers into each answer's sums per district and the estimates.

Machine: {figures["machine"]}; load average {figures["load_before"]:.1f} before and
{figures["load_after"]:.1f} after.
"""


def measure(database_url: str | None, runs: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="baqylau-bench-") as directory:
        name = f"baqylau_bench_checklists_{os.getpid()}"
        url = postgres_database(database_url, name, create=True) if database_url else None
        try:
            setup_django(url or f"sqlite:///{Path(directory) / 'bench.sqlite3'}")
            from django.db import connections

            load_before = os.getloadavg()[0]
            print(f"Checklist results, {SAMPLED:,} sampled stations, 60 questions")
            figures = run(runs)
            figures.update(
                load_before=load_before,
                load_after=os.getloadavg()[0],
                machine=machine(figures["vendor"]),
                database="PostgreSQL" if figures["vendor"] == "postgresql" else "SQLite",
            )
            connections.close_all()
        finally:
            if database_url:
                postgres_database(database_url, name, create=False)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL URL whose server gets a throw-away database")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure (default 5)")
    parser.add_argument("--record", action="store_true", help="write the figures into docs/benchmarks.md")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    figures = measure(args.database_url, args.runs)
    text = section(figures)
    print(figures["machine"])
    if args.record:
        record_section(HEADING, text)
        print(f"Recorded in {BENCHMARKS_MD.relative_to(ROOT)}.")
    if figures["national"]["best"] > TARGET:
        print(f"The national figures took longer than the {TARGET:g} s target, even in the best run.")


if __name__ == "__main__":
    sys.exit(main())
