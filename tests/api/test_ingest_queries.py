"""The phone's three JSON writes (incident report without photos, check-in, turnout count) at the
floor: the SQL statements each takes are pinned one by one, and every rule still holds.

The requests run outside any test transaction, as in production, so a single INSERT needs no
transaction of its own. Run on SQLite by default and on PostgreSQL with DATABASE_URL=postgres://…
"""

import re
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from core.middleware import FORK, JOIN, token_api_middleware
from counts.models import TurnoutCount
from people import observer_stations
from people.models import Membership, ObserverToken, Role
from people.services import token_issue, token_revoke
from reports.models import CheckIn, IncidentReport, ReportEvent
from tests.api.conftest import MORNING, error

pytestmark = pytest.mark.django_db(transaction=True)

READS = ["SELECT people_observertoken", "SELECT stations_pollingstation"]


def report(at_station) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "station": at_station.pk,
        "category": "ballot_stuffing",
        "phase": "voting",
        "occurred_at": MORNING.isoformat(),
        "description": "Two bundles of ballots went into box 2.",
    }


def checkin(at_station) -> dict:
    return {"id": str(uuid.uuid4()), "station": at_station.pk, "kind": "arrival", "at": MORNING.isoformat()}


def turnout(at_station) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "station": at_station.pk,
        "counted_at": MORNING.isoformat(),
        "voters": 412,
        "method": "tally",
    }


# url, body, the model of the row it writes
PATHS = {
    "report": ("/api/v1/reports/", report, IncidentReport),
    "checkin": ("/api/v1/checkins/", checkin, CheckIn),
    "turnout": ("/api/v1/turnout-counts/", turnout, TurnoutCount),
}


def writes(path: str) -> list[str]:
    """What each path writes: the others one INSERT, a transaction of its own; a report with its
    audit event on PostgreSQL in one statement (the report's INSERT in a WITH), elsewhere in one
    transaction."""
    if path == "report" and connection.vendor == "postgresql":
        return ["WITH reports_incidentreport"]
    if path == "report":
        return ["BEGIN", "INSERT reports_incidentreport", "INSERT reports_reportevent", "COMMIT"]
    return [{"checkin": "INSERT reports_checkin", "turnout": "INSERT counts_turnoutcount"}[path]]


def statements(queries: CaptureQueriesContext) -> list[str]:
    """Each statement as its verb and its table ("SELECT people_observertoken"), a SELECT's being
    the one outside its subqueries."""
    shapes = []
    for query in queries.captured_queries:
        sql = query["sql"]
        verb = sql.split()[0].upper()
        if verb == "SELECT":
            while re.search(r"\([^()]*\)", sql):
                sql = re.sub(r"\([^()]*\)", "", sql)
        table = re.search(r'(?:FROM|INTO|UPDATE) "(\w+)"', sql)
        shapes.append(f"{verb} {table.group(1)}" if table else verb)
    return shapes


def phone_of(user) -> tuple[APIClient, ObserverToken]:
    """The user's phone, its token used a moment ago (no last-used time to write)."""
    token, key = token_issue(user=user)
    ObserverToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client, token


@pytest.mark.parametrize("path", PATHS)
def test_each_write_reads_the_token_and_the_station_once_and_reads_nothing_back(path, observer, station):
    url, body, model = PATHS[path]
    phone, _token = phone_of(observer)

    with CaptureQueriesContext(connection) as queries:
        response = phone.post(url, body(station), format="json")

    assert response.status_code == 201, response.content
    taken = statements(queries)
    assert taken[: len(READS + writes(path))] == READS + writes(path)
    # Then, with no broker to hand it to (tests, `make run`), the scores are recomputed in the
    # request itself; with one, the request only asks for a recompute (tests/integrity).
    recompute = taken[len(READS + writes(path)) :]
    assert "INSERT integrity_scorerun" in recompute, recompute
    assert model.objects.filter(pk=response.json()["id"], observer=observer).count() == 1


def test_a_new_report_answers_with_its_station_and_no_photos_without_reading_them(observer, station):
    phone, _token = phone_of(observer)
    sent = report(station)

    response = phone.post(PATHS["report"][0], sent, format="json")

    body = response.json()
    assert (body["id"], body["photos"], body["status"]) == (sent["id"], [], "submitted")
    assert body["station"] == {"id": station.pk, "number": "101", "name": "School 5"}
    assert body["received_at"] == IncidentReport.objects.get().received_at.isoformat().replace("+00:00", "Z")


