"""Checklist results in the console: the page with its shares, intervals and the not-representative
count beside them, the district filter, the CSV, the link from the dashboard, and who may read
what: reviewers and coordinators of the checklist's organization, nobody of another organization,
no observer, nobody signed out. The election is tests/checklists/results_case.py's."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.models import Role
from stations.models import PollingStation
from tests.checklists.conftest import in_group
from tests.checklists.results_case import SECRET_TEXT, build_case, send

pytestmark = pytest.mark.django_db

PAGE = "/admin/dashboard/checklists/test-2023/opening/"
CSV = "/admin/dashboard/checklists/test-2023/opening/results.csv"
INDEX = "/admin/dashboard/checklists/?election=test-2023"


@pytest.fixture
def case(election, organization, make_station, make_member, superuser):
    return build_case(election, organization, "observer-results", make_station, make_member, superuser)


@pytest.fixture
def staff(make_member, organization, other_organization):
    def make(username, organization, role):
        user = make_member(username, organization, role=role, is_staff=True)
        return in_group(user, "Reviewer" if role == Role.REVIEWER else "Coordinator")

    return {
        "reviewer A": make("rev-a", organization, Role.REVIEWER),
        "coordinator A": make("coord-a", organization, Role.COORDINATOR),
        "reviewer B": make("rev-b", other_organization, Role.REVIEWER),
        "coordinator B": make("coord-b", other_organization, Role.COORDINATOR),
    }


def signed_in_as(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["reviewer A", "coordinator A"])
def test_staff_of_the_checklists_organization_read_its_results(client, case, staff, who):
    response = signed_in_as(client, staff[who]).get(PAGE)
    assert response.status_code == 200
    text = response.content.decode()
    # "sealed": yes 8/27 = 29.6 % (15.1 % to 44.1 %) on the sample, 4 of 8 = 50.0 % of all observed.
    assert "29.6 %" in text
    assert "15.1 %\u201344.1 %" in text
    assert "50.0 %" in text
    assert "not representative" in text
    assert SECRET_TEXT not in text


@pytest.mark.parametrize("who", ["reviewer B", "coordinator B"])
def test_staff_of_another_organization_find_nothing(client, case, staff, who):
    client = signed_in_as(client, staff[who])
    assert client.get(PAGE).status_code == 404
    assert client.get(CSV).status_code == 404
    assert "opening" not in client.get(INDEX).content.decode().split('id="checklists"')[1]


def test_another_organizations_checklist_of_the_same_code_is_neither_shown_nor_pooled(
    client, case, staff, election, other_organization, make_member, superuser
):
    from checklists.services import checklist_publish
    from tests.checklists.results_case import build_definition

    theirs = build_definition(election, other_organization)
    checklist_publish(checklist=theirs, by=superuser)
    # Their observer at s5, where organization A's observer saw an unsealed box.
    station = PollingStation.objects.get(number="s5")
    send(make_member("observer-b1", other_organization, stations=[station]), station, 1, {"sealed": True})
    own = signed_in_as(client, staff["coordinator A"]).get(PAGE).content.decode()
    assert "29.6 %" in own  # unchanged by the other organization's answer
    client.logout()
    other = signed_in_as(client, staff["coordinator B"]).get(PAGE).content.decode()
    assert "100.0 %" in other and "29.6 %" not in other


@pytest.mark.parametrize("who", [None, "observer"])
def test_observers_and_strangers_are_sent_to_sign_in(client, case, who, make_member, organization):
    user = make_member("plain-observer", organization) if who else None
    for url in (PAGE, CSV, INDEX):
        response = signed_in_as(client, user).get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_a_superuser_reads_every_organizations_results(client, case, superuser):
    assert "29.6 %" in signed_in_as(client, superuser).get(PAGE).content.decode()


def test_the_district_filter_shows_one_districts_figures(client, case, staff):
    client = signed_in_as(client, staff["reviewer A"])
    text = client.get(PAGE, {"district": 1}).content.decode()
    # District 1 alone: 2/3 = 66.7 %, ± 1.96/6.
    assert "66.7 %" in text and "34.0 %\u201399.3 %" in text
    assert client.get(PAGE, {"district": "one"}).status_code == 400
    assert client.get(PAGE, {"district": 99}).status_code == 404


def test_an_unknown_checklist_or_election_is_not_found(client, case, staff):
    client = signed_in_as(client, staff["coordinator A"])
    assert client.get("/admin/dashboard/checklists/test-2023/closing/").status_code == 404
    assert client.get("/admin/dashboard/checklists/no-such-election/opening/").status_code == 404


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_the_csv_has_a_row_per_question_answer_and_scope(client, case, staff):
    response = signed_in_as(client, staff["coordinator A"]).get(CSV)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = csv_rows(response)
    # Per scope: sealed 2, resealed 2, problems 3, admitted 3, voters 1, note, opened, photo 1 each,
    # extra 2 = 16 rows; the whole election and three districts.
    assert len(rows) == 64
    national = {(row["question"], row["answer"]): row for row in rows if row["district"] == ""}
    yes = national[("sealed", "yes")]
    assert float(yes["sample_estimate"]) == pytest.approx(8 / 27, abs=1e-6)
    assert float(yes["sample_standard_error"]) == pytest.approx(2 / 27, abs=1e-6)
    assert (yes["sample_count"], yes["sample_answered"], yes["sample_population"]) == ("3", "6", "9")
    assert (yes["observed_not_representative"], yes["observed_count"]) == ("0.500000", "4")
    assert national[("note", "answered")]["sample_answered"] == "1"
    assert SECRET_TEXT not in response.content.decode()


def test_the_csv_of_one_district_has_its_rows_only(client, case, staff):
    rows = csv_rows(signed_in_as(client, staff["reviewer A"]).get(CSV, {"district": 3}))
    assert len(rows) == 16 and {row["district"] for row in rows} == {"3"}
    lonely = next(row for row in rows if (row["question"], row["answer"]) == ("sealed", "yes"))
    assert lonely["sample_estimate"] == "" and lonely["observed_not_representative"] == "1.000000"


def test_the_dashboard_and_the_index_lead_to_the_results(client, case, staff, election):
    client = signed_in_as(client, staff["reviewer A"])
    dashboard = client.get(reverse("admin_dashboard"), {"election": election.slug}).content.decode()
    assert INDEX in dashboard.replace("&amp;", "&")
    assert PAGE in client.get(INDEX).content.decode()


def test_the_page_costs_the_same_queries_with_more_stations(
    client, case, staff, make_station, make_member, organization
):
    client = signed_in_as(client, staff["reviewer A"])
    client.get(PAGE)
    with CaptureQueriesContext(connection) as before:
        assert client.get(PAGE).status_code == 200
    stations = [make_station(f"x{n}", district=1 + n % 3, in_sample=True) for n in range(20)]
    observer = make_member("observer-more", organization, stations=stations)
    for station in stations:
        send(observer, station, 2, {"sealed": True, "voters": 10})
    with CaptureQueriesContext(connection) as after:
        assert client.get(PAGE).status_code == 200
    assert len(after) == len(before)
