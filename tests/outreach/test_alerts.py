"""Safety alerts from the phone: POST /api/v1/alerts/ and the page's form, then acknowledgement and
resolution by the organization's staff."""

import uuid

import pytest
from django.urls import reverse

from core.errors import ApplicationError
from outreach.models import Alert, AlertStatus
from outreach.services import alert_acknowledge, alert_resolve
from tests.outreach.conftest import alert_body

pytestmark = pytest.mark.django_db


def test_an_alert_is_created_once_and_a_retry_finds_it(observer, station, bearer, membership):
    client = bearer(observer)
    body = alert_body(station)

    first = client.post("/api/v1/alerts/", body, format="json")
    retry = client.post("/api/v1/alerts/", body, format="json")

    assert first.status_code == 201, first.data
    assert retry.status_code == 200
    assert retry.data == first.data
    alert = Alert.objects.get()
    assert str(alert.pk) == body["id"] == first.data["id"]
    assert (alert.membership, alert.organization_id, alert.station) == (
        membership,
        membership.organization_id,
        station,
    )
    assert (alert.kind, alert.status, str(alert.latitude)) == ("detained", "open", "51.128207")


def test_without_a_station_the_observers_only_membership_is_used(observer, station, bearer, membership):
    answer = bearer(observer).post("/api/v1/alerts/", alert_body(station, station=None), format="json")
    assert answer.status_code == 201
    assert Alert.objects.get().membership == membership


def test_a_station_that_is_not_the_observers_is_404(observer, other_observer, bearer, make_station):
    foreign_station = other_observer.memberships.get().assignments.get().station
    answer = bearer(observer).post("/api/v1/alerts/", alert_body(foreign_station), format="json")
    assert answer.status_code == 404
    assert not Alert.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "bored"}, "kind"),
        ({"id": "not-a-uuid"}, "id"),
        ({"at": "2023-03-19T14:05:00"}, "at"),
        ({"at": "2999-01-01T00:00:00+06:00"}, "at"),
        ({"latitude": None}, "latitude"),
        ({"latitude": 123}, "latitude"),
        ({"note": "x" * 2001}, "note"),
        ({"station": "first"}, "station"),
    ],
)
def test_a_bad_field_is_400_naming_it(observer, station, bearer, change, field):
    answer = bearer(observer).post("/api/v1/alerts/", alert_body(station, **change), format="json")
    assert answer.status_code == 400, answer.data
    assert field in answer.data["error"]["fields"]
    assert not Alert.objects.exists()


def test_someone_elses_alert_id_is_refused(observer, other_observer, station, bearer):
    taken = alert_body(other_observer.memberships.get().assignments.get().station)
    assert bearer(other_observer).post("/api/v1/alerts/", taken, format="json").status_code == 201

    answer = bearer(observer).post("/api/v1/alerts/", alert_body(station, id=taken["id"]), format="json")

    assert answer.status_code == 400
    assert "id" in answer.data["error"]["fields"]
    assert Alert.objects.get().membership.user == other_observer


@pytest.mark.parametrize("who", ["coordinator", "reviewer", None])
def test_only_observers_raise_alerts(request, station, bearer, client, who):
    body = alert_body(station)
    if who is None:
        answer = client.post("/api/v1/alerts/", body, format="json")
        assert answer.status_code == 401
    else:
        answer = bearer(request.getfixturevalue(who)).post("/api/v1/alerts/", body, format="json")
        assert answer.status_code == 404
    assert not Alert.objects.exists()


def test_the_help_form_raises_an_alert_without_javascript(observer, station, client):
    client.force_login(observer)
    page = client.get(reverse("observe:stations"))
    assert 'action="/observe/help/"' in page.content.decode()
    alert_id = uuid.uuid4()

    sent = client.post(
        reverse("observe:help"),
        {"id": alert_id, "kind": "threatened", "station": station.pk, "note": "Followed"},
    )
    again = client.post(
        reverse("observe:help"), {"id": alert_id, "kind": "threatened", "station": station.pk}
    )

    assert sent.status_code == again.status_code == 302
    alert = Alert.objects.get()
    assert (alert.pk, alert.kind, alert.note, alert.station) == (alert_id, "threatened", "Followed", station)
    refused = client.post(reverse("observe:help"), {"id": uuid.uuid4(), "station": station.pk})
    assert refused.status_code == 400
    assert Alert.objects.count() == 1


def test_acknowledge_then_resolve_with_notes(observer, station, bearer, coordinator):
    bearer(observer).post("/api/v1/alerts/", alert_body(station), format="json")
    alert = Alert.objects.get()

    alert_acknowledge(alert=alert, by=coordinator, note="Lawyer on the way.")
    with pytest.raises(ApplicationError):
        alert_acknowledge(alert=alert, by=coordinator)
    with pytest.raises(ApplicationError) as no_note:
        alert_resolve(alert=alert, by=coordinator, note=" ")
    alert_resolve(alert=alert, by=coordinator, note="Released at 21:15.")

    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED
    assert no_note.value.field == "resolution_note"
    assert (alert.acknowledged_by, alert.acknowledgement_note) == (coordinator, "Lawyer on the way.")
    assert (alert.resolved_by, alert.resolution_note) == (coordinator, "Released at 21:15.")
    with pytest.raises(ApplicationError):
        alert_resolve(alert=alert, by=coordinator, note="again")
