"""Events become signed deliveries to a real receiver on 127.0.0.1: once, retried, never twice."""

import hmac
import json
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from integrity.services import scores_recompute
from partners.keys import key_revoke
from partners.selectors import incidents_for_partners
from partners.serializers import IncidentOutput
from people.models import Membership
from reports.models import CheckIn, IncidentReport
from reports.services.review import report_verify
from webhooks.models import DeliveryStatus, WebhookDelivery
from webhooks.services import delivery_requeue, endpoint_disable, incident_verified_queue
from webhooks.tasks import webhook_deliver, webhook_deliveries_due
from webhooks.transport import signature

from .conftest import verify_signature

pytestmark = pytest.mark.django_db


def verify(report, reviewer, capture, note=""):
    with capture(execute=True):
        report_verify(report=report, by=reviewer, note=note)


def verified(report):
    """Verified directly in the database: no announcement, so the test queues the event itself."""
    IncidentReport.objects.filter(pk=report.pk).update(status="verified", reviewed_at=timezone.now())
    return report


def queued_again(ids: list[int], receiver) -> int:
    """Outside a test transaction the queued row was sent at once: make it pending as if it were not."""
    (delivery_id,) = ids
    assert len(receiver.requests) == 1
    receiver.requests.clear()
    WebhookDelivery.objects.filter(pk=delivery_id).update(status="pending", delivered_at=None, attempts=0)
    return delivery_id


