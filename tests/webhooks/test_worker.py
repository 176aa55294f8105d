"""A webhook delivered through a real Redis and a real `celery worker` process, retry included.

Like tests/integrity/test_scores_worker.py, the worker runs in its own process against the test
database, so this needs PostgreSQL, and it commits for real. It uses Redis database 7.
"""

from urllib.parse import urlparse

import pytest
import redis as redis_client
from django.db import connection

from reports.services.review import report_verify
from tests.integrity.test_scores import tasks_sent_to
from tests.integrity.test_scores_worker import Worker, wait_for
from tests.services import TEST_REDIS_URL, port_answers, unavailable
from webhooks.models import WebhookDelivery

from .conftest import verify_signature

WEBHOOK_REDIS_URL = urlparse(TEST_REDIS_URL)._replace(path="/7").geturl()

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the worker process must reach the test database, and SQLite's lives in this process's memory",
    ),
]


@pytest.fixture
def worker(settings, tmp_path):
    if not port_answers(WEBHOOK_REDIS_URL):
        unavailable(f"no Redis answers at {WEBHOOK_REDIS_URL} (start redis-server to run this test)")
    client = redis_client.Redis.from_url(WEBHOOK_REDIS_URL)
    client.flushdb()
    client.close()
    running = Worker(WEBHOOK_REDIS_URL, tmp_path / "worker.log")
    # The receiver listens on 127.0.0.1, and a one-second back-off keeps the retry quick.
    running.env |= {"BAQYLAU_WEBHOOK_ALLOW_PRIVATE_HOSTS": "true", "BAQYLAU_WEBHOOK_RETRY_BASE_SECONDS": "1"}
    with tasks_sent_to(WEBHOOK_REDIS_URL):
        settings.CELERY_TASK_ALWAYS_EAGER = False
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": WEBHOOK_REDIS_URL,
            }
        }
        try:
            yield running
        finally:
            running.stop_all()


def test_a_verified_report_reaches_the_receiver_through_the_worker_after_one_failure(
    worker, endpoint, receiver, make_report, station, reviewer
):
    worker.start()
    receiver.statuses = [500]
    report = make_report(station)

    report_verify(report=report, by=reviewer)
    delivered = wait_for(
        lambda: WebhookDelivery.objects.filter(status="delivered").first(), seconds=30, every=0.1
    )

    assert delivered is not None, f"nothing delivered within 30 s:\n{worker.log.read_text()[-3000:]}"
    assert delivered.attempts == 2
    assert [r.headers["X-Baqylau-Delivery"] for r in receiver.requests] == [str(delivered.event_id)] * 2
    assert all(verify_signature(endpoint.plain_secret, r) for r in receiver.requests)
    assert receiver.requests[1].json()["data"]["id"] == str(report.pk)
