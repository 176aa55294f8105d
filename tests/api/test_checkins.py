import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from reports.models import CheckIn
from stations.models import PollingStation
from tests.api.conftest import MORNING, OUTSIDERS, error

URL = "/api/v1/checkins/"


def body(at_station, **overrides) -> dict:
    data = {
        "id": str(uuid.uuid4()),
        "station": at_station.pk,
        "kind": "opening",
        "at": MORNING.isoformat(),
        "all_clear": True,
        "note": "Seals intact, 12 members present.",
    }
    return {**data, **overrides}


def test_an_observer_checks_in_at_their_station(observer_api, observer, station, organization):
    sent = body(station)

    response = observer_api.post(URL, sent, format="json")

    assert response.status_code == 201
    checkin = CheckIn.objects.get()
    assert response.json() == {
        "id": sent["id"],
        "station": station.pk,
        "kind": "opening",
        "at": "2023-03-19T03:30:00Z",
        "all_clear": True,
        "note": "Seals intact, 12 members present.",
        "received_at": checkin.received_at.isoformat().replace("+00:00", "Z"),
    }
    assert (checkin.observer, checkin.organization, checkin.station) == (observer, organization, station)
    assert checkin.at == MORNING


def test_all_clear_and_note_may_be_left_out(observer_api, station):
    sent = body(station)
    del sent["all_clear"], sent["note"]

    response = observer_api.post(URL, sent, format="json")

    assert response.status_code == 201
    assert (response.json()["all_clear"], response.json()["note"]) == (False, "")


def test_a_repeated_checkin_returns_the_first_one_and_creates_nothing(observer_api, station):
    sent = body(station)
    first = observer_api.post(URL, sent, format="json")

    again = observer_api.post(URL, sent, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert CheckIn.objects.count() == 1


def test_anyone_elses_checkin_id_is_refused(signed_in, observer, other_observer, station):
    their_station = PollingStation.objects.get(number="999")
    taken = signed_in(other_observer).post(URL, body(their_station), format="json").json()["id"]

    response = signed_in(observer).post(URL, body(station, id=taken), format="json")

    assert response.status_code == 400
    assert error(response)["fields"] == {
        "id": ["This id is already in use; the app must generate a new one."]
    }
    assert CheckIn.objects.get().observer == other_observer


@pytest.mark.parametrize("who", OUTSIDERS)
def test_nobody_but_an_assigned_observer_checks_in_at_a_station(signed_in, observer, station, who):
    response = signed_in(who).post(URL, body(station), format="json")

    assert response.status_code == 404
    assert error(response) == {"code": "not_found", "message": "No such station among yours."}
    assert CheckIn.objects.count() == 0


def test_an_anonymous_checkin_is_refused(api, station):
    response = api.post(URL, body(station), format="json")

    assert response.status_code == 401
    assert CheckIn.objects.count() == 0


def test_a_missing_station_looks_like_someone_elses(observer_api, station):
    response = observer_api.post(URL, body(station, station=station.pk + 1000), format="json")

    assert response.status_code == 404
    assert error(response)["message"] == "No such station among yours."


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"id": "not-a-uuid"}, "id", "Must be a valid UUID."),
        ({"station": "one-oh-one"}, "station", "A valid integer is required."),
        ({"station": "9" * 30}, "station", "Ensure this value is less than or equal to 2147483647."),
        ({"kind": "lunch"}, "kind", "lunch is not a valid choice."),
        (
            {"at": "2023-03-19T09:30:00"},
            "at",
            "Give the time with its offset, for example 2023-03-19T09:30:00+06:00.",
        ),
        ({"at": "yesterday"}, "at", None),
        ({"all_clear": "perhaps"}, "all_clear", "Must be a valid boolean."),
        ({"note": "x" * 2001}, "note", "The note is longer than 2000 characters."),
        ({"note": "box\x00 2"}, "note", "Null characters are not allowed."),
    ],
)
def test_bad_input_is_refused_field_by_field(observer_api, station, overrides, field, message):
    response = observer_api.post(URL, body(station, **overrides), format="json")

    assert response.status_code == 400
    assert error(response)["code"] == "invalid"
    assert list(error(response)["fields"]) == [field]
    if message is not None:
        assert error(response)["fields"][field] == [message]
        assert error(response)["message"] == message
    assert CheckIn.objects.count() == 0


def test_a_time_in_the_future_is_refused(observer_api, station):
    later = (timezone.now() + timedelta(hours=1)).isoformat()

    response = observer_api.post(URL, body(station, at=later), format="json")

    assert response.status_code == 400
    assert error(response)["fields"] == {"at": ["This time is in the future; check the phone's clock."]}


@pytest.mark.parametrize("payload", ['{"id": ', "[1, 2]", '"just a string"'])
def test_malformed_json_is_refused_with_400(observer_api, station, payload):
    response = observer_api.post(URL, payload, content_type="application/json")

    assert response.status_code == 400
    assert error(response)["message"]
    assert CheckIn.objects.count() == 0


def test_several_bad_fields_are_all_named(observer_api, station):
    response = observer_api.post(URL, {"id": "x", "station": "y"}, format="json")

    assert response.status_code == 400
    assert set(error(response)["fields"]) == {"id", "station", "kind", "at"}
