"""The figures of bench/election_day.py: per endpoint from the answers, the rows stored against
them (read back by the ids sent), the CPU, the verdicts against issue #14's targets, and the
section it writes into docs/benchmarks.md."""

from datetime import date

from election_day_load import (
    CHECKIN,
    DASHBOARD,
    DISTRICT,
    INCIDENT,
    PROTOCOL,
    READS,
    REPORT_LIST,
    TURNOUT,
    WRITES,
)
from ingest_load import README_THREADS, README_WORKERS
from partner_api import percentile

HEADING = (
    "## Election day: polls closed (10,000 stations, 1,000,000 reports, N stations closing in 5 minutes)"
)
# p95 targets in seconds (issue #14); the partner API's polls have none of their own.
TARGETS = {
    CHECKIN: 0.3, TURNOUT: 0.3, PROTOCOL: 2.0, INCIDENT: 2.0, DASHBOARD: 0.5, REPORT_LIST: 0.5, DISTRICT: 0.5,
}  # fmt: skip
SCORES_TARGET_SECONDS = 120


def endpoint(answers, label: str, seconds: float) -> dict:
    times = [a.seconds for a in answers]
    statuses = [a.status for a in answers]
    row = {
        "label": label,
        "requests": len(answers),
        "rate": len(answers) / seconds if seconds else 0.0,
        "ok": sum(200 <= s < 300 for s in statuses),
        "4xx": sum(400 <= s < 500 for s in statuses),
        "5xx": sum(s >= 500 for s in statuses),
        "failed": sum(s == 0 for s in statuses),
    }
    for name, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
        row[name] = percentile(times, share) if times else 0.0
    return row


def stored(answers, label: str) -> dict:
    """The rows of the ids sent: each 2xx stored (a primary key is stored once at most), a row
    stored after an error answer only whole, and no row of these observers that was not sent."""
    from core.storage import photo_storage
    from counts.models import ProtocolCopy, TurnoutCount
    from reports.models import CheckIn, IncidentReport, ReportPhoto

    model = {CHECKIN: CheckIn, TURNOUT: TurnoutCount, PROTOCOL: ProtocolCopy, INCIDENT: IncidentReport}[label]
    sent = {a.id: a for a in answers}
    ok = {a.id for a in answers if 200 <= a.status < 300}
    rows = set(map(str, model.objects.filter(pk__in=list(sent)).values_list("pk", flat=True)))
    mine = model.objects.filter(observer__username__startswith="closing").count()
    incomplete = set()
    store = photo_storage()
    if label == PROTOCOL:
        for pk, image in ProtocolCopy.objects.filter(pk__in=list(rows)).values_list("pk", "image"):
            if not image or not store.exists(image):
                incomplete.add(str(pk))
    if label == INCIDENT:
        photos = {}
        for report, image in ReportPhoto.objects.filter(report_id__in=list(rows)).values_list(
            "report_id", "image"
        ):
            photos.setdefault(str(report), []).append(bool(image) and store.exists(image))
        for pk in rows:
            if len(photos.get(pk, [])) != sent[pk].photos or not all(photos.get(pk, [])):
                incomplete.add(pk)
    return {
        "stored": len(rows),
        "lost": len(ok - rows),
        "stored_after_error": len(rows - ok),
        "incomplete": len(incomplete),
        "unsent_rows": mine - len(rows),
    }


def figures_for(log, cast, sampled, seconds, window_end, cpu, photo_metric, waited, window_start=0.0) -> dict:
    """Everything one run measured; `photo_metric` is the product's (seconds, photos) before and after."""
    photos_before, photos_after = photo_metric
    rows = []
    for label in WRITES:
        answers = [a for a in log.answers if a.endpoint == label]
        rows.append({**endpoint(answers, label, seconds), **stored(answers, label)})
    for label in READS:
        answers = [a for a in log.answers if a.endpoint == label and window_start <= a.sent <= window_end]
        rows.append(endpoint(answers, label, seconds))
    photos = sum(a.photos for a in log.answers if 200 <= a.status < 300)
    metric_seconds = photos_after[0] - photos_before[0]
    metric_count = photos_after[1] - photos_before[1]
    figures = {
        "sampled": sampled,
        "seconds": seconds,
        "rows": rows,
        "cpu": cpu,
        "photos": photos,
        "photo_metric_ms": metric_seconds * 1000 / metric_count if metric_count else None,
        "photo_metric_count": metric_count,
        "web_cpu_per_photo_ms": cpu["web"] * 1000 / photos if photos else None,
        "cpu_per_station_ms": (cpu["web"] + cpu["celery"] + cpu["database"]) * 1000 / sampled,
        "scores_seconds": waited["scores"],
        "counts_seconds": waited["counts"],
    }
    figures["missed"] = missed(figures)
    return figures


