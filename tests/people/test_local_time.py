"""Staff see the admin and the dashboard in local time, with the zone named: the election's (a check-in
at 12:20 in Karaganda reads 12:20, not 06:20 UTC), or the zone they chose for themselves; times
typed in forms and the date filters are taken in that zone, and choosing it costs no query per page."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.local_time import SESSION_KEY
from people.models import Role, StaffProfile
from reports.models import CheckIn
from roster.models import RecontactCall
from stations.models import Election
from tests.roster.conftest import in_group

pytestmark = pytest.mark.django_db

KARAGANDA = ZoneInfo("Asia/Almaty")  # Karaganda region kept Almaty time (UTC+6) in March 2023
CHECKINS = reverse("admin:reports_checkin_changelist")


@pytest.fixture
def checked_in(observer, organization, station):
    """An arrival at 12:20 local time on election day (06:20 UTC)."""
    return CheckIn.objects.create(
        observer=observer,
        organization=organization,
        election=station.election,
        station=station,
        kind="arrival",
        at=datetime(2023, 3, 19, 12, 20, tzinfo=KARAGANDA),
    )


@pytest.fixture
def reviewer(reviewer):
    return in_group(reviewer, "Reviewer")


def signed_in_client(client, user):
    client.force_login(user)
    return client


def test_the_check_in_list_shows_the_local_time_and_names_the_zone(client, reviewer, checked_in):
    text = signed_in_client(client, reviewer).get(CHECKINS).content.decode()
    assert "12:20 p.m." in text and "6:20 a.m." not in text
    assert "Times in Asia/Almaty" in text


def test_the_dashboard_names_the_elections_zone(client, reviewer, checked_in, election):
    response = signed_in_client(client, reviewer).get(
        reverse("admin_dashboard") + f"?election={election.slug}"
    )
    assert "Times in Asia/Almaty" in response.content.decode()


def test_a_page_about_another_election_shows_that_elections_zone(client, reviewer, checked_in):
    other = Election.objects.create(
        slug="aqtobe-2023", name="Aqtobe", date="2023-03-19", timezone="Asia/Aqtobe"
    )
    signed_in_client(client, reviewer)
    text = client.get(CHECKINS + f"?election__id__exact={other.pk}").content.decode()
    assert "Times in Asia/Aqtobe" in text


def test_a_staff_users_own_zone_overrides_the_elections(client, reviewer, checked_in):
    signed_in_client(client, reviewer)
    response = client.post(reverse("admin_time_zone"), {"time_zone": "Europe/Berlin"})
    assert response.status_code == 302
    assert StaffProfile.objects.get(user=reviewer).time_zone == "Europe/Berlin"
    text = client.get(CHECKINS).content.decode()
    assert "7:20 a.m." in text and "12:20 p.m." not in text  # CET, UTC+1 in March
    assert "Times in Europe/Berlin" in text
    client.post(reverse("admin_time_zone"), {"time_zone": ""})
    assert "12:20 p.m." in client.get(CHECKINS).content.decode()


def test_an_unknown_zone_is_refused_with_a_message(client, reviewer):
    response = signed_in_client(client, reviewer).post(
        reverse("admin_time_zone"), {"time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not StaffProfile.objects.exists()


def test_the_zone_page_is_for_staff_only(client, observer):
    response = signed_in_client(client, observer).get(reverse("admin_time_zone"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_a_time_typed_in_a_form_is_taken_in_the_users_zone(client, make_member, organization, make_station):
    sampled = make_station("301", in_sample=True)
    make_member("observer-x", organization, stations=[sampled])
    reviewer = in_group(
        make_member("reviewer-x", organization, role=Role.REVIEWER, is_staff=True), "Reviewer"
    )
    StaffProfile.objects.create(user=reviewer, time_zone="Europe/Berlin")
    signed_in_client(client, reviewer)
    data = {"organization": organization.slug, "election": sampled.election.slug, "station": sampled.pk}
    data.update(stage="arrival", outcome="reached", at="2023-03-19 08:20")
    assert client.post(reverse("admin:roster_missing_call"), data).status_code == 302
    assert RecontactCall.objects.get().at == datetime(2023, 3, 19, 7, 20, tzinfo=UTC)


def test_the_date_filter_takes_days_in_the_users_zone(client, reviewer, organization, station, checked_in):
    # 00:30 on election day in Almaty is still 18 March in UTC.
    RecontactCall.objects.create(
        election=station.election,
        organization=organization,
        station=station,
        stage="arrival",
        outcome="reached",
        at=datetime(2023, 3, 19, 0, 30, tzinfo=KARAGANDA),
    )
    signed_in_client(client, reviewer)
    day = reverse("admin:roster_recontactcall_changelist") + "?at__year=2023&at__month=3&at__day="
    assert "1 recontact call" in client.get(day + "19").content.decode()
    assert "0 recontact calls" in client.get(day + "18").content.decode()


def test_the_zone_costs_no_query_once_signed_in(client, reviewer, checked_in):
    signed_in_client(client, reviewer)
    assert client.session[SESSION_KEY]["default"] == "Asia/Almaty"
    with CaptureQueriesContext(connection) as queries:
        client.get(CHECKINS)
    assert not [query for query in queries if "staffprofile" in query["sql"].lower()]


def test_observer_pages_and_the_api_keep_their_own_time(client, observer):
    signed_in_client(client, observer)
    client.get(reverse("observe:stations"))
    assert SESSION_KEY not in client.session
