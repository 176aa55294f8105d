"""The observer API's counts: turnout counts, protocol copies and contests, over HTTP."""

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from counts.models import Choice, Contest, ProtocolCopy, TurnoutCount
from stations.models import PollingStation
from tests.api.conftest import MORNING, error
from tests.images import jpeg_bytes

pytestmark = pytest.mark.django_db

TURNOUT = "/api/v1/turnout-counts/"
PROTOCOLS = "/api/v1/protocols/"
CONTESTS = "/api/v1/contests/"
# Everyone signed in who is not the owner of `station`; none of them may write or read there.
OUTSIDERS = ["other_observer", "unassigned_observer", "reviewer", "coordinator"]
VOTES = {"amanat": 400, "auyl": 100, "respublica": 80}


def turnout(at_station, **overrides) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "station": at_station.pk,
        "counted_at": MORNING.isoformat(),
        "voters": 412,
        "method": "tally",
        **overrides,
    }


def photo_file() -> SimpleUploadedFile:
    return SimpleUploadedFile("protocol.jpg", jpeg_bytes(size=(120, 90)), content_type="image/jpeg")


def protocol(at_station, **overrides) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "station": at_station.pk,
        "contest": "party_list",
        "registered": 1000,
        "received": 800,
        "issued": 600,
        "cancelled": 200,
        "in_boxes": 590,
        "invalid": 10,
        "valid": 580,
        "votes": json.dumps(VOTES),
        "photo": photo_file(),
        **overrides,
    }


# ---- Turnout counts -------------------------------------------------------------------------


def test_an_observer_sends_a_turnout_count(observer_api, observer, station):
    sent = turnout(station, note="At noon.")

    response = observer_api.post(TURNOUT, sent, format="json")

    assert response.status_code == 201
    row = TurnoutCount.objects.get()
    assert response.json() == {
        "id": sent["id"],
        "station": {"id": station.pk, "number": "101", "name": "School 5"},
        "counted_at": "2023-03-19T03:30:00Z",
        "voters": 412,
        "method": "tally",
        "method_label": "I counted every voter",
        "note": "At noon.",
        "received_at": row.received_at.isoformat().replace("+00:00", "Z"),
    }
    assert (row.observer, row.station, row.voters) == (observer, station, 412)


def test_a_repeated_turnout_count_returns_the_first_and_creates_nothing(observer_api, station):
    sent = turnout(station)
    first = observer_api.post(TURNOUT, sent, format="json")

    again = observer_api.post(TURNOUT, {**sent, "voters": 999}, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert TurnoutCount.objects.get().voters == 412


def test_the_phone_sends_a_turnout_count_with_its_bearer_token(bearer, observer, station):
    response = bearer(observer).post(TURNOUT, turnout(station), format="json")

    assert response.status_code == 201
    assert TurnoutCount.objects.get().observer == observer


@pytest.mark.parametrize("who", OUTSIDERS)
def test_nobody_but_an_assigned_observer_sends_a_turnout_count(signed_in, observer, station, who):
    response = signed_in(who).post(TURNOUT, turnout(station), format="json")

    assert response.status_code == 404
    assert error(response) == {"code": "not_found", "message": "No such station among yours."}
    assert TurnoutCount.objects.count() == 0


def test_an_anonymous_turnout_count_is_refused(signed_in, station):
    response = signed_in(None).post(TURNOUT, turnout(station), format="json")

    assert response.status_code == 401
    assert error(response)["code"] == "not_authenticated"
    assert TurnoutCount.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"id": "count-1"}, "id", "Must be a valid UUID."),
        ({"station": "School 5"}, "station", "A valid integer is required."),
        (
            {"counted_at": "2023-03-19T12:00:00"},
            "counted_at",
            "Give the time with its offset, for example 2023-03-19T09:30:00+06:00.",
        ),
        (
            {"counted_at": "2023-03-17T12:00:00+06:00"},
            "counted_at",
            "This time is before the day before the election.",
        ),
        ({"voters": "many"}, "voters", "A valid integer is required."),
        ({"voters": -5}, "voters", "This number cannot be negative."),
        (
            {"voters": 2500},
            "voters",
            "2500 voters is more than twice the 1000 registered at this station; check the number.",
        ),
        ({"voters": 9 * 10**12}, "voters", "Ensure this value is less than or equal to 2147483647."),
        ({"method": "guess"}, "method", "guess is not a valid choice."),
        ({"note": "x" * 2001}, "note", "The note is longer than 2000 characters."),
    ],
)
def test_a_bad_turnout_count_is_refused_field_by_field(observer_api, station, overrides, field, message):
    response = observer_api.post(TURNOUT, turnout(station, **overrides), format="json")

    assert response.status_code == 400
    assert error(response)["code"] == "invalid"
    assert error(response)["fields"] == {field: [message]}
    assert TurnoutCount.objects.count() == 0


