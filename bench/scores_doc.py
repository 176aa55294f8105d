"""The integrity-score benchmark's section of docs/benchmarks.md: one block per database measured,
so that recording SQLite leaves the PostgreSQL figures in place and the other way round."""

import os
import platform
import sqlite3
from datetime import date

from _record import recorded_section
from scores_data import DISTRICTS, OBSERVED_SHARE, SAMPLE_SHARE

HEADING = "## Integrity scores (10,000 stations, 1,000,000 reports)"
FULL_TARGET, DISTRICT_TARGET = 3.0, 0.1
VENDOR_NAMES = {"sqlite": "SQLite (WAL)", "postgresql": "PostgreSQL"}


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
        f"Python {platform.python_version()}, {database}, Django {django.get_version()}, "
        f"numpy {numpy.__version__}"
    )


def verdict(seconds: float, target: float) -> str:
    return "met" if seconds <= target else "**missed**"


def _row(label: str, timing: dict | float, target: str = "") -> str:
    if isinstance(timing, dict):
        return f"| {label} | {timing['best']:.3f} | {timing['median']:.3f} | {target} |"
    return f"| {label} | {timing:.3f} | | {target} |"


def vendor_block(figures: dict) -> str:
    full, district = figures["full"], figures["district"]
    rows = [
        _row("Full recompute, the first (every station indicator written)", figures["first"]),
        _row(
            "Full recompute, inputs unchanged",
            full,
            f"≤ 3 s ({verdict(full['best'], FULL_TARGET)})",
        ),
        _row("Full recompute after 500 verifications", figures["reviewed"]),
        _row(
            "One district, `score_district`",
            district,
            f"≤ 0.1 s ({verdict(district['best'], DISTRICT_TARGET)})",
        ),
        _row(
            f"of which its reports query ({figures['district_reports']:,} reports)", figures["district_query"]
        ),
        _row("Raw SQL `GROUP BY station_id, category` over all reports", figures["group_by"]),
    ]
    steps = "\n".join(f"| {name} | {seconds:.3f} |" for name, seconds in figures["steps"].items())
    before, after = ("{:.1f} / {:.1f} / {:.1f}".format(*figures[k]) for k in ("load_before", "load_after"))
    return f"""### {VENDOR_NAMES[figures["vendor"]]}

| Path | Best (s) | Median (s) | Target |
| --- | ---: | ---: | --- |
{chr(10).join(rows)}

Where the time of one full recompute goes (each step timed on its own, best of {figures["runs"]}):

| Step | Seconds |
| --- | ---: |
{steps}

The benchmark's own process used {full["cpu"]:.2f} s of CPU in the best full recompute (on SQLite
that includes the database's work; PostgreSQL works in its own process).

Recorded {date.today():%Y-%m-%d} on {figures["machine"]}.
Load average {before} before the runs and {after} after.
"""


def section(blocks: dict[str, str], runs: int) -> str:
    body = "\n".join(blocks[vendor] for vendor in VENDOR_NAMES if vendor in blocks)
    sample, observed = SAMPLE_SHARE * 100, OBSERVED_SHARE * 100
    return f"""{HEADING}

`bench/scores.py`: a deterministic election of 10,000 stations in {DISTRICTS} districts of uneven
size ({sample:.0f} % of stations in the random sample), check-ins at {observed:.0f} % of them, and
1,000,000 reports (categories weighted towards procedural ones, one severity in twenty changed by
a reviewer, 35 % submitted, 40 % verified, 10 % rejected, 15 % questioned, 30 % with a photo,
times over election day, some stations drawing several times the median's reports). Best and
median of {runs} runs after a warm-up: other work on the machine only ever slows a run down, so
the best is the closest to the code's own cost, and the load average says how busy it was.

The full recompute is `scores_recompute`. One query reads every report as four integer columns
(station, observer, time in microseconds, and a code packing category, severity, review state
and whether a verified report has a photo), each aggregated by the database into one text that
numpy parses; the evidence levels (corroboration by another observer within 60 minutes included)
are then computed with numpy, not with `with_evidence()`'s correlated subquery per report. Then
the station indicators and district inputs; empirical-Bayes shrinkage and 2,000 Monte Carlo draws
per district; and the run, the current scores, their history and the station indicators that
changed, written in one transaction. One district is `score_district`: only its reports and
stations are read, and it is scored against the priors the last published run stored, with that
run's seed and its own random stream, so an unchanged district gives its published numbers.

Targets: full recompute at most 3 s, one district at most 100 ms (DESIGN.md, "Performance
budget"). The raw `GROUP BY` is the floor of any query that reads every report; the first step
below is the recompute's own query over the same reports.

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