@pytest.mark.parametrize("path", PATHS)
def test_a_retry_with_the_same_id_answers_200_with_the_same_row_and_writes_nothing(path, observer, station):
    url, body, model = PATHS[path]
    phone, _token = phone_of(observer)
    sent = body(station)
    first = phone.post(url, sent, format="json")

    with CaptureQueriesContext(connection) as queries:
        again = phone.post(url, sent, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert model.objects.count() == 1
    assert ReportEvent.objects.count() == (1 if path == "report" else 0)
    assert not [shape for shape in statements(queries) if not shape.startswith("SELECT")]


@pytest.mark.parametrize("path", PATHS)
def test_a_retry_finds_its_row_even_when_the_station_is_no_longer_the_observers(path, observer, station):
    url, body, model = PATHS[path]
    phone, _token = phone_of(observer)
    sent = body(station)
    assert phone.post(url, sent, format="json").status_code == 201
    observer.memberships.get().assignments.all().delete()

    again = phone.post(url, sent, format="json")

    assert again.status_code == 200
    assert model.objects.count() == 1


@pytest.mark.parametrize("path", PATHS)
def test_someone_elses_id_is_refused(path, observer, station, make_member, organization):
    url, body, model = PATHS[path]
    sent = body(station)
    assert phone_of(observer)[0].post(url, sent, format="json").status_code == 201
    colleague = make_member("colleague", organization, stations=[station])

    response = phone_of(colleague)[0].post(url, sent, format="json")

    assert response.status_code == 400
    assert error(response)["fields"] == {
        "id": ["This id is already in use; the app must generate a new one."]
    }
    assert model.objects.get().observer == observer


@pytest.mark.parametrize("path", PATHS)
def test_a_station_that_is_not_the_observers_is_404_and_nothing_is_written(path, observer, make_station):
    url, body, model = PATHS[path]
    elsewhere = make_station("777", district=2)
    phone, _token = phone_of(observer)

    for station_id in (elsewhere.pk, 987654):
        response = phone.post(url, {**body(elsewhere), "station": station_id}, format="json")
        assert response.status_code == 404
        assert error(response) == {"code": "not_found", "message": "No such station among yours."}
    assert model.objects.count() == 0


@pytest.mark.parametrize("path", PATHS)
def test_a_revoked_token_is_401_and_nothing_is_written(path, observer, station):
    url, body, model = PATHS[path]
    phone, token = phone_of(observer)
    token_revoke(token=token)

    response = phone.post(url, body(station), format="json")

    assert response.status_code == 401
    assert error(response)["code"] == "token_revoked"
    assert model.objects.count() == 0


def test_the_organization_is_the_one_assigned_to_the_station_else_the_roaming_one(
    make_member, make_station, organization, other_organization
):
    """An observer of two organizations: assigned to station 101 by one, roaming in its district for
    the other (assigned there to 102)."""
    assigned, nearby, unassigned = make_station("101"), make_station("102"), make_station("103")
    far = make_station("201", district=2)
    observer = make_member("both", organization, stations=[assigned])
    roaming = Membership.objects.create(
        user=observer, organization=other_organization, role=Role.OBSERVER, roaming=True
    )
    roaming.assignments.create(station=nearby)
    phone, _token = phone_of(observer)

    answers = {
        s.number: phone.post("/api/v1/checkins/", checkin(s), format="json")
        for s in (assigned, nearby, unassigned, far)
    }

    assert {number: answer.status_code for number, answer in answers.items()} == {
        "101": 201,
        "102": 201,
        "103": 201,
        "201": 404,
    }
    organizations = dict(CheckIn.objects.values_list("station__number", "organization__slug"))
    assert organizations == {"101": "honest-count", "102": "another-watch", "103": "another-watch"}


def test_of_two_organizations_assigning_the_same_station_the_first_by_name_receives_it(
    make_member, station, organization, other_organization
):
    observer = make_member("twice", organization, stations=[station])
    second = Membership.objects.create(user=observer, organization=other_organization)
    second.assignments.create(station=station)
    phone, _token = phone_of(observer)

    assert phone.post("/api/v1/turnout-counts/", turnout(station), format="json").status_code == 201

    assert TurnoutCount.objects.get().organization == other_organization  # "Another Watch" < "Honest Count"


def test_a_reviewers_membership_gives_no_station(make_member, station, organization):
    reviewer = make_member("staff", organization, role=Role.REVIEWER, stations=[station])
    phone, _token = phone_of(reviewer)

    assert phone.post("/api/v1/checkins/", checkin(station), format="json").status_code == 404


def test_the_last_use_is_written_once_a_minute_not_on_every_request(observer, station):
    token, key = token_issue(user=observer)
    phone = APIClient()
    phone.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            assert phone.post("/api/v1/checkins/", checkin(station), format="json").status_code == 201
    assert statements(queries).count("UPDATE people_observertoken") == 1

    ObserverToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(seconds=61))
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert phone.post("/api/v1/checkins/", checkin(station), format="json").status_code == 201
    assert statements(queries).count("UPDATE people_observertoken") == 1
    token.refresh_from_db()
    assert timezone.now() - token.last_used_at < timedelta(seconds=5)