def test_malformed_json_is_refused_with_400(observer_api, station):
    response = observer_api.post(TURNOUT, '{"id": ', content_type="application/json")

    assert response.status_code == 400
    assert error(response)["message"]


# ---- Protocol copies ------------------------------------------------------------------------


def test_an_observer_sends_a_protocol_copy_with_its_photo(observer_api, observer, station, contests):
    sent = protocol(station)

    response = observer_api.post(PROTOCOLS, sent, format="multipart")

    assert response.status_code == 201
    copy = ProtocolCopy.objects.get()
    body = response.json()
    assert body["photo"] == {
        "url": f"http://testserver/observe/photos/protocols/{copy.id}/",
        "thumbnail_url": f"http://testserver/observe/photos/protocols/{copy.id}/thumbnail/",
        "width": 120,
        "height": 90,
        "sha256": copy.sha256,
        "captured_at": None,
    }
    assert {key: value for key, value in body.items() if key != "photo"} == {
        "id": sent["id"],
        "station": {"id": station.pk, "number": "101", "name": "School 5"},
        "contest": {"code": "party_list", "name": "Party list"},
        "registered": 1000,
        "received": 800,
        "issued": 600,
        "cancelled": 200,
        "lost": 0,
        "in_boxes": 590,
        "invalid": 10,
        "valid": 580,
        "votes": VOTES,
        "failures": [],
        "note": "",
        "status": "submitted",
        "status_label": "Submitted",
        "received_at": copy.received_at.isoformat().replace("+00:00", "Z"),
    }
    assert (copy.observer, copy.contest, copy.votes) == (observer, contests.party_list, VOTES)


def test_a_copy_that_does_not_add_up_is_accepted_with_the_rules_it_breaks(observer_api, station, contests):
    sent = protocol(station, valid=570, votes=json.dumps({"amanat": 400, "auyl": 100, "respublica": 80}))

    response = observer_api.post(PROTOCOLS, sent, format="multipart")

    assert response.status_code == 201
    assert response.json()["failures"] == [
        {
            "code": "valid_plus_invalid",
            "message": "Valid plus invalid ballots must equal the ballots in the boxes.",
        },
        {
            "code": "votes_sum_to_valid",
            "message": "The votes for all choices must add up to the valid ballots.",
        },
    ]
    assert ProtocolCopy.objects.get().failures == ["valid_plus_invalid", "votes_sum_to_valid"]


def test_a_repeated_protocol_copy_returns_the_first_and_creates_nothing(observer_api, station, contests):
    sent = protocol(station)
    first = observer_api.post(PROTOCOLS, sent, format="multipart")

    again = observer_api.post(PROTOCOLS, {**sent, "valid": "1", "photo": photo_file()}, format="multipart")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert ProtocolCopy.objects.get().valid == 580


def test_the_phone_sends_a_protocol_copy_with_its_bearer_token(bearer, observer, station, contests):
    response = bearer(observer).post(PROTOCOLS, protocol(station), format="multipart")

    assert response.status_code == 201
    assert ProtocolCopy.objects.get().observer == observer


@pytest.mark.parametrize("who", OUTSIDERS)
def test_nobody_but_an_assigned_observer_sends_a_protocol_copy(signed_in, observer, station, contests, who):
    response = signed_in(who).post(PROTOCOLS, protocol(station), format="multipart")

    assert response.status_code == 404
    assert error(response) == {"code": "not_found", "message": "No such station among yours."}
    assert ProtocolCopy.objects.count() == 0