def missed(figures: dict) -> list[str]:
    found = []
    for row in figures["rows"]:
        target = TARGETS.get(row["label"])
        if row.get("lost"):
            found.append(f"{row['label']}: {row['lost']} answered 2xx but not stored")
        if row.get("incomplete"):
            found.append(f"{row['label']}: {row['incomplete']} stored without all their photos")
        if row.get("unsent_rows"):
            found.append(f"{row['label']}: {row['unsent_rows']} rows stored that were not sent")
        if row["5xx"] or row["failed"]:
            found.append(f"{row['label']}: {row['5xx']} answers 5xx, {row['failed']} connections failed")
        if target is not None and row["p95"] > target:
            found.append(f"{row['label']}: p95 {row['p95'] * 1000:.0f} ms, target {target * 1000:.0f} ms")
    for name, label in (("scores_seconds", "district scores"), ("counts_seconds", "count estimates")):
        waited = figures[name]
        if waited is None or waited > SCORES_TARGET_SECONDS:
            shown = "never within the wait" if waited is None else f"after {waited:.0f} s"
            found.append(f"{label} current {shown}, target {SCORES_TARGET_SECONDS} s")
    return found


def seconds_text(value) -> str:
    return "not within the wait" if value is None else f"{value:.0f} s"


def table(figures: dict) -> str:
    lines = [
        "| Endpoint | Requests | Per s | p50 (ms) | p95 (ms) | p99 (ms) | 4xx | 5xx | Failed | 2xx | Stored "
        "| Lost |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in figures["rows"]:
        store = f"{r['stored']} | {r['lost']}" if "stored" in r else "- | -"
        lines.append(
            f"| {r['label']} | {r['requests']} | {r['rate']:.1f} | {r['p50'] * 1000:.0f} "
            f"| {r['p95'] * 1000:.0f} | {r['p99'] * 1000:.0f} | {r['4xx']} | {r['5xx']} | {r['failed']} "
            f"| {r['ok']} | {store} |"
        )
    return "\n".join(lines)


def summary(figures: dict) -> str:
    cpu = figures["cpu"]
    metric = figures["photo_metric_ms"]
    return (
        f"N = {figures['sampled']}: CPU per station, readers included, "
        f"{figures['cpu_per_station_ms']:.0f} ms "
        f"(web {cpu['web']:.0f} s, Celery {cpu['celery']:.0f} s, PostgreSQL {cpu['database']:.0f} s over "
        f"{figures['seconds']:.0f} s; load generator {cpu['load generator']:.0f} s); "
        f"{figures['photos']} photos stored, processing "
        + (f"{metric:.0f} ms each (the product's metric)" if metric else "not measured")
        + f", web CPU {figures['web_cpu_per_photo_ms'] or 0:.0f} ms per photo (everything the web did, "
        f"over the photos); district scores current {seconds_text(figures['scores_seconds'])} and count "
        f"estimates {seconds_text(figures['counts_seconds'])} after the last protocol copy was answered; "
        f"the load generator's p95 lag behind its schedule {figures['lag_p95'] * 1000:.0f} ms."
    )


def print_run(figures: dict) -> None:
    print(table(figures))
    for row in figures["rows"]:
        if "stored" in row and (row["stored_after_error"] or row["unsent_rows"]):
            print(
                f"{row['label']}: {row['stored_after_error']} stored after an error answer, "
                f"{row['unsent_rows']} rows not sent"
            )
    print(summary(figures))
    print(f"{figures['machine']}; load average {figures['load']:.1f} when the observers started")
    for line in figures["missed"]:
        print(f"Target missed: {line}")
    if not figures["missed"]:
        print("Every target met.")


def section(runs: list[dict], args) -> str:
    verdicts = "\n".join(
        f"- N = {f['sampled']}: " + ("every target met" if not f["missed"] else "; ".join(f["missed"]))
        for f in runs
    )
    blocks = "\n\n".join(f"N = {f['sampled']}:\n\n{table(f)}\n\n{summary(f)}" for f in runs)
    held = [f["sampled"] for f in runs if not f["missed"]]
    largest = (
        f"The largest N measured that holds every target: {max(held)}."
        if held
        else ("No N measured holds every target.")
    )
    return f"""{HEADING}

`bench/election_day.py`: the close of a national election day replayed against README's production
set-up on one machine (gunicorn `config.wsgi` with {README_WORKERS} gthread workers of
{README_THREADS} threads, one Celery worker and one beat, Redis, PostgreSQL; photos on local disk),
on a copy of the election of
`bench/coordinator_pages.py` (10,000 stations, 1,000,000 reports, scores computed), with the
party-list contest and the commission's results of every station. N stations of the random sample
each send, in {args.minutes:g} minutes, a closing check-in, a final turnout count and a protocol copy
with a 2,560 by 1,920 JPEG (about 1.3 MB, EXIF and GPS included); one in five an incident report with
one or two such photos. Meanwhile {args.coordinators} coordinators, signed in with password and code,
load the dashboard every 10 s (every third time also the report list or a district page) and
{args.partners} partners poll the incidents changed since their last poll every 5 s. Latencies are to
the last byte at the client (Python threads on the same machine, a connection per request). The
readers start {args.warm_up:g} s before the observers, as the day's pages were open all day before the
close, and reads are counted while the observers send. "Stored" and "Lost" are read back by the ids sent.

Targets (issue #14): nothing lost, no 5xx, p95 at most 300 ms for JSON posts, 2 s for photo posts and
500 ms for the dashboard, the report list and the district page; district scores and count
estimates current within {SCORES_TARGET_SECONDS} s of the last protocol copy.

{blocks}

{verdicts}

{largest}

Recorded {date.today():%Y-%m-%d} on {runs[-1]["machine"]}; load average when the observers
started: {", ".join(f"{f['load']:.1f} (N = {f['sampled']})" for f in runs)}.
"""
