import csv
import io

import pytest
from django.core.files.storage import storages

from reports.services import report_reopen
from tests.partners.conftest import assert_no_secret_in

URL = "/api/v1/incidents/"
FIELDS = {
    "id",
    "election",
    "station",
    "category",
    "severity",
    "phase",
    "occurred_at",
    "description",
    "corroborations",
    "updated_at",
    "photos",
}

pytestmark = pytest.mark.django_db


def test_partners_see_only_verified_shared_incidents_and_nothing_of_the_observer(
    partner_api, every_kind, election
):
    response = partner_api()  # every scope, photos included
    body = response.get(URL)

    assert body.status_code == 200
    assert_no_secret_in(body.content.decode())
    results = body.json()["results"]
    assert [item["id"] for item in results] == [str(every_kind.id)]
    item = results[0]
    assert set(item) == FIELDS
    assert item["station"] == {"number": "101", "district": 1, "region": "Astana"}
    assert (item["election"], item["category"], item["severity"], item["phase"]) == (
        election.slug,
        "ballot_stuffing",
        5,
        "voting",
    )
    assert item["description"] == "Ballots were added to box 2."
    assert item["occurred_at"] == "2023-03-19T03:35:00Z"
    assert item["corroborations"] == 0
    assert len(item["photos"]) == 1
    assert set(item["photos"][0]) == {"id", "url", "thumbnail_url", "width", "height"}


