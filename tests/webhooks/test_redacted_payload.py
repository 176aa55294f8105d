"""A webhook carries the description partners may read: a reviewer's redaction, even one made
after the event was queued, and nothing at all once partners may no longer see the incident."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reports.services import report_redact, report_reopen, report_verify
from webhooks.models import WebhookDelivery
from webhooks.tasks import webhook_deliveries_due

pytestmark = pytest.mark.django_db

ORIGINAL = "Akim's driver Serik Bekov, +77015550000, carried ballots in."
REDACTED = "The akim's driver carried ballots in."


def verify(report, reviewer, capture) -> WebhookDelivery:
    with capture(execute=True):
        report_verify(report=report, by=reviewer)
    return WebhookDelivery.objects.get()


def send_again(delivery: WebhookDelivery) -> WebhookDelivery:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    webhook_deliveries_due()
    delivery.refresh_from_db()
    return delivery


def test_it_sends_the_redacted_description_of_a_report_redacted_before_verification(
    endpoint, receiver, make_report, station, reviewer, django_capture_on_commit_callbacks
):
    report = make_report(station, description=ORIGINAL)
    report_redact(report=report, by=reviewer, text=REDACTED)

    verify(report, reviewer, django_capture_on_commit_callbacks)

    (received,) = receiver.requests
    assert received.json()["data"]["description"] == REDACTED
    assert b"Bekov" not in received.body


def test_it_sends_a_redaction_made_after_the_event_was_queued(
    endpoint, receiver, make_report, station, reviewer, django_capture_on_commit_callbacks
):
    receiver.statuses = [500]
    report = make_report(station, description=ORIGINAL)
    delivery = verify(report, reviewer, django_capture_on_commit_callbacks)

    report_redact(report=report, by=reviewer, text=REDACTED)
    delivery = send_again(delivery)

    assert delivery.status == "delivered"
    first, second = receiver.requests
    assert first.json()["data"]["description"] == ORIGINAL
    assert second.json()["data"]["description"] == REDACTED
    assert second.headers["X-Baqylau-Delivery"] == first.headers["X-Baqylau-Delivery"]


def test_it_sends_nothing_more_about_an_incident_partners_may_no_longer_see(
    endpoint, receiver, make_report, station, reviewer, coordinator, django_capture_on_commit_callbacks
):
    receiver.statuses = [500]
    report = make_report(station, description=ORIGINAL)
    delivery = verify(report, reviewer, django_capture_on_commit_callbacks)

    report_reopen(report=report, by=coordinator, reason="Wrong station.")
    delivery = send_again(delivery)

    assert len(receiver.requests) == 1
    assert delivery.status == "failed"
    assert delivery.last_error == "Partners may no longer see this incident."
