import pytest

from people.models import Membership

ME_URL = "/api/v1/me/"


def test_an_observer_sees_their_organization_and_stations(signed_in, observer, station):
    response = signed_in(observer).get(ME_URL)

    assert response.status_code == 200
    assert response.json() == {
        "username": "observer-a",
        "organizations": [
            {"name": "Honest Count", "slug": "honest-count", "role": "observer", "roaming": False}
        ],
        "stations": [
            {
                "id": station.pk,
                "number": "101",
                "name": "School 5",
                "address": "Abai St. 1",
                "district": {"number": 1, "name": "District 1"},
                "election": "test-2023",
            }
        ],
    }


def test_a_roaming_observer_also_learns_the_districts_they_may_roam(
    signed_in, make_member, organization, make_station
):
    roamer = make_member(
        "roamer",
        organization,
        roaming=True,
        stations=[
            make_station("301", district=3),
            make_station("201", district=2),
            make_station("302", district=3),
        ],
    )

    body = signed_in(roamer).get(ME_URL).json()

    assert body["organizations"] == [
        {"name": "Honest Count", "slug": "honest-count", "role": "observer", "roaming": True}
    ]
    assert [s["number"] for s in body["stations"]] == ["201", "301", "302"]
    assert body["roaming_districts"] == [2, 3]


@pytest.mark.parametrize(
    ("who", "role"),
    [("reviewer", "reviewer"), ("coordinator", "coordinator"), ("unassigned_observer", "observer")],
)
def test_staff_and_unassigned_observers_see_their_role_and_no_stations(signed_in, observer, who, role):
    body = signed_in(who).get(ME_URL).json()

    assert body["organizations"] == [
        {"name": "Honest Count", "slug": "honest-count", "role": role, "roaming": False}
    ]
    assert body["stations"] == []
    assert "roaming_districts" not in body


def test_an_observer_of_another_organization_sees_only_their_own(signed_in, observer, other_observer):
    body = signed_in(other_observer).get(ME_URL).json()

    assert [o["slug"] for o in body["organizations"]] == ["another-watch"]
    assert [s["number"] for s in body["stations"]] == ["999"]


def test_a_user_in_no_organization_gets_an_empty_start_page(signed_in, superuser):
    body = signed_in(superuser).get(ME_URL).json()

    assert body == {"username": "root", "organizations": [], "stations": []}


def test_me_needs_credentials(api):
    assert api.get(ME_URL).status_code == 401


def test_a_station_assigned_to_a_reviewer_membership_is_not_among_the_stations(signed_in, reviewer, station):
    Membership.objects.get(user=reviewer).assignments.create(station=station)

    assert signed_in(reviewer).get(ME_URL).json()["stations"] == []


@pytest.mark.parametrize("stations", [1, 5])
def test_me_takes_the_same_number_of_queries_for_one_and_five_stations(
    django_assert_num_queries, make_member, organization, make_station, signed_in, stations
):
    user = make_member(
        "busy", organization, stations=[make_station(f"4{n:02}", district=n % 2 + 1) for n in range(stations)]
    )
    client = signed_in(user)

    # Session, user, memberships with their organization, stations with district and election.
    with django_assert_num_queries(4):
        response = client.get(ME_URL)
    assert len(response.json()["stations"]) == stations


@pytest.mark.parametrize("stations", [1, 5])
def test_me_of_a_roaming_observer_takes_one_query_more(
    django_assert_num_queries, make_member, organization, make_station, signed_in, stations
):
    user = make_member(
        "roamer",
        organization,
        roaming=True,
        stations=[make_station(f"4{n:02}", district=n % 2 + 1) for n in range(stations)],
    )
    client = signed_in(user)

    with django_assert_num_queries(5):
        response = client.get(ME_URL)
    assert response.json()["roaming_districts"] == sorted({n % 2 + 1 for n in range(stations)})
