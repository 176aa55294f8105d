"""Shared election data (elections, stations, contests and choices, official results, the random
sample) is changed by election administrators only: a permission of its own, held without any
organization. Coordinators and reviewers read it and change none of it."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from counts.models import Contest, OfficialResult, ResultBatch
from counts.results import ChoiceSpec, contest_define
from demo.election import DEMO_SLUG
from people.models import Role
from stations.models import Election, PollingStation, SampleDraw, StationImport
from tests.reports.test_review_admin import in_group

pytestmark = pytest.mark.django_db

STATIONS_HEADER = (
    "region,district_number,district_name,station_number,name,address,latitude,longitude,registered_voters"
)
RESULTS_HEADER = "station_number,registered,ballots_issued,ballots_in_boxes,invalid,amanat,auyl"


@pytest.fixture
def contest(election, station):
    return contest_define(
        election=election,
        code="party_list",
        name="Party list",
        kind="party_list",
        choices=[ChoiceSpec("amanat", "Amanat"), ChoiceSpec("auyl", "Auyl")],
    )


@pytest.fixture
def election_admin(db):
    """An election administrator who belongs to no organization."""
    user = get_user_model().objects.create_user("election-admin", password="pw-for-tests-only", is_staff=True)
    return in_group(user, "Election administrator")


@pytest.fixture
def coordinator(coordinator):
    return in_group(coordinator, "Coordinator")


def stations_file() -> SimpleUploadedFile:
    data = f"{STATIONS_HEADER}\nAstana,1,Esil,777,School No. 7,7 Abai Avenue,51.1,71.4,900\n".encode()
    return SimpleUploadedFile("stations.csv", data, content_type="text/csv")


def results_file(station) -> SimpleUploadedFile:
    data = f"{RESULTS_HEADER}\n{station.number},1000,600,600,10,400,190\n".encode()
    return SimpleUploadedFile("results.csv", data, content_type="text/csv")


def contest_form(contest, name: str) -> dict:
    choices = list(contest.choices.order_by("position"))
    data = {
        "election": contest.election_id,
        "code": contest.code,
        "name": name,
        "kind": contest.kind,
        "choices-TOTAL_FORMS": str(len(choices)),
        "choices-INITIAL_FORMS": str(len(choices)),
    }
    for index, choice in enumerate(choices):
        data |= {
            f"choices-{index}-id": choice.pk,
            f"choices-{index}-contest": contest.pk,
            f"choices-{index}-position": choice.position,
            f"choices-{index}-code": choice.code,
            f"choices-{index}-name": choice.name,
        }
    return data


def test_a_coordinator_who_is_not_election_administrator_changes_no_shared_election_data(
    client, coordinator, election, station, contest
):
    client.force_login(coordinator)
    election_page = client.get(reverse("admin:stations_election_change", args=[election.pk]))
    contest_page = client.get(reverse("admin:counts_contest_change", args=[contest.pk]))
    elections = client.get(reverse("admin:stations_election_changelist")).content.decode()

    # Coordinators keep reading the shared data, but every way of changing it is hidden or refused.
    assert election_page.status_code == contest_page.status_code == 200
    for page in (election_page, contest_page):
        assert 'name="_save"' not in page.content.decode()
    assert "import-stations" not in election_page.content.decode()
    assert "draw-sample" not in election_page.content.decode()
    assert "import-results" not in contest_page.content.decode()
    assert '<option value="draw_sample">' not in elections
    refused = [
        client.post(
            reverse("admin:stations_election_import_stations", args=[election.pk]), {"file": stations_file()}
        ),
        client.post(
            reverse("admin:stations_election_draw_sample", args=[election.pk]),
            {"size": "1", "min_per_district": "0"},
        ),
        client.post(
            reverse("admin:counts_contest_import_results", args=[contest.pk]), {"file": results_file(station)}
        ),
        client.post(
            reverse("admin:counts_contest_change", args=[contest.pk]), contest_form(contest, "Renamed")
        ),
        client.post(
            reverse("admin:stations_pollingstation_change", args=[station.pk]),
            {"number": station.number, "name": "Renamed"},
        ),
        client.get(reverse("admin:counts_contest_add")),
        client.get(reverse("admin:stations_pollingstation_add")),
    ]

    assert [response.status_code for response in refused] == [403] * len(refused)
    assert not StationImport.objects.exists() and not SampleDraw.objects.exists()
    assert not ResultBatch.objects.exists() and not OfficialResult.objects.exists()
    assert list(PollingStation.objects.values_list("number", "name", "in_sample")) == [
        ("101", "School 5", False)
    ]
    assert Contest.objects.get().name == "Party list"


def test_an_election_administrator_without_an_organization_manages_the_shared_election_data(
    client, election_admin, election, station, contest, observer
):
    client.force_login(election_admin)

    imported = client.post(
        reverse("admin:stations_election_import_stations", args=[election.pk]), {"file": stations_file()}
    )
    drawn = client.post(
        reverse("admin:stations_election_draw_sample", args=[election.pk]),
        {"size": "1", "seed": "7", "min_per_district": "0"},
    )
    results = client.post(
        reverse("admin:counts_contest_import_results", args=[contest.pk]), {"file": results_file(station)}
    )
    renamed = client.post(
        reverse("admin:counts_contest_change", args=[contest.pk]), contest_form(contest, "Party list 2023")
    )

    assert [imported.status_code, drawn.status_code, results.status_code, renamed.status_code] == [302] * 4
    assert PollingStation.objects.filter(number="777").exists()
    assert SampleDraw.objects.get().drawn_by == election_admin
    assert OfficialResult.objects.current().get().votes == {"amanat": 400, "auyl": 190}
    assert Contest.objects.get().name == "Party list 2023"
    # The shared data only: no organization's reports, people or tokens.
    for model in ("reports/incidentreport", "people/membership", "people/observertoken"):
        assert client.get(f"/admin/{model}/").status_code == 403


def test_the_demo_coordinator_is_election_administrator_and_coordinator2_is_not(client):
    call_command("seed_demo", "--allow-demo-in-production", stdout=StringIO())
    election = Election.objects.get(slug=DEMO_SLUG)
    page = reverse("admin:stations_election_draw_sample", args=[election.pk])
    users = get_user_model().objects
    assert users.get(username="coordinator").has_perm("stations.draw_sample")
    assert not users.get(username="coordinator2").has_perm("stations.draw_sample")
    assert users.get(username="coordinator2").memberships.get().role == Role.COORDINATOR
    client.force_login(users.get(username="coordinator2"))
    assert client.get(page).status_code == 403
    client.force_login(users.get(username="coordinator"))
    assert client.get(page).status_code == 200
