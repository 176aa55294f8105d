"""Coordinators see and act on the webhooks of their own organization's partners only."""

import pytest
from django.urls import reverse

from people.models import Role
from people.roles import ensure_groups
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.payloads import incident_data
from webhooks.services import endpoint_create

pytestmark = pytest.mark.django_db

QUERIES = 8


@pytest.fixture
def groups(db):
    return ensure_groups()


@pytest.fixture
def coordinator(coordinator, groups):
    coordinator.groups.add(groups["Coordinator"])
    return coordinator


@pytest.fixture
def reviewer(reviewer, groups):
    reviewer.groups.add(groups["Reviewer"])
    return reviewer


@pytest.fixture
def other_coordinator(make_member, other_organization, groups):
    user = make_member("coordinator-b", other_organization, role=Role.COORDINATOR, is_staff=True)
    user.groups.add(groups["Coordinator"])
    return user


@pytest.fixture
def failed_delivery(endpoint, make_report, station):
    report = make_report(station, status="verified")
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_type="incident.verified",
        payload={"id": "x", "type": "incident.verified", "data": incident_data(report.pk)},
        status="failed",
        attempts=10,
        last_status_code=500,
        last_error="HTTP 500",
    )


def admin_client(client, user):
    client.force_login(user)
    return client


def changelist(model) -> str:
    return reverse(f"admin:webhooks_{model._meta.model_name}_changelist")


def change(obj) -> str:
    return reverse(f"admin:webhooks_{obj._meta.model_name}_change", args=[obj.pk])


def test_a_coordinator_sees_the_endpoints_and_deliveries_of_their_partners_without_secrets(
    client, coordinator, endpoint, failed_delivery
):
    admin_client(client, coordinator)
    listed = client.get(changelist(WebhookEndpoint))
    assert listed.status_code == 200
    assert endpoint.url in listed.content.decode()
    page = client.get(change(endpoint))
    assert page.status_code == 200
    assert endpoint.secret not in page.content.decode()
    assert endpoint.secret not in listed.content.decode()
    deliveries = client.get(changelist(WebhookDelivery))
    assert str(failed_delivery.pk) in deliveries.content.decode()
    assert client.get(change(failed_delivery)).status_code == 200


def test_a_coordinator_of_another_organization_gets_404_and_an_empty_list(
    client, other_coordinator, endpoint, failed_delivery, other_partner, make_key, receiver
):
    theirs, _secret = endpoint_create(
        key=make_key(other_partner)[0], url=f"{receiver.url}/b", events=["incident.verified"]
    )
    admin_client(client, other_coordinator)
    assert client.get(change(endpoint)).status_code == 404
    assert client.get(change(failed_delivery)).status_code == 404
    listed = client.get(changelist(WebhookEndpoint)).content.decode()
    assert f"{receiver.url}/b" in listed
    assert f'{receiver.url}"' not in listed and f"{receiver.url}<" not in listed
    assert "HTTP 500" not in client.get(changelist(WebhookDelivery)).content.decode()
    assert client.get(change(theirs)).status_code == 200


def test_an_action_on_another_organizations_rows_changes_nothing(
    client, other_coordinator, endpoint, failed_delivery
):
    admin_client(client, other_coordinator)
    client.post(
        changelist(WebhookEndpoint), {"action": "disable_selected", "_selected_action": [endpoint.pk]}
    )
    client.post(
        changelist(WebhookDelivery), {"action": "requeue_selected", "_selected_action": [failed_delivery.pk]}
    )
    endpoint.refresh_from_db()
    failed_delivery.refresh_from_db()
    assert endpoint.active
    assert failed_delivery.status == "failed"


def test_a_reviewer_may_not_open_the_webhooks(client, reviewer, endpoint):
    # Reviewers decide on reports; the organization's partners are the coordinators' business.
    admin_client(client, reviewer)
    assert client.get(changelist(WebhookEndpoint)).status_code == 403
    assert client.get(change(endpoint)).status_code in (403, 404)


def test_a_coordinator_disables_an_endpoint(client, coordinator, endpoint):
    admin_client(client, coordinator)
    response = client.post(
        changelist(WebhookEndpoint), {"action": "disable_selected", "_selected_action": [endpoint.pk]}
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.active
    assert endpoint.disabled_at is not None


def test_a_coordinator_sends_a_failed_delivery_again(
    client, coordinator, failed_delivery, receiver, django_capture_on_commit_callbacks
):
    admin_client(client, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            changelist(WebhookDelivery),
            {"action": "requeue_selected", "_selected_action": [failed_delivery.pk]},
        )
    assert response.status_code == 302
    failed_delivery.refresh_from_db()
    assert (failed_delivery.status, failed_delivery.attempts) == ("delivered", 1)
    assert [r.headers["X-Baqylau-Delivery"] for r in receiver.requests] == [str(failed_delivery.event_id)]


@pytest.mark.parametrize("rows", [1, 20])
def test_the_delivery_list_takes_the_same_queries_for_one_row_and_for_twenty(
    client, coordinator, endpoint, django_assert_num_queries, rows
):
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(endpoint=endpoint, event_type="incident.verified", payload={}) for _ in range(rows)
    )
    admin_client(client, coordinator)
    client.get(changelist(WebhookDelivery))
    # Session, user, otp device, memberships, then the list: its counts and one page of rows.
    with django_assert_num_queries(QUERIES):
        response = client.get(changelist(WebhookDelivery))
    assert response.status_code == 200
    assert response.content.decode().count("incident.verified") >= rows