def make_due(delivery: WebhookDelivery) -> None:
    """The back-off has passed."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_signature_is_the_hmac_of_timestamp_dot_body_that_a_receiver_recomputes():
    body = b'{"id":"1"}'
    expected = "sha256=" + hmac.new(b"whsec_x", b"1700000000." + body, "sha256").hexdigest()
    assert signature("whsec_x", "1700000000", body) == expected
    assert signature("whsec_y", "1700000000", body) != expected
    assert signature("whsec_x", "1700000001", body) != expected


def test_a_verified_report_reaches_the_receiver_once_signed_and_redacted(
    endpoint,
    receiver,
    make_report,
    station,
    observer,
    organization,
    reviewer,
    django_capture_on_commit_callbacks,
):
    observer.first_name, observer.last_name, observer.email = "Aigerim", "Nurlanovna", "aigerim@example.org"
    observer.save()
    Membership.objects.filter(user=observer).update(phone="+77011234567")
    report = make_report(station, latitude="43.238949", longitude="76.889709", accuracy_m=12)

    verify(report, reviewer, django_capture_on_commit_callbacks, note="Checked with the district lead")

    assert len(receiver.requests) == 1
    received = receiver.requests[0]
    assert verify_signature(endpoint.plain_secret, received)
    assert not verify_signature("whsec_someone-else", received)
    delivery = WebhookDelivery.objects.get()
    assert received.headers["X-Baqylau-Event"] == "incident.verified"
    assert received.headers["X-Baqylau-Delivery"] == str(delivery.event_id)
    assert received.headers["Content-Type"] == "application/json"
    body = received.json()
    assert body["id"] == str(delivery.event_id)
    assert (body["type"], body["election"]) == ("incident.verified", "test-2023")
    assert body["data"]["id"] == str(report.pk)
    assert body["data"]["station"]["number"] == "101"
    assert body["data"]["station"]["district"] == 1
    assert (body["data"]["category"], body["data"]["severity"]) == ("ballot_stuffing", 5)
    assert "photos" not in body["data"]
    text = received.body.decode()
    for secret in (
        "observer-a",
        "Aigerim",
        "Nurlanovna",
        "aigerim@example.org",
        "7011234567",
        "43.23",
        "76.88",
        "Checked with the district lead",
        "reviewer-a",
    ):
        assert secret not in text
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    assert delivery.delivered_at is not None


def test_the_incident_in_a_webhook_is_the_partner_apis_incident_without_photos(
    endpoint, receiver, make_report, station, reviewer, django_capture_on_commit_callbacks
):
    report = make_report(station)
    verify(report, reviewer, django_capture_on_commit_callbacks)

    api_incident = IncidentOutput(
        incidents_for_partners(with_photos=False).get(pk=report.pk), context={"with_photos": False}
    ).data
    data = receiver.requests[0].json()["data"]
    assert set(data) <= set(IncidentOutput().fields)
    assert data == {
        key: value for key, value in json.loads(json.dumps(api_incident)).items() if key != "photos"
    }


def test_a_receiver_failing_first_gets_the_same_event_on_the_retry_and_never_a_third_time(
    endpoint, receiver, make_report, station, reviewer, django_capture_on_commit_callbacks
):
    receiver.statuses = [500]
    verify(make_report(station), reviewer, django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.last_error == "HTTP 500"
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=10)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 1

    webhook_deliver(delivery.pk)  # too early: the back-off has not passed
    webhook_deliveries_due()
    assert len(receiver.requests) == 1

    make_due(delivery)
    webhook_deliveries_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 200)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0

    make_due(delivery)
    webhook_deliver(delivery.pk)
    webhook_deliveries_due()
    assert len(receiver.requests) == 2
    first, second = receiver.requests
    assert (
        first.headers["X-Baqylau-Delivery"] == second.headers["X-Baqylau-Delivery"] == str(delivery.event_id)
    )
    assert first.body == second.body
    assert verify_signature(endpoint.plain_secret, second)


def test_running_the_task_twice_for_one_row_sends_it_once(
    endpoint, receiver, make_report, station, reviewer, django_capture_on_commit_callbacks
):
    verify(make_report(station), reviewer, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()

    webhook_deliver(delivery.pk)
    webhook_deliver(delivery.pk)
    assert len(receiver.requests) == 1


@pytest.mark.django_db(transaction=True)
def test_a_second_run_while_the_first_is_sending_sends_nothing(endpoint, receiver, make_report, station):
    delivery_id = queued_again(incident_verified_queue(report_id=verified(make_report(station)).pk), receiver)
    # The receiver, while answering the first send, sees the same task run again (a redelivered
    # message, or the beat) from another thread with its own database connection.
    second_runs = []
    receiver.on_request = lambda: second_runs.append(webhook_deliver(delivery_id)) or connection.close()

    webhook_deliver(delivery_id)
    assert len(second_runs) == 1
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite's in-memory test database serialises the two workers"
)
def test_two_workers_running_one_row_at_the_same_moment_send_it_once(
    endpoint, receiver, make_report, station
):
    delivery_id = queued_again(incident_verified_queue(report_id=verified(make_report(station)).pk), receiver)
    start = threading.Barrier(4)

    def worker():
        start.wait()
        try:
            webhook_deliver(delivery_id)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(receiver.requests) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)


def test_the_same_verification_announced_twice_is_queued_once(
    endpoint, receiver, make_report, station, reviewer, django_capture_on_commit_callbacks
):
    report = make_report(station)
    verify(report, reviewer, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        incident_verified_queue(report_id=report.pk)
    assert WebhookDelivery.objects.count() == 1
    assert len(receiver.requests) == 1


def test_a_delivery_failing_every_time_is_failed_after_the_last_attempt(
    settings, endpoint, receiver, make_report, station, reviewer, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.statuses = [503, 503, 503, 200]
    verify(make_report(station), reviewer, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    for _attempt in range(3):
        make_due(delivery)
        webhook_deliveries_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("failed", 3, 503)
    assert len(receiver.requests) == 3

    with django_capture_on_commit_callbacks(execute=True):
        delivery_requeue(delivery=delivery)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    assert len(receiver.requests) == 4


def test_a_redirect_is_not_followed_and_counts_as_a_failure(
    endpoint, receiver, make_report, station, reviewer, django_capture_on_commit_callbacks
):
    receiver.statuses = [302]
    receiver.headers_out = {"Location": "http://127.0.0.1:1/elsewhere"}
    verify(make_report(station), reviewer, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code, delivery.last_error) == ("pending", 302, "HTTP 302")
    assert [r.path for r in receiver.requests] == ["/hooks/baqylau"]


def test_a_receiver_that_does_not_listen_is_recorded_and_retried(
    partner_key, make_report, station, reviewer, django_capture_on_commit_callbacks
):
    from webhooks.services import endpoint_create

    endpoint_create(key=partner_key[0], url="http://127.0.0.1:9/closed", events=["incident.verified"])
    verify(make_report(station), reviewer, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code) == ("pending", None)
    assert "refused" in delivery.last_error.lower()


def test_an_organization_that_does_not_share_sends_no_incident_event(
    endpoint, receiver, make_report, station, organization, reviewer, django_capture_on_commit_callbacks
):
    organization.share_with_partners = False
    organization.save()
    verify(make_report(station), reviewer, django_capture_on_commit_callbacks)
    assert WebhookDelivery.objects.count() == 0
    assert receiver.requests == []


def test_a_partner_whose_keys_lack_the_scope_gets_no_event(
    partner, make_key, receiver, make_report, station, reviewer, django_capture_on_commit_callbacks
):
    from webhooks.services import endpoint_create

    incidents_key, _ = make_key(partner, scopes=["incidents:read"])
    endpoint_create(key=incidents_key, url=receiver.url, events=["incident.verified"])
    key_revoke(prefix=incidents_key.prefix)
    make_key(partner, scopes=["scores:read", "photos:read"])

    verify(make_report(station), reviewer, django_capture_on_commit_callbacks)
    assert WebhookDelivery.objects.count() == 0
    assert receiver.requests == []


def test_a_key_revoked_after_queueing_stops_the_send(
    endpoint, partner_key, receiver, make_report, station, reviewer, django_capture_on_commit_callbacks
):
    receiver.statuses = [500]
    verify(make_report(station), reviewer, django_capture_on_commit_callbacks)
    key_revoke(prefix=partner_key[0].prefix)
    delivery = WebhookDelivery.objects.get()
    make_due(delivery)
    webhook_deliveries_due()
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert "incidents:read" in delivery.last_error
    assert len(receiver.requests) == 1


def test_a_disabled_endpoint_gets_nothing_more(
    endpoint, receiver, make_report, station, reviewer, django_capture_on_commit_callbacks
):
    receiver.statuses = [500]
    verify(make_report(station), reviewer, django_capture_on_commit_callbacks)
    endpoint_disable(endpoint=endpoint)
    delivery = WebhookDelivery.objects.get()
    make_due(delivery)
    webhook_deliveries_due()
    assert WebhookDelivery.objects.get().status == "failed"
    verify(
        make_report(station, category="intimidation", severity=3),
        reviewer,
        django_capture_on_commit_callbacks,
    )
    assert WebhookDelivery.objects.count() == 1
    assert len(receiver.requests) == 1


def test_a_district_moving_to_another_band_sends_district_band_changed(
    endpoint, receiver, election, organization, observer, make_station, django_capture_on_commit_callbacks
):
    stations = [make_station(str(n)) for n in range(1, 7)]
    CheckIn.objects.bulk_create(
        CheckIn(
            observer=observer,
            organization=organization,
            election=election,
            station=station,
            kind="arrival",
            at=timezone.now() - timedelta(hours=2),
        )
        for station in stations
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = scores_recompute(election_id=election.pk)

    (received,) = receiver.requests
    assert received.headers["X-Baqylau-Event"] == "district.band_changed"
    assert verify_signature(endpoint.plain_secret, received)
    body = received.json()
    district = stations[0].district
    score = district.score_history.get(run=run)
    assert body["type"] == "district.band_changed"
    assert body["election"] == "test-2023"
    assert body["data"]["district"] == {"number": 1, "name": "District 1"}
    assert body["data"]["band"]["before"] is None
    assert body["data"]["band"]["after"] == (score.band or f"{score.band_high}-{score.band_low}")
    assert body["data"]["score"] == score.score
    assert body["data"]["interval_80"] == [score.interval_80_low, score.interval_80_high]
    assert body["data"]["interval_95"] == [score.interval_95_low, score.interval_95_high]
    assert body["data"]["computed_at"] == score.computed_at.isoformat()

    with django_capture_on_commit_callbacks(execute=True):
        scores_recompute(election_id=election.pk)  # nothing moved
    assert len(receiver.requests) == 1
