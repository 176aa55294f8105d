"""The scores with a real Redis and a real `celery worker` process on loopback.

The worker runs in its own process against the test database, so these tests need PostgreSQL
(the SQLite test database lives in this process's memory) and commit for real.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from integrity.models import DistrictScore, DistrictScoreHistory, ScoreRun, StationIndicator
from integrity.services import scores_recompute
from integrity.tasks import scores_recompute_all, scores_recompute_task
from people.models import Membership, Organization, Role
from reports.models import CheckIn, IncidentReport
from reports.services import report_verify
from stations.models import District, Election, PollingStation, Region
from tests.integrity.test_scores import tasks_sent_to

CELERY = Path(sys.executable).with_name("celery")
ROOT = Path(__file__).resolve().parents[2]
# The kill test needs a recompute that lasts long enough to be interrupted: this many reports
# take about a second to gather and score on a laptop.
DISTRICTS, STATIONS_PER_DISTRICT, REPORTS = 20, 50, 30_000

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the worker process must reach the test database, and SQLite's lives in this process's memory",
    ),
]


def database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """`celery worker` in a subprocess, killed at the end whatever happens."""

    def __init__(self, redis_url: str, log: Path):
        self.env = {
            **os.environ,
            "REDIS_URL": redis_url,
            "DATABASE_URL": database_url(),
            "DJANGO_SECRET_KEY": "tests-only-secret-key",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        self.log, self.processes = log, []

    def start(self) -> subprocess.Popen:
        command = [str(CELERY), "-A", "config", "worker", "--pool=solo", "--concurrency=1"]
        command += ["--without-heartbeat", "--without-gossip", "--without-mingle", "-Q", "celery"]
        command += ["--loglevel=INFO", f"--hostname=scores-test-{len(self.processes)}@%h"]
        with self.log.open("ab") as out:
            process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        self.processes.append(process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"the worker exited with {process.returncode}:\n{self.log.read_text()[-3000:]}")
            if celery_app.control.ping(timeout=0.5):
                return process
        pytest.fail(f"the worker did not answer within 60 s:\n{self.log.read_text()[-3000:]}")

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)


@pytest.fixture
def worker(redis_url, settings, tmp_path):
    running = Worker(redis_url, tmp_path / "worker.log")
    with tasks_sent_to(redis_url):
        settings.CELERY_TASK_ALWAYS_EAGER = False
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
        }
        try:
            yield running
        finally:
            running.stop_all()


def build_election(slug: str, *, reports: int) -> tuple[Election, list[IncidentReport]]:
    """Districts of observed stations with submitted reports, made with bulk_create."""
    election = Election.objects.create(slug=slug, name=slug, date=timezone.localdate())
    region = Region.objects.create(election=election, name="Region")
    districts = District.objects.bulk_create(
        District(election=election, number=d + 1, name=f"District {d + 1}", region=region)
        for d in range(DISTRICTS)
    )
    stations = PollingStation.objects.bulk_create(
        PollingStation(
            election=election, number=f"{d.number}-{n}", region=region, district=d, in_sample=n < 10
        )
        for d in districts
        for n in range(STATIONS_PER_DISTRICT)
    )
    organization = Organization.objects.create(name=f"{slug} watch", slug=f"{slug}-watch")
    observer = django_user("observer", organization, Role.OBSERVER)
    now = timezone.now()
    CheckIn.objects.bulk_create(
        CheckIn(
            observer=observer, organization=organization, election=election, station=s, kind="arrival", at=now
        )
        for s in stations
    )
    categories = ("ballot_stuffing", "intimidation", "procedural", "vote_buying")
    created = IncidentReport.objects.bulk_create(
        (
            IncidentReport(
                observer=observer,
                organization=organization,
                election=election,
                station=stations[(n * 7) % len(stations)],
                category=categories[n % 4],
                severity=(5, 3, 1, 3)[n % 4],
                phase="voting",
                occurred_at=now - timedelta(minutes=n % 600),
                status=("submitted", "verified", "rejected")[n % 3],
            )
            for n in range(reports)
        ),
        batch_size=5000,
    )
    return election, created


def django_user(username: str, organization: Organization, role: str, **fields):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username, password="pw-for-tests-only", **fields)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


def wait_for(condition, *, seconds: float, every: float = 0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    return None


def test_verifying_a_report_changes_its_district_score_through_the_worker_within_10_seconds(worker):
    worker.start()
    election, reports = build_election("worker-verify", reports=40)
    first = scores_recompute(election_id=election.pk)
    report = reports[0]  # submitted, at the first station of district 1
    district_id = report.station.district_id
    before = DistrictScore.objects.get(district_id=district_id)
    reviewer = django_user("reviewer", report.organization, Role.REVIEWER, is_staff=True)

    started = time.monotonic()
    report_verify(report=report, by=reviewer)
    after = wait_for(
        lambda: DistrictScore.objects.filter(district_id=district_id, run_id__gt=first.pk).first(), seconds=10
    )
    assert after is not None, f"no new score within 10 s:\n{worker.log.read_text()[-3000:]}"
    assert time.monotonic() - started <= 10
    assert after.components["severities"]["5"]["events"] > before.components["severities"]["5"]["events"]
    assert after.score < before.score


def test_a_worker_killed_during_a_recompute_leaves_the_last_published_scores_and_the_beat_repairs(worker):
    election, _ = build_election("worker-kill", reports=REPORTS)
    published = scores_recompute(election_id=election.pk)
    IncidentReport.objects.filter(election=election, status="submitted").update(status="verified")
    process = worker.start()

    scores_recompute_task.delay(election.pk)
    killed = wait_for(
        lambda: ScoreRun.objects.filter(election=election, pk__gt=published.pk, status="running").first(),
        seconds=30,
        every=0.005,
    )
    assert killed is not None, f"the recompute never started:\n{worker.log.read_text()[-3000:]}"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)

    killed.refresh_from_db()
    assert (killed.status, killed.finished_at) == ("running", None), "the kill came after the run finished"
    scores = DistrictScore.objects.filter(election=election)
    assert scores.count() == DISTRICTS
    assert set(scores.values_list("run_id", flat=True)) == {published.pk}
    assert set(DistrictScoreHistory.objects.filter(election=election).values_list("run_id", flat=True)) == {
        published.pk
    }
    assert set(StationIndicator.objects.filter(election=election).values_list("run_id", flat=True)) == {
        published.pk
    }

    worker.start()
    scores_recompute_all.delay()
    repaired = wait_for(
        lambda: ScoreRun.objects.filter(election=election, pk__gt=killed.pk, status="finished").first(),
        seconds=60,
    )
    assert repaired is not None, f"the beat path did not recompute:\n{worker.log.read_text()[-3000:]}"
    assert set(scores.values_list("run_id", flat=True)) == {repaired.pk}
    assert DistrictScoreHistory.objects.filter(run=repaired).count() == DISTRICTS
    assert not DistrictScoreHistory.objects.filter(run=killed).exists()
    assert repaired.inputs_digest != published.inputs_digest  # the verifications are in
