import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils.http import http_date

from integrity.models import DistrictScore, ScoreRun, StationIndicator
from reports.models import IncidentReport
from stations.models import Election, PollingStation
from tests.partners.conftest import MORNING

pytestmark = pytest.mark.django_db

COMPUTED = datetime(2023, 3, 19, 18, 0, tzinfo=UTC)
DISTRICT_FIELDS = {
    "number",
    "name",
    "region",
    "score",
    "interval_80",
    "interval_95",
    "band",
    "band_range",
    "coverage_grade",
    "observed_stations",
    "sample_stations",
    "total_stations",
    "components",
    "computed_at",
}


def publish(election, district, *, score=78.5, band="B", computed_at=COMPUTED, **fields) -> DistrictScore:
    """A published score of `district`, as a finished run leaves it."""
    run = ScoreRun.objects.create(
        election=election, status="finished", started_at=computed_at, finished_at=computed_at, seed=7
    )
    values = {
        "score": score,
        "interval_80_low": 72.0,
        "interval_80_high": 84.0,
        "interval_95_low": 66.5,
        "interval_95_high": 88.0,
        "band": band,
        "coverage": "B",
        "n": 16,
        "sample_used": False,
        "process_risk": 0.12,
        "count_risk": 0.05,
        "forensic_flags": 1.0,
        "components": {
            "process_risk_interval_80": [0.08, 0.17],
            "count_risk_interval_80": [0.01, 0.09],
            "forensic_penalty": 5.0,
            "observed": 16,
            "explanation": {"process": "Process words.", "count": "Count words.", "forensic": "Flag words."},
        },
        "computed_at": computed_at,
        **fields,
    }
    DistrictScore.objects.filter(district=district).delete()
    return DistrictScore.objects.create(election=election, run=run, district=district, **values)


def shared_report(observer, station, *, minutes=0, **fields) -> IncidentReport:
    """A verified report of the observer's organization, as a reviewer leaves it."""
    values = {
        "observer": observer,
        "organization": observer.memberships.get().organization,
        "election": station.election,
        "station": station,
        "category": "ballot_stuffing",
        "severity": 5,
        "phase": "voting",
        "occurred_at": MORNING + timedelta(minutes=minutes),
        "description": "Ballots were added to box 2.",
        "status": "verified",
    }
    return IncidentReport.objects.create(**(values | fields))


# Station 101's indicator as partners see it: two shared incidents two hours apart, each verified
# without a photo or a second observer (π = 0.5), so Y = 1 - 0.5 · 0.5.
SHARED_INDICATOR = {"y": 0.75, "severity": 5, "incidents": 2}


@pytest.fixture
def scored(election, make_station, make_member, organization):
    """District 1 scored (two stations, one in the sample), district 2 not scored yet (one station);
    station 101 has two shared incidents, and an indicator in the scores' own table that also
    weighs reports partners may not see."""
    first = make_station("101", district=1, in_sample=True, latitude="51.160523", longitude="71.470356")
    make_station("102", district=1, name="Library")
    make_station("201", district=2, region="Almaty (city)")
    # Imported before election day; queryset updates leave auto_now alone.
    PollingStation.objects.update(updated_at=datetime(2023, 3, 1, tzinfo=UTC))
    witness = make_member("observer-101", organization, stations=[first])
    for minutes in (0, 120):
        shared_report(witness, first, minutes=minutes)
    IncidentReport.objects.update(updated_at=datetime(2023, 3, 19, 12, tzinfo=UTC))  # verified that day
    district = first.district
    score = publish(election, district)
    StationIndicator.objects.create(
        election=election, station=first, run=score.run, severity=5, y=0.9, incidents=3, reports=4
    )
    return district


def districts_url(election, suffix="") -> str:
    return f"/api/v1/elections/{election.slug}/districts/{suffix}"


def test_partners_list_the_elections_newest_first(partner_api, election):
    Election.objects.create(slug="older-2021", name="Older", date="2021-01-10")

    response = partner_api("scores:read").get("/api/v1/elections/")

    assert response.status_code == 200
    assert response.json()["results"] == [
        {"slug": "test-2023", "name": "Test election 2023", "date": "2023-03-19", "timezone": "Asia/Almaty"},
        {"slug": "older-2021", "name": "Older", "date": "2021-01-10", "timezone": "Asia/Almaty"},
    ]


