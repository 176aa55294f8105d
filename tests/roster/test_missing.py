"""The missing list: which sampled stations go on it and when, marking the calls, its live data and
CSV, who may see and mark it, and a query count that does not grow with the list."""

import csv
import io
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from counts.models import Contest, ContestKind, ProtocolCopy, TurnoutCount
from roster.missing import deadlines, missing_entries
from roster.models import Outcome, RecontactCall
from tests.images import jpeg_bytes
from tests.roster.conftest import ALLOWED, ALMATY, NOT_YOURS, SIGN_IN, check_in, local, page

pytestmark = pytest.mark.django_db

# The fixture's election is on 19 March 2023 in Asia/Almaty, polls closing at 20:00.


def listed(team, now: str) -> set[tuple[str, str]]:
    entries = missing_entries(organization_id=team.a.pk, election=team.election, now=local(now))
    return {(entry.station.number, entry.stage) for entry in entries}


def turnout(user, station, at: str) -> TurnoutCount:
    return TurnoutCount.objects.create(
        observer=user,
        organization=user.memberships.get().organization,
        election=station.election,
        station=station,
        counted_at=local(at),
        voters=400,
        method="tally",
    )


def protocol(user, station) -> ProtocolCopy:
    contest, _ = Contest.objects.get_or_create(
        election=station.election,
        code="party_list",
        defaults={"name": "Party list", "kind": ContestKind.PARTY_LIST},
    )
    copy = ProtocolCopy(
        id=uuid.uuid4(),
        observer=user,
        organization=user.memberships.get().organization,
        election=station.election,
        station=station,
        contest=contest,
        registered=1000,
        received=1000,
        issued=400,
        cancelled=600,
        in_boxes=400,
        invalid=10,
        valid=390,
        width=10,
        height=10,
        size_bytes=10,
        sha256="0" * 64,
    )
    copy.image.save("p.jpg", ContentFile(jpeg_bytes()), save=False)
    copy.thumbnail.save("t.jpg", ContentFile(jpeg_bytes()), save=False)
    copy.save()
    return copy


def test_the_deadlines_follow_the_settings(team):
    due = deadlines(team.election)
    assert due["arrival"] == local("2023-03-19T08:00")  # 07:00 + 60 minutes
    assert due["close"] == local("2023-03-19T22:00")  # 20:00 + 120 minutes
    with override_settings(POLLS_OPEN="08:00", MISSING_ARRIVAL_MINUTES=30, MISSING_CLOSE_MINUTES=45):
        due = deadlines(team.election)
        assert (due["arrival"], due["close"]) == (local("2023-03-19T08:30"), local("2023-03-19T20:45"))


def test_nothing_is_missing_before_the_arrival_deadline(team):
    assert listed(team, "2023-03-19T07:59") == set()


def test_a_sampled_station_without_an_arrival_goes_on_the_list_at_the_deadline(team):
    # 103 is not in the sample, 201 is B's: neither is on A's list.
    assert listed(team, "2023-03-19T08:00") == {("101", "arrival"), ("102", "arrival")}


def test_an_arrival_takes_the_station_off_even_late(team):
    check_in(team.aigerim, team.sampled[0], at=local("2023-03-19T09:40"))
    check_in(team.bolat, team.sampled[1], kind="voting", at=local("2023-03-19T09:00"))  # not an arrival
    assert listed(team, "2023-03-19T10:00") == {("102", "arrival")}


def test_another_organizations_arrival_does_not_count_for_ours(team):
    check_in(team.dana, team.sampled[0], organization=team.b, at=local("2023-03-19T07:30"))
    assert ("101", "arrival") in listed(team, "2023-03-19T09:00")


