"""Hostile inputs: malformed or malicious requests to the observer API, the observer pages, the partner
API and the admin's imports. Each is refused with a 4xx and a message that says what is wrong, never a
5xx, and nothing already stored changes."""

import json
import uuid
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from counts.models import OfficialResult, ProtocolCopy, ResultBatch, TurnoutCount
from partners.keys import key_create
from partners.models import Partner, Scope
from people.models import Assignment, Membership
from reports.models import CheckIn, IncidentReport, ReportEvent, ReportPhoto
from reports.services import checkin_create, report_submit
from stations.models import District, PollingStation, Region, StationImport
from tests.hostile.api_cases import OBSERVER_API, PARTNER_API
from tests.hostile.form_cases import ADMIN_IMPORTS, OBSERVER_PAGES
from tests.hostile.requests import JSON, LAST_TIME, MORNING

pytestmark = pytest.mark.django_db

STORED_MODELS = [
    *(PollingStation, District, Region, StationImport, Membership, Assignment),
    *(CheckIn, IncidentReport, ReportPhoto, ReportEvent),
    *(TurnoutCount, ProtocolCopy, ResultBatch, OfficialResult),
]


@pytest.fixture
def world(observer, station, contests, superuser, organization, election):
    """What is already stored: a check-in and a report of the observer; and a client for each surface."""
    checkin_create(observer=observer, id=uuid.uuid4(), station_id=station.pk, kind="arrival", at=MORNING)
    report, _created = report_submit(
        observer=observer,
        id=uuid.uuid4(),
        station_id=station.pk,
        category="ballot_stuffing",
        phase="voting",
        occurred_at=MORNING,
        description="Stored before the attack.",
    )
    observer_api, pages, admin, partners = APIClient(), Client(), Client(), APIClient()
    observer_api.force_authenticate(observer)
    pages.force_login(observer)
    admin.force_login(superuser)
    partner = Partner.objects.create(name="Daily Steppe", organization=organization)
    _row, key = key_create(partner=partner, scopes=list(Scope.values), days=30)
    partners.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    ids = {
        "station": station.pk,
        "report": report.pk,
        "election": election.pk,
        "contest": contests.party_list.pk,
    }
    clients = {"observer_api": observer_api, "pages": pages, "admin": admin, "partners": partners}
    return SimpleNamespace(**clients, anonymous=APIClient(), ids=ids, organization=organization)


def stored() -> dict:
    """Row counts of everything an attack could write, and the values of the rows it could alter."""
    counts = {model.__name__: model.objects.count() for model in STORED_MODELS}
    reports = IncidentReport.objects.values_list("id", "status", "description", "updated_at")
    stations = PollingStation.objects.values_list("id", "number", "name", "registered_voters", "latitude")
    return {**counts, "reports": list(reports), "stations": list(stations)}


SURFACES = {
    "observer_api": OBSERVER_API,
    "partner_api": PARTNER_API,
    "observer_pages": OBSERVER_PAGES,
    "admin_imports": ADMIN_IMPORTS,
}
CASES = [
    pytest.param(case, id=f"{surface}-{case.name}") for surface, cases in SURFACES.items() for case in cases
]


def message_of(response) -> str:
    """The API's message in its one error shape; the page's text otherwise."""
    if response.get("Content-Type", "").startswith(JSON):
        error = response.json()["error"]
        assert error["code"] and error["message"]
        return error["message"] + json.dumps(error.get("fields", {}))
    return response.content.decode(errors="replace")


def test_there_are_at_least_forty_hostile_requests_across_the_four_surfaces():
    assert len(CASES) >= 40
    assert all(len(cases) >= 8 for cases in SURFACES.values())


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_request_is_refused_with_a_4xx_and_a_clear_message_and_changes_nothing(world, case):
    before = stored()

    response = case.send(world)

    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert case.says in message_of(response)
    assert stored() == before


def test_a_json_body_over_the_memory_limit_is_refused_before_it_is_parsed(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    before = stored()

    response = world.observer_api.post("/api/v1/checkins/", {"note": "x" * 2000}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "too_large"
    assert stored() == before


def test_a_partner_filter_time_past_the_last_date_in_utc_is_never_a_server_error(world):
    """SQLite cannot turn the year 9999 at UTC-14 into UTC (Python's dates end in 9999) and answered
    500; PostgreSQL's dates go further and find nothing."""
    before = stored()

    response = world.partners.get("/api/v1/incidents/", {"since": LAST_TIME})

    if connection.vendor == "sqlite":
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "out_of_range"
    else:
        assert (response.status_code, response.json()["results"]) == (200, [])
    assert stored() == before
