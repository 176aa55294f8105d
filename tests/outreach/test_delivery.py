"""A new alert goes at once to the organization's emergency contacts: by e-mail through a real SMTP
server on loopback, and as a signed webhook to a receiver on 127.0.0.1."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from outreach.delivery import delivery_send
from outreach.models import Alert, AlertDelivery, EmergencyContact
from outreach.tasks import alert_deliveries_due
from tests.outreach.conftest import alert_body, signature_ok

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "emergency-secret-for-tests"


@pytest.fixture
def contacts(organization, other_organization, smtp_server, receiver):
    return [
        EmergencyContact.objects.create(
            organization=organization,
            name="Duty desk",
            email="duty@example.org",
            webhook_url=receiver.url,
            webhook_secret=SECRET,
        ),
        EmergencyContact.objects.create(
            organization=other_organization, name="Theirs", email="theirs@example.org"
        ),
        EmergencyContact.objects.create(
            organization=organization, name="Former", email="former@example.org", active=False
        ),
    ]


def test_a_new_alert_is_mailed_and_posted_signed_to_the_organizations_contacts(
    observer, station, bearer, membership, contacts, smtp_server, receiver
):
    membership.phone = "+7 701 555 0101"
    membership.save()
    observer.first_name, observer.last_name = "Aigerim", "Sadykova"
    observer.save()

    answer = bearer(observer).post("/api/v1/alerts/", alert_body(station), format="json")

    assert answer.status_code == 201
    assert len(smtp_server.messages) == 1
    mail = smtp_server.messages[0]
    assert mail["To"] == "duty@example.org"
    assert "Detained" in mail["Subject"] and "Aigerim Sadykova" in mail["Subject"]
    text = mail.get_content()
    assert "+7 701 555 0101" in text and "Station: 101" in text and "51.128207" in text
    assert len(receiver.requests) == 1
    posted = receiver.requests[0]
    assert signature_ok(SECRET, posted)
    assert not signature_ok("another-secret", posted)
    data = json.loads(posted.body)
    assert data["event"] == "alert.raised" and data["id"] == answer.data["id"]
    assert data["observer"]["phone"] == "+7 701 555 0101"
    assert data["station"]["number"] == "101"
    delivered = {row.channel: row.delivered_at for row in AlertDelivery.objects.all()}
    assert set(delivered) == {"email", "webhook"}
    assert all(delivered.values())


def test_a_retried_alert_is_not_sent_again(observer, station, bearer, contacts, smtp_server, receiver):
    body = alert_body(station)
    bearer(observer).post("/api/v1/alerts/", body, format="json")
    assert bearer(observer).post("/api/v1/alerts/", body, format="json").status_code == 200
    assert (len(smtp_server.messages), len(receiver.requests)) == (1, 1)


def test_a_failed_send_is_tried_again_by_the_sweep_until_it_goes_out(
    observer, station, bearer, contacts, receiver
):
    receiver.statuses = [503]
    bearer(observer).post("/api/v1/alerts/", alert_body(station), format="json")
    webhook = AlertDelivery.objects.get(channel="webhook")
    assert (webhook.delivered_at, webhook.attempts, webhook.last_error) == (None, 1, "HTTP 503")

    Alert.objects.update(received_at=timezone.now() - timedelta(minutes=5))
    alert_deliveries_due()

    webhook.refresh_from_db()
    assert webhook.delivered_at is not None and webhook.attempts == 2
    assert len(receiver.requests) == 2
    assert delivery_send(delivery_id=webhook.pk) is None
    assert len(receiver.requests) == 2


def test_an_unreachable_mail_server_leaves_the_row_for_the_sweep(
    observer, station, bearer, organization, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    EmergencyContact.objects.create(organization=organization, name="Desk", email="desk@example.org")

    answer = bearer(observer).post("/api/v1/alerts/", alert_body(station), format="json")

    assert answer.status_code == 201
    row = AlertDelivery.objects.get()
    assert row.delivered_at is None and row.attempts == 1 and row.last_error
