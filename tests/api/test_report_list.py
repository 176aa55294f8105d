import pytest

from stations.models import PollingStation
from tests.api.conftest import OUTSIDERS

URL = "/api/v1/reports/?mine=true"


def test_an_observer_lists_their_reports_newest_first_with_reviewers_questions(
    observer_api, make_report, station
):
    early = make_report(minutes=0, photos=1)
    late = make_report(minutes=30, category="procedural", phase="opening")
    # What a reviewer's question leaves on the report.
    late.status, late.question = "needs_info", "Which box was it?"
    late.save(update_fields=["status", "question"])

    response = observer_api.get(URL)

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (2, None, None)
    assert [r["id"] for r in body["results"]] == [str(late.id), str(early.id)]
    first = body["results"][0]
    assert (first["status"], first["status_label"], first["question"]) == (
        "needs_info",
        "Question from a reviewer",
        "Which box was it?",
    )
    assert (first["category_label"], first["severity"]) == (
        "Procedural (late opening, missing materials, accessibility)",
        1,
    )
    assert first["station"] == {"id": station.pk, "number": "101", "name": "School 5"}
    photo = early.photos.get()
    assert body["results"][1]["photos"][0]["url"] == f"http://testserver/observe/photos/{photo.id}/"


def test_the_list_holds_fifty_reports_a_page(observer_api, make_report):
    for minute in range(51):
        make_report(minutes=minute)

    first = observer_api.get(URL).json()
    second = observer_api.get(first["next"]).json()

    assert (first["count"], len(first["results"]), len(second["results"])) == (51, 50, 1)
    assert first["next"] == "http://testserver/api/v1/reports/?mine=true&page=2"
    assert second["previous"] == "http://testserver/api/v1/reports/?mine=true"
    assert second["results"][0]["occurred_at"] == "2023-03-19T03:30:00Z"


def test_a_page_beyond_the_last_is_404(observer_api, make_report):
    make_report()

    response = observer_api.get(URL + "&page=3")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("who", OUTSIDERS)
def test_nobody_else_sees_an_observers_reports(signed_in, make_report, who):
    make_report()

    response = signed_in(who).get(URL)

    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_an_observer_does_not_see_reports_of_another_organizations_observer(
    signed_in, make_report, other_observer
):
    theirs = make_report(user=other_observer, at_station=PollingStation.objects.get(number="999"))
    mine = make_report()

    assert [r["id"] for r in signed_in("observer").get(URL).json()["results"]] == [str(mine.id)]
    assert [r["id"] for r in signed_in(other_observer).get(URL).json()["results"]] == [str(theirs.id)]


def test_listing_reports_needs_credentials(api):
    assert api.get(URL).status_code == 401


@pytest.mark.parametrize("query", ["", "?mine=false", "?mine=maybe"])
def test_only_ones_own_reports_can_be_listed(observer_api, query):
    response = observer_api.get("/api/v1/reports/" + query)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["mine"]


@pytest.mark.parametrize("reports", [1, 20])
def test_the_list_takes_the_same_number_of_queries_for_one_and_twenty_reports(
    django_assert_num_queries, observer_api, make_report, reports
):
    for minute in range(reports):
        make_report(minutes=minute, photos=2)

    # Session, user, count, the page of reports with station and district, their photos.
    with django_assert_num_queries(5):
        response = observer_api.get(URL)
    assert len(response.json()["results"]) == reports
    assert all(len(r["photos"]) == 2 for r in response.json()["results"])


@pytest.mark.parametrize("reports", [1, 20])
def test_the_list_over_a_bearer_token_takes_as_few_queries(
    django_assert_num_queries, bearer, observer, make_report, reports
):
    for minute in range(reports):
        make_report(minutes=minute, photos=1)
    phone = bearer(observer)
    phone.get(URL)  # the first use writes last_used_at

    # Token with its user, count, the page of reports, their photos.
    with django_assert_num_queries(4):
        response = phone.get(URL)
    assert len(response.json()["results"]) == reports