def test_after_the_close_a_station_needs_a_final_count_and_a_protocol_copy(team):
    for user, station in ((team.aigerim, team.sampled[0]), (team.bolat, team.sampled[1])):
        check_in(user, station, at=local("2023-03-19T07:30"))
    assert listed(team, "2023-03-19T21:59") == set()
    assert listed(team, "2023-03-19T22:00") == {("101", "close"), ("102", "close")}
    turnout(team.aigerim, team.sampled[0], "2023-03-19T20:00")
    turnout(team.bolat, team.sampled[1], "2023-03-19T18:10")  # hours before the close: not final
    assert listed(team, "2023-03-19T22:30") == {("101", "close"), ("102", "close")}
    protocol(team.aigerim, team.sampled[0])
    protocol(team.bolat, team.sampled[1])
    assert listed(team, "2023-03-19T22:30") == {("102", "close")}


def test_an_entry_names_the_observers_to_call_with_their_phones(team):
    entries = missing_entries(
        organization_id=team.a.pk, election=team.election, now=local("2023-03-19T09:00")
    )
    observers = {entry.station.number: entry.observers for entry in entries}
    assert [(o.name, o.phone) for o in observers["101"]] == [("Aigerim Nurlanova", "+7 701 111 2233")]
    assert [(o.name, o.phone) for o in observers["102"]] == [("Bolat", "+7 701 444 5566")]


def call(client, team, station, **fields):
    data = {
        "organization": team.a.slug,
        "election": team.election.slug,
        "station": station.pk,
        "stage": "arrival",
        "outcome": "reached",
        **fields,
    }
    return client.post(reverse("admin:roster_missing_call"), data)


def test_a_reviewer_marks_a_call_and_the_list_shows_it(team, as_who):
    client = as_who("reviewer_a")
    response = call(client, team, team.sampled[0], outcome="unreachable", note="Switched off")
    assert response.status_code == 302
    recorded = RecontactCall.objects.get()
    assert (recorded.by, recorded.organization, recorded.outcome) == (team.reviewer_a, team.a, "unreachable")
    data = client.get(page("missing_data", team)).json()
    row = next(row for row in data["rows"] if row["key"] == f"{team.sampled[0].pk}-arrival")
    assert row["calls"] == 1
    assert row["last_call"].startswith("unreachable,") and row["last_call"].endswith(
        "by reviewer_a: Switched off"
    )
    assert data["summary"] == "2 stations missing."


