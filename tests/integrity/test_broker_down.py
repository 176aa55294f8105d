"""A review made while the broker is down: saved, answered, and its recompute asked for again later.

The review commits first; the recompute it asks for is enqueued after the commit, outside any
transaction, where Django runs a robust hook at once and logs its failure. The broker here is a
closed port on loopback (a stopped Redis), the cache a real Redis that still answers.
"""

import logging
import time
import uuid
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from integrity.tasks import pending_key, request_recompute
from reports.models import IncidentReport, ReportEvent
from reports.services import report_submit
from tests.integrity.test_scores import tasks_sent_to
from tests.reports.test_review_admin import in_group, review

STOPPED_BROKER = "redis://127.0.0.1:1/0"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def redis_cache(redis_url, settings):
    settings.CACHES = {"default": {"BACKEND": "core.cache.ResilientRedisCache", "LOCATION": redis_url}}
    return redis_url


@pytest.fixture
def stopped_broker(settings):
    with tasks_sent_to(STOPPED_BROKER):
        settings.CELERY_TASK_ALWAYS_EAGER = False
        yield


@pytest.fixture
def report(election, observer, station):
    election.date = timezone.localdate()
    election.save()
    submitted, _ = report_submit(
        observer=observer,
        id=uuid.uuid4(),
        station_id=station.pk,
        category="ballot_stuffing",
        phase="voting",
        occurred_at=timezone.now() - timedelta(minutes=5),
    )
    return submitted


def test_a_verification_in_the_admin_is_saved_and_answered_while_the_broker_is_down(
    client, reviewer, report, redis_cache, stopped_broker, caplog
):
    client.force_login(in_group(reviewer, "Reviewer"))
    with caplog.at_level(logging.ERROR, logger="django.db.backends.base"):
        response = review(client, report, "verify")

    assert response.status_code == 302
    assert response["Location"].endswith(f"/admin/reports/incidentreport/{report.pk}/change/")
    assert IncidentReport.objects.get(pk=report.pk).status == "verified"
    assert ReportEvent.objects.filter(report=report, action="verify", actor=reviewer).count() == 1
    # The failure is logged under the hook's name, and the mark is cleared for the next change.
    assert any("enqueue_recompute" in record.getMessage() for record in caplog.records)
    assert cache.get(pending_key(report.election_id)) is None


def test_the_next_change_after_the_broker_is_back_enqueues_the_recompute(
    election, redis_cache, stopped_broker
):
    request_recompute(election.pk)
    assert cache.get(pending_key(election.pk)) is None

    queue = redis.Redis.from_url(redis_cache)
    with tasks_sent_to(redis_cache):
        request_recompute(election.pk)
        request_recompute(election.pk)
    assert queue.llen("celery") == 1
    # The mark holds when the recompute is due.
    assert abs(cache.get(pending_key(election.pk)) - time.time() - settings.SCORE_COALESCE_SECONDS) < 5


def test_inside_a_transaction_the_request_waits_for_the_commit_and_a_failure_spares_the_commit(
    election, report, redis_cache, stopped_broker
):
    with transaction.atomic():
        IncidentReport.objects.filter(pk=report.pk).update(status="verified")
        request_recompute(election.pk)
    assert IncidentReport.objects.get(pk=report.pk).status == "verified"
    assert cache.get(pending_key(election.pk)) is None
