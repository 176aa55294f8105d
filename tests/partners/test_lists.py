"""Every partner list reads a constant number of queries whatever its length, and its cursor
pages hand out every row exactly once."""

from datetime import timedelta

import pytest

from reports.models import IncidentReport, ReportPhoto
from stations.models import District, Election, PollingStation, Region
from tests.partners.conftest import MORNING

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(election, secret_observer, organization, station):
    """Build `count` verified incidents (each with a photo), districts, stations and elections."""

    def make(count: int) -> None:
        region = Region.objects.get(election=election)
        District.objects.bulk_create(
            District(election=election, number=100 + n, name=f"D{n}", region=region) for n in range(count - 1)
        )
        PollingStation.objects.bulk_create(
            PollingStation(election=election, number=f"9{n:03}", region=region, district=station.district)
            for n in range(count - 1)
        )
        Election.objects.bulk_create(
            Election(slug=f"e-{n}", name=f"E {n}", date="2020-01-01") for n in range(count - 1)
        )
        reports = IncidentReport.objects.bulk_create(
            IncidentReport(
                observer=secret_observer,
                organization=organization,
                election=election,
                station=station,
                category="procedural",
                severity=1,
                phase="voting",
                # Two reports a minute: equal times must still page cleanly.
                occurred_at=MORNING + timedelta(minutes=n // 2),
                status="verified",
            )
            for n in range(count)
        )
        ReportPhoto.objects.bulk_create(
            ReportPhoto(
                report=report,
                image=f"reports/{report.pk}/a.jpg",
                thumbnail=f"reports/{report.pk}/t.jpg",
                width=64,
                height=48,
                size_bytes=100,
                sha256=f"{n:064}",
            )
            for n, report in enumerate(reports)
        )

    return make


LISTS = [
    # url, scopes, queries: key + (election + version) + page (+ photos, + shared reports of the
    # stations, whose indicators are worked out from them)
    ("/api/v1/elections/", ["scores:read"], 2),
    ("/api/v1/elections/test-2023/districts/", ["scores:read"], 4),
    ("/api/v1/elections/test-2023/stations/", ["scores:read"], 5),
    ("/api/v1/incidents/", ["incidents:read"], 2),
    ("/api/v1/incidents/", ["incidents:read", "photos:read"], 3),
    ("/api/v1/elections/test-2023/districts/?format=csv", ["scores:read", "exports:read"], 4),
    ("/api/v1/elections/test-2023/stations/?format=csv", ["scores:read", "exports:read"], 5),
    ("/api/v1/elections/test-2023/stations.geojson", ["scores:read", "exports:read"], 5),
    ("/api/v1/incidents/?format=csv", ["incidents:read", "exports:read"], 2),
]


def rows_in(response) -> int:
    if response.get("Content-Type", "").startswith("text/csv"):
        return b"".join(response.streaming_content).decode().count("\n") - 1
    if response.get("Content-Type") == "application/geo+json":
        return b"".join(response.streaming_content).decode().count('"Feature"')
    return len(response.json()["results"])


@pytest.mark.parametrize("count", [1, 50])
@pytest.mark.parametrize(("url", "scopes", "queries"), LISTS)
def test_a_list_reads_as_many_queries_for_one_row_as_for_fifty(
    partner_api, many, django_assert_num_queries, url, scopes, queries, count
):
    many(count)
    client = partner_api(*scopes)
    client.get("/api/v1/elections/")  # records the key's first use, which writes once

    with django_assert_num_queries(queries):
        response = client.get(url)
        assert rows_in(response) == count


@pytest.mark.parametrize(
    ("url", "scopes", "key"),
    [
        ("/api/v1/incidents/", ["incidents:read"], "id"),
        ("/api/v1/elections/test-2023/stations/", ["scores:read"], "number"),
        ("/api/v1/elections/test-2023/districts/", ["scores:read"], "number"),
        ("/api/v1/elections/", ["scores:read"], "slug"),
    ],
)
def test_cursor_pages_give_every_row_once_in_order(partner_api, many, url, scopes, key):
    many(7)
    client = partner_api(*scopes)
    whole = [row[key] for row in client.get(url).json()["results"]]

    seen, page = [], client.get(url, {"page_size": 2}).json()
    while True:
        seen += [row[key] for row in page["results"]]
        if not page["next"]:
            break
        page = client.get(page["next"]).json()

    assert len(whole) == 7
    assert seen == whole
    # Backwards, DRF's cursor may overlap a page when times are equal, but never leaves the order.
    back = [row[key] for row in client.get(page["previous"]).json()["results"]]
    start = whole.index(back[0])
    assert back == whole[start : start + 2] and start + 2 <= 6


def test_incidents_are_newest_first_with_the_id_breaking_ties(partner_api, many):
    many(6)
    rows = partner_api("incidents:read").get("/api/v1/incidents/").json()["results"]

    keys = [(row["occurred_at"], row["id"]) for row in rows]
    assert keys == sorted(keys, reverse=True)


def test_a_page_size_above_the_limit_is_capped(partner_api, many):
    many(3)
    response = partner_api("scores:read").get("/api/v1/elections/", {"page_size": 100000})

    assert response.status_code == 200 and len(response.json()["results"]) == 3


def test_a_broken_cursor_is_a_404_in_the_error_shape(partner_api, many):
    many(1)
    response = partner_api("incidents:read").get("/api/v1/incidents/", {"cursor": "garbage"})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