def test_every_district_is_listed_with_its_score_parts_or_nulls_before_scoring(partner_api, scored, election):
    response = partner_api("scores:read").get(districts_url(election))

    assert response.status_code == 200
    first, second = response.json()["results"]
    assert set(first) == set(second) == DISTRICT_FIELDS
    assert first == {
        "number": 1,
        "name": "District 1",
        "region": "Astana",
        "score": 78.5,
        "interval_80": [72.0, 84.0],
        "interval_95": [66.5, 88.0],
        "band": "B",
        "band_range": None,
        "coverage_grade": "B",
        "observed_stations": 16,
        "sample_stations": 1,
        "total_stations": 2,
        "components": {
            "process": {"risk": 0.12, "interval_80": [0.08, 0.17], "explanation": "Process words."},
            "count": {"risk": 0.05, "interval_80": [0.01, 0.09], "explanation": "Count words."},
            "forensic": {"flags": 1.0, "penalty": 5.0, "explanation": "Flag words."},
        },
        "computed_at": "2023-03-19T18:00:00Z",
    }
    assert second == {
        "number": 2,
        "name": "District 2",
        "region": "Almaty (city)",
        "score": None,
        "interval_80": None,
        "interval_95": None,
        "band": None,
        "band_range": None,
        "coverage_grade": "insufficient",
        "observed_stations": None,
        "sample_stations": 0,
        "total_stations": 1,
        "components": None,
        "computed_at": None,
    }


def test_a_score_between_bands_gives_the_band_range(partner_api, scored, election):
    publish(election, scored, band="", band_high="A", band_low="B")

    first = partner_api("scores:read").get(districts_url(election)).json()["results"][0]

    assert (first["band"], first["band_range"]) == (None, ["A", "B"])