def test_of_two_requests_that_both_saw_an_old_last_use_only_the_first_writes_it(observer, station):
    """The UPDATE is conditional in SQL: when the other request of the same phone wrote the time just
    before, this one changes nothing."""
    token, key = token_issue(user=observer)
    ObserverToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(minutes=5))
    written_by_the_other = timezone.now() - timedelta(seconds=1)

    def the_other_request_first(execute, sql, params, many, context):
        if sql.startswith('UPDATE "people_observertoken"'):
            context["cursor"].cursor.execute(
                'UPDATE "people_observertoken" SET "last_used_at" = %s WHERE "id" = %s',
                [connection.ops.adapt_datetimefield_value(written_by_the_other), token.pk],
            )
        return execute(sql, params, many, context)

    phone = APIClient()
    phone.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    with connection.execute_wrapper(the_other_request_first):
        assert phone.post("/api/v1/checkins/", checkin(station), format="json").status_code == 201

    token.refresh_from_db()
    assert token.last_used_at == written_by_the_other


# ---- The browsers' middleware is not run for bearer calls (core/middleware.py) ---------------

SECURITY_HEADERS = {"X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy", "Content-Security-Policy"}


def test_a_bearer_call_skips_the_browsers_middleware_and_keeps_the_headers(observer, station):
    phone, _token = phone_of(observer)

    response = phone.post("/api/v1/checkins/", checkin(station), format="json")

    assert response.status_code == 201
    request = response.wsgi_request
    assert not {"session", "_messages", "auser"} & set(vars(request))
    assert request.user == observer  # set by the token authentication
    assert not response.cookies
    assert "Cookie" not in response["Vary"]
    assert set(response.headers) >= SECURITY_HEADERS
    assert response["X-Frame-Options"] == "DENY"


def test_a_bearer_call_is_answered_in_the_phones_language_in_the_apis_error_shape(observer, make_station):
    phone, _token = phone_of(observer)
    elsewhere = make_station("777", district=2)

    response = phone.post("/api/v1/checkins/", checkin(elsewhere), format="json", HTTP_ACCEPT_LANGUAGE="ru")

    assert response.status_code == 404
    assert response["Content-Language"] == "ru"
    assert error(response) == {"code": "not_found", "message": "Среди ваших участков такого нет."}


def test_a_session_call_to_the_api_and_a_page_go_through_all_the_middleware(observer, station, client):
    client.force_login(observer)

    api = client.post("/api/v1/checkins/", checkin(station), content_type="application/json")
    page = client.get("/observe/")

    assert (api.status_code, page.status_code) == (201, 200)
    for response in (api, page):
        assert {"session", "_messages", "auser"} <= set(vars(response.wsgi_request))
        assert set(response.headers) >= SECURITY_HEADERS
    assert "Cookie" in api["Vary"]


def test_signing_in_for_a_token_with_an_old_bearer_token_still_in_the_header_works(observer):
    phone = APIClient()
    phone.credentials(HTTP_AUTHORIZATION="Bearer an-old-key-the-phone-still-sends")

    response = phone.post(
        "/api/v1/auth/token/", {"username": "observer-a", "password": "pw-for-tests-only"}, format="json"
    )

    assert response.status_code == 201
    assert ObserverToken.objects.filter(user=observer).count() == 1


@pytest.mark.parametrize(
    "middleware",
    [
        ["django.middleware.common.CommonMiddleware"],
        [FORK, "django.middleware.common.CommonMiddleware"],
        [JOIN, "django.middleware.common.CommonMiddleware", FORK],
        [FORK, FORK, JOIN],
    ],
)
def test_a_fork_without_its_join_after_it_stops_the_start(middleware):
    with pytest.raises(ImproperlyConfigured, match="TokenAPIJoin"):
        token_api_middleware(middleware)


def test_a_bearer_call_goes_through_the_middleware_between_fork_and_join_that_browsers_alone_need_not(
    settings,
):
    kept = token_api_middleware(list(settings.MIDDLEWARE))

    assert kept == [
        "django.middleware.locale.LocaleMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
    ]


# ---- PostgreSQL plans the station query once per connection (core/rows.py) ---------------------


def test_the_station_query_is_prepared_on_postgresql_and_planned_each_time_elsewhere(observer, station):
    for _ in range(6):
        found = observer_stations.find(observer, station.pk)
        assert (found[0], found[1]) == (station, station.assignments.get().membership.organization_id)

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT statement FROM pg_prepared_statements")
            prepared = [row[0] for row in cursor.fetchall()]
        assert [sql for sql in prepared if "people_membership" in sql and "$1" in sql]
    else:
        assert connection.settings_dict["OPTIONS"].get("prepare_threshold") is None
