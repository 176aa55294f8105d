"""The admin of messages, alerts and emergency contacts, as a matrix of roles: the staff of the
organization see its rows, another organization's staff get 404 and empty lists, observers nothing;
open alerts head every admin page for the organization's staff only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outreach.models import Alert, AlertStatus, Audience, EmergencyContact, Message
from outreach.services import message_send
from tests.outreach.conftest import alert_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(observer, station, bearer):
    bearer(observer).post("/api/v1/alerts/", alert_body(station, kind="threatened"), format="json")
    return Alert.objects.get()


@pytest.fixture
def message(organization, observer, unassigned_observer, coordinator):
    return message_send(
        organization=organization,
        author=coordinator,
        subject="Polls open at seven",
        body="Be there at 6:45.",
        audience=Audience.ORGANIZATION,
    )


BANNER = "/admin/outreach/alert/open/"


def page(model, obj=None) -> str:
    name = f"admin:outreach_{model._meta.model_name}_{'change' if obj else 'changelist'}"
    return reverse(name, args=[obj.pk] if obj else [])


def as_user(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["coordinator", "reviewer"])
def test_the_organizations_staff_see_its_messages_and_alerts(request, client, alert, message, who):
    client = as_user(client, request.getfixturevalue(who))
    assert "Polls open at seven" in client.get(page(Message)).content.decode()
    assert client.get(page(Message, message)).status_code == 200
    assert client.get(page(Alert)).status_code == 200
    assert client.get(page(Alert, alert)).status_code == 200


def test_another_organizations_coordinator_sees_none_of_them(
    client, other_coordinator, alert, message, contact
):
    client = as_user(client, other_coordinator)
    for model, obj in ((Message, message), (Alert, alert), (EmergencyContact, contact)):
        listing = client.get(page(model))
        assert listing.status_code == 200
        assert listing.context["cl"].result_count == 0
        assert client.get(page(model, obj)).status_code == 404
    assert "open-alerts" not in client.get(BANNER).content.decode()


def test_observers_get_no_admin(client, observer, alert, message):
    client = as_user(client, observer)
    for url in (page(Message), page(Alert, alert), page(Message, message)):
        assert client.get(url).status_code == 302


def test_the_message_page_counts_receipts_and_names_who_has_not_read(client, coordinator, message, observer):
    message.deliveries.filter(membership__user=observer).update(
        received_at=message.sent_at, read_at=message.sent_at
    )

    html = as_user(client, coordinator).get(page(Message, message)).content.decode()

    assert "observer-c" in html
    assert "Everyone has read it." not in html
    row = client.get(page(Message)).context["cl"].result_list[0]
    assert (row.recipients, row.received, row.read) == (2, 1, 1)


def test_a_coordinator_composes_a_message_to_a_district(client, coordinator, organization, observer, station):
    client = as_user(client, coordinator)
    form = {
        "organization": organization.pk,
        "subject": "Count moved",
        "body": "From 22:00.",
        "audience": "district",
        "district": station.district.pk,
    }

    answer = client.post(reverse("admin:outreach_message_add"), form)

    assert answer.status_code == 302
    sent = Message.objects.get()
    assert (sent.author, sent.district) == (coordinator, station.district)
    assert list(sent.deliveries.values_list("membership__user__username", flat=True)) == ["observer-a"]
    refused = client.post(reverse("admin:outreach_message_add"), {**form, "district": ""})
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["district"]
    assert Message.objects.count() == 1


def test_a_reviewer_may_not_compose_nor_keep_contacts(client, reviewer, contact):
    client = as_user(client, reviewer)
    assert client.get(reverse("admin:outreach_message_add")).status_code == 403
    assert client.get(page(EmergencyContact)).status_code == 403
    assert client.get(page(EmergencyContact, contact)).status_code == 404


def test_another_coordinator_cannot_send_in_the_organizations_name(client, other_coordinator, organization):
    form = {"organization": organization.pk, "subject": "x", "body": "y", "audience": "organization"}
    answer = as_user(client, other_coordinator).post(reverse("admin:outreach_message_add"), form)
    assert answer.status_code == 200
    assert "organization" in answer.context["adminform"].form.errors
    assert not Message.objects.exists()


@pytest.mark.parametrize("who", ["coordinator", "reviewer"])
def test_staff_acknowledge_then_resolve_an_alert(request, client, alert, who):
    user = request.getfixturevalue(who)
    client = as_user(client, user)
    url = page(Alert, alert)

    client.post(url, {"_acknowledge": "1", "acknowledgement_note": "Calling.", "resolution_note": ""})
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by, alert.acknowledgement_note) == (
        "acknowledged",
        user,
        "Calling.",
    )
    refused = client.post(url, {"_resolve": "1", "resolution_note": ""}, follow=True)
    assert "Say how the alert was resolved." in refused.content.decode()
    client.post(url, {"_resolve": "1", "resolution_note": "Safe at home."})

    alert.refresh_from_db()
    assert (alert.status, alert.resolution_note) == (AlertStatus.RESOLVED, "Safe at home.")


def test_another_coordinator_cannot_touch_the_alert(client, other_coordinator, alert):
    answer = as_user(client, other_coordinator).post(
        page(Alert, alert), {"_resolve": "1", "resolution_note": "x"}
    )
    assert answer.status_code == 404
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


@pytest.mark.parametrize("who", ["coordinator", "reviewer"])
def test_open_alerts_head_every_admin_page_for_the_organizations_staff(request, client, alert, who):
    client = as_user(client, request.getfixturevalue(who))
    for url in (reverse("admin:index"), page(Message), reverse("admin:people_membership_changelist")):
        html = client.get(url).content.decode()
        assert f'id="open-alerts" data-url="{BANNER}"' in html, url
        assert "outreach/open_alerts.js" in html
    banner = client.get(BANNER)
    assert "no-store" in banner["Cache-Control"]
    assert "open-alerts" in banner.content.decode()
    assert page(Alert, alert) in banner.content.decode()
    alert.status = AlertStatus.RESOLVED
    alert.save()
    assert "open-alerts" not in client.get(BANNER).content.decode()


def test_the_banner_costs_the_pages_nothing_and_itself_one_query(
    client, coordinator, alert, observer, station, bearer, django_assert_num_queries
):
    for _ in range(3):
        bearer(observer).post("/api/v1/alerts/", alert_body(station), format="json")
    client = as_user(client, coordinator)
    client.get(reverse("admin:index"))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("admin:index"))
    assert not [q for q in queries.captured_queries if "outreach_alert" in q["sql"]]
    with CaptureQueriesContext(connection) as queries:
        banner = client.get(BANNER).content.decode()
    assert banner.count("<li>") == 4
    assert len([q for q in queries.captured_queries if "outreach_alert" in q["sql"]]) == 1


def test_no_one_outside_the_admin_reads_the_banner(client, observer, alert):
    assert as_user(client, observer).get(BANNER).status_code == 302


def test_a_coordinator_keeps_the_emergency_contacts(client, coordinator, organization):
    client = as_user(client, coordinator)
    form = {"organization": organization.pk, "name": "Desk", "email": "", "webhook_url": "", "active": "on"}

    empty = client.post(reverse("admin:outreach_emergencycontact_add"), form)
    no_secret = client.post(
        reverse("admin:outreach_emergencycontact_add"),
        {**form, "webhook_url": "https://desk.example.org/hook"},
    )
    done = client.post(reverse("admin:outreach_emergencycontact_add"), {**form, "email": "desk@example.org"})

    assert empty.status_code == no_secret.status_code == 200
    assert "webhook_secret" in no_secret.context["adminform"].form.errors
    assert done.status_code == 302
    assert EmergencyContact.objects.get().email == "desk@example.org"
