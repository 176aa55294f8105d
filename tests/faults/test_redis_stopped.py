"""Redis, the broker and the cache, stopped on election day and started again.

A live server whose cache and Celery broker are a redis-server of the test's own. While it is
stopped, observers' reports are taken, a reviewer's verification in the admin is saved and
answered, the load balancer's /readyz stays 200 and the operator's /healthz says 503. Once it is
back, the beat's safety net gets the scores recomputed by a real worker, with the verification in.
"""

import logging
import re
import uuid
from contextlib import contextmanager

import pytest
import requests
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from integrity.models import DistrictScore, ScoreRun
from integrity.services import scores_recompute
from integrity.tasks import scores_recompute_all
from reports.models import CheckIn, IncidentReport, ReportEvent
from tests.faults.conftest import REQUEST_SECONDS, report_fields, server_env, signed_in_cookies
from tests.faults.processes import CeleryWorker, tail, wait_for
from tests.integrity.test_scores import tasks_sent_to
from tests.reports.test_review_admin import in_group

pytestmark = pytest.mark.django_db(transaction=True)

# Ballot stuffing: the category the reports below are filed under.
SEVERITY = "5"


@pytest.fixture
def redis_backed(own_redis, settings):
    """The live server's cache and broker are the test's own Redis, as REDIS_URL would make them."""
    with tasks_sent_to(own_redis.url):
        settings.REDIS_URL = own_redis.url
        settings.CELERY_TASK_ALWAYS_EAGER = False
        settings.CACHES = {
            "default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": own_redis.url}
        }
        yield own_redis


@contextmanager
def worker_for(redis_url: str, tmp_path):
    """A real Celery worker on the test's Redis. On PostgreSQL a `celery worker` process; SQLite's
    test database lives in this process's memory, so there the same worker runs in a thread here."""
    if connection.vendor == "postgresql":
        worker = CeleryWorker(tmp_path / "worker.log", server_env(REDIS_URL=redis_url), name="catch-up")
        try:
            yield worker.start()
        finally:
            worker.stop()
        return
    from celery.contrib.testing.worker import start_worker

    # The embedded worker sets up Celery's logging on the root logger: give the next tests theirs back.
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
            yield worker
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)


def checkin(station, kind: str) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "station": str(station.pk),
        "kind": kind,
        "at": timezone.now().isoformat(),
    }


def verify_in_admin(session: requests.Session, base: str, report: IncidentReport) -> requests.Response:
    """What the reviewer does: open the report's page, then press Verify on its panel."""
    page = session.get(f"{base}/admin/reports/incidentreport/{report.pk}/change/", timeout=REQUEST_SECONDS)
    assert page.status_code == 200, page.text[:500]
    form = page.text[page.text.index('id="verify-form"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    return session.post(
        f"{base}/admin/reports/incidentreport/{report.pk}/review/",
        data={"csrfmiddlewaretoken": token, "step": "verify", "version": version, "note": ""},
        headers={"Referer": page.url},
        allow_redirects=False,
        timeout=REQUEST_SECONDS,
    )


def test_with_redis_stopped_reports_and_reviews_are_taken_and_scores_catch_up_once_it_is_back(
    live_server, redis_backed, phone, station, reviewer, tmp_path
):
    base = live_server.url
    arrived = phone.post(
        f"{base}/api/v1/checkins/", data=checkin(station, "arrival"), timeout=REQUEST_SECONDS
    )
    assert arrived.status_code == 201, arrived.text
    before = phone.post(f"{base}/api/v1/reports/", data=report_fields(station), timeout=REQUEST_SECONDS)
    assert before.status_code == 201, before.text
    published = scores_recompute(election_id=station.election_id)
    baseline = DistrictScore.objects.get(district_id=station.district_id)

    redis_backed.stop()
    during_id = uuid.uuid4()
    during = phone.post(
        f"{base}/api/v1/reports/", data=report_fields(station, during_id), timeout=REQUEST_SECONDS
    )
    assert during.status_code == 201, during.text
    voting = phone.post(f"{base}/api/v1/checkins/", data=checkin(station, "voting"), timeout=REQUEST_SECONDS)
    assert voting.status_code == 201, voting.text
    assert requests.get(f"{base}/readyz", timeout=REQUEST_SECONDS).status_code == 200
    health = requests.get(f"{base}/healthz", timeout=REQUEST_SECONDS)
    assert (health.status_code, health.json()) == (503, {"database": "ok", "broker": "unavailable"})

    reviewer_session = requests.Session()
    reviewer_session.cookies.update(signed_in_cookies(in_group(reviewer, "Reviewer")))
    report = IncidentReport.objects.get(pk=during_id)
    verified = verify_in_admin(reviewer_session, base, report)
    assert verified.status_code == 302, verified.text[:500]
    assert IncidentReport.objects.get(pk=during_id).status == "verified"
    assert ReportEvent.objects.filter(report_id=during_id, action="verify").count() == 1
    # Nothing else ran the scores meanwhile: the only run is the one published before the stop.
    assert list(ScoreRun.objects.values_list("pk", flat=True)) == [published.pk]

    redis_backed.start()
    with worker_for(redis_backed.url, tmp_path):
        scores_recompute_all.delay()  # what beat sends every 5 minutes
        caught_up = wait_for(
            lambda: ScoreRun.objects.filter(pk__gt=published.pk, status="finished").first(), seconds=60
        )
    assert caught_up is not None, f"no recompute after Redis came back:\n{tail(tmp_path / 'worker.log')}"
    score = DistrictScore.objects.get(district_id=station.district_id)
    assert score.run_id == caught_up.pk
    assert caught_up.inputs_digest != published.inputs_digest
    after_events = score.components["severities"][SEVERITY]["events"]
    assert after_events > baseline.components["severities"][SEVERITY]["events"]
    # Each report stored once, whatever was retried or queued meanwhile.
    assert IncidentReport.objects.filter(station=station).count() == 2
    assert CheckIn.objects.filter(station=station).count() == 2