def test_the_latest_call_is_the_one_shown(team, as_who):
    client = as_who("coordinator_a")
    call(client, team, team.sampled[0], outcome="unreachable", at="2023-03-19 08:10")
    call(client, team, team.sampled[0], outcome="replaced", replacement="bolat", at="2023-03-19 08:40")
    entry = next(
        entry
        for entry in missing_entries(organization_id=team.a.pk, election=team.election)
        if entry.station == team.sampled[0]
    )
    assert entry.calls == 2
    assert entry.last_call.outcome == Outcome.REPLACED
    assert entry.last_call.replacement.user == team.bolat
    # Typed in the election's zone (the coordinator chose none), kept as the UTC instant.
    assert entry.last_call.at == local("2023-03-19T08:40")
    with timezone.override(ALMATY):
        assert entry.last_call_text == "replaced by another observer, 08:40 by coordinator_a → Bolat"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"outcome": "asleep"}, "Outcome: Select a valid choice."),
        ({"outcome": "replaced"}, "Name the observer who replaces the one called."),
        ({"outcome": "replaced", "replacement": "dana"}, "dana is not an observer of Honest Count."),
        ({"replacement": "bolat"}, "Name a replacement only when the observer was replaced."),
        ({"at": "yesterday-ish"}, "Called at: Enter a valid date/time."),
        ({"at": "2999-01-01 10:00"}, "Called at: A call cannot be recorded in the future."),
    ],
)
def test_a_bad_call_is_refused_with_a_message_and_nothing_recorded(team, as_who, fields, message):
    response = call(as_who("reviewer_a"), team, team.sampled[0], **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RecontactCall.objects.exists()


@pytest.mark.parametrize("station", ["outside", "theirs", "nonsense"])
def test_a_call_for_a_station_not_on_our_list_answers_404(team, as_who, station):
    target = getattr(team, station) if station != "nonsense" else type("S", (), {"pk": "x"})()
    assert call(as_who("reviewer_a"), team, target).status_code == 404
    assert not RecontactCall.objects.exists()


@pytest.mark.parametrize("who", ALLOWED + NOT_YOURS + SIGN_IN)
@pytest.mark.parametrize("name", ["missing", "missing_data", "missing_csv"])
def test_who_may_see_the_missing_list(team, as_who, who, name):
    response = as_who(who).get(page(name, team))
    if who in ALLOWED:
        assert response.status_code == 200
    elif who in NOT_YOURS:
        assert response.status_code == 404
    else:
        assert response.status_code == 302


@pytest.mark.parametrize("who", ALLOWED + NOT_YOURS + SIGN_IN)
def test_who_may_mark_a_call(team, as_who, who):
    response = call(as_who(who), team, team.sampled[0])
    expected = {**dict.fromkeys(ALLOWED, 302), **dict.fromkeys(NOT_YOURS, 404)}.get(who, 302)
    assert response.status_code == expected
    assert RecontactCall.objects.exists() == (who in ALLOWED)


def test_the_csv_lists_each_entry_with_phones_and_the_last_call(team, as_who):
    client = as_who("coordinator_a")
    call(client, team, team.sampled[1], outcome="reached", note="On the bus")
    response = client.get(page("missing_csv", team))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    by_station = {(row["station"], row["stage"]): row for row in rows}
    assert set(by_station) == {("101", "arrival"), ("102", "arrival"), ("101", "close"), ("102", "close")}
    assert by_station[("101", "arrival")]["observers"] == "Aigerim Nurlanova +7 701 111 2233"
    assert by_station[("102", "arrival")]["last_outcome"] == "reached"
    assert by_station[("102", "arrival")]["note"] == "On the bus"
    assert by_station[("102", "arrival")]["called_by"] == "coordinator_a"


def data_queries(client, team) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(page("missing_data", team)).status_code == 200
    return len(queries)


def test_the_live_data_takes_the_same_queries_for_2_and_20_stations(team, as_who, make_member, make_station):
    client = as_who("reviewer_a")
    call(client, team, team.sampled[0])
    client.get(page("missing_data", team))
    few = data_queries(client, team)
    for number in range(18):
        station = make_station(f"3{number:02d}", district=1 + number % 2, in_sample=True)
        make_member(f"extra-{number}", team.a, stations=[station])
    many = data_queries(client, team)
    assert many == few == MISSING_DATA_QUERIES


# Session, user, permissions (user, groups), the organization, the election, then the list's own
# three: stations, observers, calls.
MISSING_DATA_QUERIES = 9


def test_a_user_without_groups_sees_no_organization(team, make_member, as_who, organization):
    from people.models import Role

    make_member("bare-staff", organization, role=Role.REVIEWER, is_staff=True)
    client = as_who("anonymous")
    client.force_login(get_user_model().objects.get(username="bare-staff"))
    assert client.get(page("missing", team)).status_code == 404


def test_the_page_names_the_deadlines_in_local_time(team, as_who):
    text = as_who("reviewer_a").get(page("missing", team)).content.decode()
    assert "by 19 Mar 08:00" in text and "by 19 Mar 22:00" in text


HUGE = "9" * 30


def test_numbers_too_large_for_the_database_answer_404_not_500(team, as_who):
    client = as_who("reviewer_a")
    assert call(client, team, type("Station", (), {"pk": HUGE})()).status_code == 400
    assert client.get(page("roster", team, district=HUGE)).status_code == 404
    assert client.get(page("roster", team, page=HUGE)).status_code == 200  # the last page
    assert client.get(f"/admin/roster/recontactcall/roster/accreditation/{HUGE}/").status_code == 404
