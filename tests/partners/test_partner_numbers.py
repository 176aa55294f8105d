"""Every number a partner reads is worked out from what partners may see: verified reports of
organizations that share. A report of an organization that does not share, or one not verified
yet, at the same station and in the same category, moves none of them — although it does move
the scores' own station indicator, which weighs all evidence."""

import csv
import io
import json
from datetime import timedelta

import pytest

from integrity.models import StationIndicator
from integrity.services import scores_recompute
from people.models import Organization
from reports.models import IncidentReport
from tests.partners.conftest import MORNING

pytestmark = pytest.mark.django_db


def report(observer, organization, station, *, minutes, status="verified") -> IncidentReport:
    return IncidentReport.objects.create(
        observer=observer,
        organization=organization,
        election=station.election,
        station=station,
        category="ballot_stuffing",
        severity=5,
        phase="voting",
        occurred_at=MORNING + timedelta(minutes=minutes),
        description="Ballots were added to box 2.",
        status=status,
    )


@pytest.fixture
def shared(observer, organization, station):
    """One verified report of a sharing organization, with the scores computed."""
    made = report(observer, organization, station, minutes=0)
    scores_recompute(election_id=station.election_id)
    return made


@pytest.fixture
def hidden(make_member, organization, station):
    """What partners may not see, next to the shared report: a verified report of an organization
    that does not share and an unverified report, by two other observers, ten and twenty minutes
    later; then the scores are computed again."""

    def add() -> None:
        unsharing = Organization.objects.create(
            name="Keeps To Itself", slug="keeps", share_with_partners=False
        )
        outsider = make_member("outsider", unsharing, stations=[station])
        colleague = make_member("colleague", organization, stations=[station])
        report(outsider, unsharing, station, minutes=10)
        report(colleague, organization, station, minutes=20, status="submitted")
        scores_recompute(election_id=station.election_id)

    return add


def partner_numbers(client, station) -> dict:
    """Every number about the station and its incidents in the partner API, the exports included."""
    slug = station.election.slug
    incidents = client.get("/api/v1/incidents/").json()["results"]
    stations = client.get(f"/api/v1/elections/{slug}/stations/").json()["results"]
    rows = csv.DictReader(
        io.StringIO(
            b"".join(
                client.get(f"/api/v1/elections/{slug}/stations/", {"format": "csv"}).streaming_content
            ).decode()
        )
    )
    incident_rows = csv.DictReader(
        io.StringIO(b"".join(client.get("/api/v1/incidents/", {"format": "csv"}).streaming_content).decode())
    )
    geojson = json.loads(b"".join(client.get(f"/api/v1/elections/{slug}/stations.geojson").streaming_content))
    return {
        "corroborations": [item["corroborations"] for item in incidents],
        "csv_corroborations": [row["corroborations"] for row in incident_rows],
        "indicator": [item["indicator"] for item in stations],
        "csv_indicator": [(row["indicator_y"], row["indicator_severity"], row["incidents"]) for row in rows],
        "geojson_indicator": [feature["properties"]["indicator"] for feature in geojson["features"]],
    }


def test_it_computes_partner_numbers_only_from_verified_shared_reports(partner_api, shared, hidden, station):
    client = partner_api()
    before = partner_numbers(client, station)
    scores_indicator_before = StationIndicator.objects.get(station=station).y

    hidden()

    assert StationIndicator.objects.get(station=station).y > scores_indicator_before
    assert partner_numbers(client, station) == before
    assert before["corroborations"] == [0]
    assert before["indicator"] == [{"y": 0.5, "severity": 5, "incidents": 1}]


def test_a_second_shared_report_by_another_observer_corroborates_and_raises_the_indicator(
    partner_api, shared, make_member, organization, station
):
    colleague = make_member("colleague", organization, stations=[station])
    report(colleague, organization, station, minutes=20)

    numbers = partner_numbers(partner_api(), station)

    assert numbers["corroborations"] == [1, 1]
    assert numbers["csv_corroborations"] == ["1", "1"]
    # Corroborated reports weigh 0.7, and two reports within the hour are one incident.
    assert numbers["indicator"] == [{"y": 0.7, "severity": 5, "incidents": 1}]
    assert numbers["geojson_indicator"] == numbers["indicator"]