def test_the_csv_export_redacts_as_much_as_the_list(partner_api, every_kind):
    response = partner_api("incidents:read", "exports:read").get(URL, {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    assert_no_secret_in(text)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "id",
        "election",
        "station",
        "district",
        "region",
        "category",
        "severity",
        "phase",
        "occurred_at",
        "description",
        "corroborations",
        "updated_at",
    ]
    assert [row[0] for row in rows[1:]] == [str(every_kind.id)]
    assert rows[1][8] == "2023-03-19T03:35:00+00:00"


def test_a_csv_cell_a_spreadsheet_would_run_is_made_inert(partner_api, make_incident):
    make_incident(description='=HYPERLINK("http://evil.example")')

    response = partner_api("incidents:read", "exports:read").get(URL, {"format": "csv"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][9] == '\'=HYPERLINK("http://evil.example")'


def test_an_organization_that_stops_sharing_takes_its_incidents_and_photos_away(
    partner_api, make_incident, organization
):
    report = make_incident(photos=1)
    client = partner_api()
    item = client.get(URL).json()["results"][0]
    assert client.get(item["photos"][0]["url"]).status_code == 200

    organization.share_with_partners = False
    organization.save()

    assert client.get(URL).json()["results"] == []
    gone = client.get(item["photos"][0]["url"])
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == "not_found"
    organization.share_with_partners = True
    organization.save()
    assert [i["id"] for i in client.get(URL).json()["results"]] == [str(report.id)]


def test_a_reopened_report_leaves_the_list_and_its_photo_link_stops_working(
    partner_api, make_incident, coordinator
):
    report = make_incident(photos=1)
    client = partner_api()
    url = client.get(URL).json()["results"][0]["photos"][0]["url"]

    report_reopen(report=report, by=coordinator, reason="A second look is needed.")

    assert client.get(URL).json()["results"] == []
    assert client.get(url).status_code == 404


def test_without_photos_read_the_photos_are_an_empty_list(partner_api, make_incident):
    make_incident(photos=2)

    item = partner_api("incidents:read").get(URL).json()["results"][0]

    assert item["photos"] == []


def test_the_signed_link_serves_the_stripped_photo_and_its_thumbnail(partner_api, make_incident):
    report = make_incident(photos=1)
    photo = report.photos.get()
    item = partner_api("incidents:read", "photos:read").get(URL).json()["results"][0]

    full = partner_api("scores:read").get(item["photos"][0]["url"])
    thumbnail = partner_api("scores:read").get(item["photos"][0]["thumbnail_url"])

    assert full.status_code == 200 and full["Content-Type"] == "image/jpeg"
    with storages["photos"].open(photo.image.name) as stored:
        assert b"".join(full.streaming_content) == stored.read()
    with storages["photos"].open(photo.thumbnail.name) as stored:
        assert b"".join(thumbnail.streaming_content) == stored.read()
    assert item["photos"][0]["id"] == str(photo.id)
    assert (item["photos"][0]["width"], item["photos"][0]["height"]) == (photo.width, photo.height)


def test_a_signed_link_needs_no_key_but_refuses_tampering(api, partner_api, make_incident):
    make_incident(photos=1)
    url = partner_api().get(URL).json()["results"][0]["photos"][0]["url"]

    assert api.get(url).status_code == 200
    token = url.rstrip("/").rsplit("/", 1)[1]
    tampered = url.replace(token, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    response = api.get(tampered)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert api.get("/api/v1/partner-photos/not-a-token/").status_code == 404


def test_a_signed_link_expires(api, partner_api, make_incident, settings):
    import time

    make_incident(photos=1)
    settings.PARTNER_PHOTO_URL_MAX_AGE = 1
    url = partner_api().get(URL).json()["results"][0]["photos"][0]["url"]
    assert api.get(url).status_code == 200

    time.sleep(2.1)
    response = api.get(url)

    assert response.status_code == 410
    assert response.json()["error"]["code"] == "link_expired"


@pytest.fixture
def spread(make_incident, secret_observer, make_station, election):
    """Verified incidents across districts, regions, categories and phases."""
    from people.models import Assignment, Membership
    from reports.models import IncidentReport

    far = make_station("777", district=9, region="Mangystau Region")
    Assignment.objects.create(membership=Membership.objects.get(user=secret_observer), station=far)
    reports = {
        "astana": make_incident(category="ballot_stuffing", phase="voting", minutes=0),
        "procedural": make_incident(category="procedural", phase="opening", minutes=10),
        "far": make_incident(category="intimidation", phase="counting", at_station=far, minutes=20),
    }
    IncidentReport.objects.filter(pk=reports["astana"].pk).update(updated_at="2023-03-19T10:00:00Z")
    IncidentReport.objects.filter(pk=reports["procedural"].pk).update(updated_at="2023-03-19T12:00:00Z")
    IncidentReport.objects.filter(pk=reports["far"].pk).update(updated_at="2023-03-19T14:00:00Z")
    return reports


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["far", "procedural", "astana"]),
        ({"election": "test-2023"}, ["far", "procedural", "astana"]),
        ({"election": "another"}, []),
        ({"district": 9}, ["far"]),
        ({"region": "mangystau region"}, ["far"]),
        ({"category": "procedural"}, ["procedural"]),
        ({"severity": 5}, ["astana"]),
        ({"severity": 3}, ["far"]),
        ({"phase": "counting"}, ["far"]),
        ({"since": "2023-03-19T12:00:00Z"}, ["far", "procedural"]),
        ({"since": "2023-03-19T17:00:00+06:00"}, ["far", "procedural"]),
        ({"since": "2023-03-19T14:00:01Z"}, []),
        ({"district": 1, "category": "ballot_stuffing"}, ["astana"]),
    ],
)
def test_incidents_are_filtered(partner_api, spread, query, expected):
    response = partner_api("incidents:read").get(URL, query)

    assert response.status_code == 200
    names = {str(report.id): name for name, report in spread.items()}
    assert [names[item["id"]] for item in response.json()["results"]] == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"since": "yesterday"}, "since"),
        ({"severity": "4"}, "severity"),
        ({"category": "fraud"}, "category"),
        ({"phase": "night"}, "phase"),
        ({"district": "two"}, "district"),
        ({"district": "1.5"}, "district"),
        ({"district": str(10**40)}, "district"),
        ({"district": "0"}, "district"),
    ],
)
def test_a_malformed_filter_is_a_400_naming_it(partner_api, spread, query, field):
    response = partner_api("incidents:read").get(URL, query)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid" and list(error["fields"]) == [field]


def test_the_csv_export_takes_the_same_filters(partner_api, spread):
    response = partner_api("incidents:read", "exports:read").get(URL, {"format": "csv", "district": 9})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row[0] for row in rows[1:]] == [str(spread["far"].id)]


def test_corroborations_count_other_observers_reports(
    partner_api, make_incident, make_member, organization, station
):
    witness = make_member("second-witness", organization, stations=[station])
    first = make_incident(minutes=0)
    make_incident(user=witness, minutes=20)

    items = partner_api("incidents:read").get(URL).json()["results"]

    assert {item["id"]: item["corroborations"] for item in items}[str(first.id)] == 1
