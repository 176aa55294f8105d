"""Without a broker (no REDIS_URL, tasks eager), a reviewer's verification never waits on a
partner's receiver: the delivery is queued in the outbox and a background thread sends it."""

import threading
import time

import pytest
from django.db import OperationalError

from reports.services.review import report_verify
from tests.integrity.test_scores_worker import wait_for
from webhooks.models import WebhookDelivery
from webhooks.tasks import webhook_deliver

# The thread has its own database connection: it can only read what the test committed.
pytestmark = pytest.mark.django_db(transaction=True)


def unlocked(query):
    """The query's answer; on SQLite's shared in-memory test database the sending thread's write
    locks the table for a moment, which a reader meets as an error rather than a wait."""
    for _ in range(100):
        try:
            return query()
        except OperationalError as error:
            if "locked" not in str(error):
                raise
            time.sleep(0.05)
    return query()


@pytest.fixture
def in_thread(settings):
    settings.WEBHOOK_SEND_IN_THREAD = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 3
    assert webhook_deliver.app.conf.task_always_eager, "this test is about running without a broker"
    yield
    for thread in threading.enumerate():
        if thread.name == "webhook-send":
            thread.join(timeout=10)


def test_it_verifies_without_waiting_for_a_receiver_that_hangs(
    in_thread, endpoint, receiver, make_report, station, reviewer
):
    answer = threading.Event()
    receiver.on_request = lambda: answer.wait(timeout=10)
    report = make_report(station)

    started = time.monotonic()
    report_verify(report=report, by=reviewer)
    took = time.monotonic() - started

    delivery = unlocked(WebhookDelivery.objects.get)
    assert took < 2, f"the verification waited {took:.1f} s for the partner's receiver"
    assert delivery.status == "pending"
    answer.set()
    delivered = wait_for(
        lambda: unlocked(WebhookDelivery.objects.filter(status="delivered").first), seconds=10, every=0.05
    )
    assert delivered is not None and delivered.pk == delivery.pk
    assert [r.json()["data"]["id"] for r in receiver.requests] == [str(report.pk)]