def test_an_anonymous_protocol_copy_is_refused(signed_in, station, contests):
    response = signed_in(None).post(PROTOCOLS, protocol(station), format="multipart")

    assert response.status_code == 401
    assert ProtocolCopy.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"contest": "senate"}, "contest", "senate is not a contest of this election."),
        (
            {"votes": json.dumps({**VOTES, "nur-otan": 3})},
            "votes",
            "Not a choice on this station's ballot: nur-otan.",
        ),
        (
            {"votes": json.dumps({"amanat": 480, "auyl": 100})},
            "votes",
            "Give the votes of every choice; missing: respublica.",
        ),
        (
            {"votes": "amanat=400"},
            "votes",
            "Give the votes as a JSON object that maps each choice's code to a whole number.",
        ),
        (
            {"votes": json.dumps({**VOTES, "amanat": "400"})},
            "votes",
            "Give the votes as a JSON object that maps each choice's code to a whole number.",
        ),
        ({"valid": "lots"}, "valid", "A valid integer is required."),
        ({"issued": "-3"}, "issued", "This number cannot be negative."),
        ({"photo": ""}, "photo", "Add a photo of the protocol: it is the evidence."),
        (
            {"photo": SimpleUploadedFile("protocol.jpg", b"%PDF-1.4", content_type="image/jpeg")},
            "photo",
            "protocol.jpg: This file is not a photo we can read (JPEG, PNG, WebP or HEIC).",
        ),
    ],
)
def test_a_bad_protocol_copy_is_refused_field_by_field(
    observer_api, station, contests, overrides, field, message
):
    response = observer_api.post(PROTOCOLS, protocol(station, **overrides), format="multipart")

    assert response.status_code == 400
    assert error(response)["fields"] == {field: [message]}
    assert ProtocolCopy.objects.count() == 0


def test_a_protocol_copy_without_a_photo_field_is_refused(observer_api, station, contests):
    sent = protocol(station)
    del sent["photo"]

    response = observer_api.post(PROTOCOLS, sent, format="multipart")

    assert response.status_code == 400
    assert error(response)["fields"] == {"photo": ["Add a photo of the protocol: it is the evidence."]}


# ---- Contests -------------------------------------------------------------------------------


def test_the_contests_at_a_station_list_only_the_choices_on_its_ballot(observer_api, station, contests):
    response = observer_api.get(CONTESTS, {"station": station.pk})

    assert response.status_code == 200
    assert response.json() == [
        {
            "code": "party_list",
            "name": "Party list",
            "kind": "party_list",
            "choices": [
                {"code": "amanat", "name": "Amanat"},
                {"code": "auyl", "name": "Auyl"},
                {"code": "respublica", "name": "Respublica"},
            ],
        },
        {
            "code": "smd",
            "name": "Single-mandate district",
            "kind": "candidates",
            "choices": [
                {"code": "d1-ivanova", "name": "A. Ivanova"},
                {"code": "d1-seitkali", "name": "B. Seitkali"},
            ],
        },
    ]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_nobody_but_an_assigned_observer_reads_the_contests_of_a_station(signed_in, station, contests, who):
    response = signed_in(who).get(CONTESTS, {"station": station.pk})

    assert response.status_code == 404
    assert error(response) == {"code": "not_found", "message": "No such station among yours."}


def test_the_contests_need_a_sign_in_and_a_station(signed_in, observer, station, contests):
    assert signed_in(None).get(CONTESTS, {"station": station.pk}).status_code == 401
    response = signed_in(observer).get(CONTESTS)
    assert response.status_code == 400
    assert error(response)["fields"] == {"station": ["This field is required."]}


def test_the_contests_take_the_same_queries_for_1_and_20_choices(
    make_member, organization, make_station, election, django_assert_num_queries, bearer
):
    few_station = make_station("501", district=5)
    many_station = make_station("601", district=6)
    small = Contest.objects.create(election=election, code="party_list", name="Party list", kind="party_list")
    Choice.objects.create(contest=small, code="amanat", name="Amanat")
    smd = Contest.objects.create(election=election, code="smd", name="SMD", kind="candidates")
    district = PollingStation.objects.get(pk=many_station.pk).district
    for n in range(20):
        Choice.objects.create(contest=smd, code=f"c{n}", name=f"Candidate {n}", district=district)
    for number, at_station, choices in (("1", few_station, 1), ("20", many_station, 21)):
        client = bearer(make_member(f"counter-{number}", organization, stations=[at_station]))
        # The token, its first use written, the station with the observer's organization, the
        # contests, their choices.
        with django_assert_num_queries(5):
            response = client.get(CONTESTS, {"station": at_station.pk})
        assert sum(len(contest["choices"]) for contest in response.json()) == choices