def test_one_district_by_its_number(partner_api, scored, election):
    client = partner_api("scores:read")

    response = client.get(districts_url(election, "1/"))

    assert response.status_code == 200
    assert response.json()["score"] == 78.5
    assert client.get(districts_url(election, "2/")).json()["coverage_grade"] == "insufficient"
    missing = client.get(districts_url(election, "3/"))
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_an_unknown_election_is_404(partner_api, scored):
    for path in ("districts/", "districts/1/", "stations/", "stations.geojson"):
        response = partner_api().get(f"/api/v1/elections/nowhere/{path}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_a_conditional_get_answers_304_until_a_new_score_is_published(partner_api, scored, election):
    client = partner_api("scores:read")
    first = client.get(districts_url(election))
    etag, modified = first["ETag"], first["Last-Modified"]
    assert modified == http_date(COMPUTED.timestamp())

    again = client.get(districts_url(election), HTTP_IF_NONE_MATCH=etag)
    since = client.get(districts_url(election), HTTP_IF_MODIFIED_SINCE=modified)

    assert (again.status_code, since.status_code) == (304, 304)
    assert again.content == b"" and again["ETag"] == etag
    publish(election, scored, score=61.0, band="C", computed_at=datetime(2023, 3, 19, 19, 0, tzinfo=UTC))
    fresh = client.get(districts_url(election), HTTP_IF_NONE_MATCH=etag)
    assert fresh.status_code == 200 and fresh["ETag"] != etag
    assert fresh.json()["results"][0]["score"] == 61.0
    assert client.get(districts_url(election), HTTP_IF_MODIFIED_SINCE=modified).status_code == 200


def test_the_etag_depends_on_the_page_and_the_detail_has_its_own(partner_api, scored, election):
    client = partner_api("scores:read")
    whole = client.get(districts_url(election))["ETag"]
    page = client.get(districts_url(election), {"page_size": 1})["ETag"]
    detail = client.get(districts_url(election, "1/"))
    assert len({whole, page, detail["ETag"]}) == 3
    assert client.get(districts_url(election, "1/"), HTTP_IF_NONE_MATCH=detail["ETag"]).status_code == 304


def test_a_new_station_changes_the_etag_although_no_score_moved(partner_api, scored, election, make_station):
    client = partner_api("scores:read")
    etag = client.get(districts_url(election))["ETag"]

    make_station("103", district=1)

    response = client.get(districts_url(election), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["results"][0]["total_stations"] == 3


def test_the_districts_csv_says_what_the_list_says(partner_api, scored, election):
    response = partner_api("scores:read", "exports:read").get(districts_url(election), {"format": "csv"})

    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["number"] for row in rows] == ["1", "2"]
    assert rows[0]["score"] == "78.5" and rows[0]["interval_80_low"] == "72.0"
    assert rows[0]["band"] == "B" and rows[0]["coverage_grade"] == "B"
    assert rows[0]["computed_at"] == "2023-03-19T18:00:00+00:00"
    assert (rows[1]["score"], rows[1]["coverage_grade"], rows[1]["computed_at"]) == ("", "insufficient", "")


def stations_url(election, suffix="stations/") -> str:
    return f"/api/v1/elections/{election.slug}/{suffix}"


def test_stations_come_with_their_indicator_and_nothing_about_observers(partner_api, scored, election):
    response = partner_api("scores:read").get(stations_url(election))

    assert response.status_code == 200
    results = response.json()["results"]
    assert [s["number"] for s in results] == ["101", "102", "201"]
    assert results[0] == {
        "number": "101",
        "name": "",
        "address": "",
        "district": 1,
        "region": "Astana",
        "in_sample": True,
        "registered_voters": 1000,
        "latitude": 51.160523,
        "longitude": 71.470356,
        "indicator": SHARED_INDICATOR,
    }
    assert results[1]["indicator"] is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"district": 1}, ["101", "102"]),
        ({"district": 2}, ["201"]),
        ({"in_sample": "true"}, ["101"]),
        ({"in_sample": "false"}, ["102", "201"]),
        ({"district": 1, "in_sample": "false"}, ["102"]),
        # No station matches: an empty page, not a query Django cannot write.
        ({"district": 293}, []),
    ],
)
def test_stations_are_filtered_by_district_and_sample(partner_api, scored, election, query, expected):
    response = partner_api("scores:read").get(stations_url(election), query)

    assert [s["number"] for s in response.json()["results"]] == expected


def test_a_bad_station_filter_is_a_400(partner_api, scored, election):
    response = partner_api("scores:read").get(stations_url(election), {"in_sample": "perhaps"})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["in_sample"]


def test_the_stations_csv_and_geojson(partner_api, scored, election):
    client = partner_api("scores:read", "exports:read")

    text = b"".join(client.get(stations_url(election), {"format": "csv"}).streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["number"] for row in rows] == ["101", "102", "201"]
    assert (rows[0]["indicator_y"], rows[0]["incidents"], rows[1]["indicator_y"]) == ("0.75", "2", "")

    response = client.get(stations_url(election, "stations.geojson"), {"district": 1})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(b"".join(response.streaming_content))
    assert collection["type"] == "FeatureCollection"
    located, unlocated = collection["features"]
    assert located["geometry"] == {"type": "Point", "coordinates": [71.470356, 51.160523]}
    assert located["properties"]["indicator"] == SHARED_INDICATOR
    assert (unlocated["id"], unlocated["geometry"]) == ("102", None)


def test_stations_and_their_geojson_answer_conditional_gets_too(partner_api, scored, election):
    client = partner_api("scores:read", "exports:read")
    for url in (stations_url(election), stations_url(election, "stations.geojson")):
        etag = client.get(url)["ETag"]
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
        StationIndicator.objects.filter(station__number="101").update(y=0.8)
        publish(election, scored, computed_at=datetime(2023, 3, 20, tzinfo=UTC))
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_an_unknown_format_is_a_404_in_the_error_shape(partner_api, scored, election):
    response = partner_api().get(districts_url(election), {"format": "xlsx"})

    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "not_found",
        "message": "This list comes in these formats only: json, csv.",
    }
