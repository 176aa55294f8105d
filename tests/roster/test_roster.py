"""The roster: each observer's day in one row (code issued, signed in, trained, accredited, checked in
today, last seen, open alerts), its filters, its CSV, the accreditation photos, who may see it, and
a query count that does not grow with the observers."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outreach.models import Alert, AlertStatus
from people.codes import code_redeem, codes_issue
from people.models import Membership
from people.services import token_issue
from roster.selectors import roster_rows, seen
from tests.images import jpeg_bytes
from tests.roster.conftest import ALLOWED, NOT_YOURS, SIGN_IN, check_in, page, yesterday

pytestmark = pytest.mark.django_db


def membership(user) -> Membership:
    return user.memberships.get()


def alert(user, status=AlertStatus.OPEN) -> Alert:
    member = membership(user)
    return Alert.objects.create(
        membership=member, organization=member.organization, kind="detained", status=status, at=timezone.now()
    )


def rows_by_username(team, **filters) -> dict:
    rows = roster_rows(organization=team.a, election=team.election, **filters)
    return {row.user.username: row for row in rows}


def test_the_roster_shows_each_observers_day(team):
    issued = codes_issue(memberships=Membership.objects.filter(user=team.aigerim), by=None)
    assert code_redeem(code=issued[0].code) == team.aigerim
    token, _key = token_issue(user=team.aigerim)
    token.last_used_at = timezone.now() - timedelta(minutes=5)
    token.save()
    arrival = check_in(team.aigerim, team.sampled[0])
    Membership.objects.filter(user=team.aigerim).update(
        trained_on=date(2023, 3, 11), accreditation_number="A-17"
    )
    alert(team.aigerim)
    alert(team.aigerim, status=AlertStatus.RESOLVED)
    check_in(team.bolat, team.sampled[1], at=yesterday())

    rows = rows_by_username(team)

    assert set(rows) == {"aigerim", "bolat"}  # not B's observer, not staff
    aigerim, bolat = rows["aigerim"], rows["bolat"]
    assert aigerim.code_issued_at == issued[0].row.created_at
    assert aigerim.signed_in_at is not None
    assert aigerim.trained_on == date(2023, 3, 11)
    assert aigerim.accreditation_number == "A-17"
    assert aigerim.checked_in_today is True
    assert seen(aigerim.last_seen_at) == arrival.received_at  # later than the token's last use
    assert aigerim.open_alerts == 1
    assert (bolat.code_issued_at, bolat.signed_in_at, bolat.trained_on) == (None, None, None)
    assert bolat.checked_in_today is False  # yesterday's check-in is not today's
    assert seen(bolat.last_seen_at) is not None
    assert bolat.open_alerts == 0


def test_an_observer_who_never_sent_anything_was_never_seen(team):
    assert seen(rows_by_username(team)["bolat"].last_seen_at) is None


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("no_code", {"bolat"}),
        ("not_signed_in", {"bolat"}),
        ("checked_in", {"aigerim"}),
        ("not_checked_in", {"bolat"}),
        ("alert", {"aigerim"}),
        ("untrained", {"bolat"}),
        ("unaccredited", {"bolat"}),
    ],
)
def test_the_status_filter_keeps_the_observers_in_that_state(team, status, expected):
    issued = codes_issue(memberships=Membership.objects.filter(user=team.aigerim), by=None)
    code_redeem(code=issued[0].code)
    check_in(team.aigerim, team.sampled[0])
    Membership.objects.filter(user=team.aigerim).update(
        trained_on=date(2023, 3, 11), accreditation_number="A-1"
    )
    alert(team.aigerim)
    assert set(rows_by_username(team, status=status)) == expected


def test_the_district_filter_keeps_the_observers_assigned_there(team):
    district_2 = team.sampled[1].district
    assert set(rows_by_username(team, district=district_2)) == {"bolat"}


def test_the_page_lists_the_observers_with_their_stations(team, as_who):
    response = as_who("reviewer_a").get(page("roster", team))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Aigerim Nurlanova" in text and "+7 701 111 2233" in text
    assert "102 103" in text  # Bolat's stations
    assert "Dana" not in text


def test_the_page_filters_by_district_and_status(team, as_who):
    check_in(team.aigerim, team.sampled[0])
    client = as_who("coordinator_a")
    by_district = client.get(page("roster", team, district=2)).content.decode()
    assert 'data-username="bolat"' in by_district and 'data-username="aigerim"' not in by_district
    by_status = client.get(page("roster", team, status="checked_in")).content.decode()
    assert 'data-username="aigerim"' in by_status and 'data-username="bolat"' not in by_status


@pytest.mark.parametrize("params", [{"status": "asleep"}, {"district": "x"}, {"district": "99"}])
def test_an_unknown_filter_answers_404(team, as_who, params):
    assert as_who("reviewer_a").get(page("roster", team, **params)).status_code == 404


@pytest.mark.parametrize("who", ALLOWED + NOT_YOURS + SIGN_IN)
@pytest.mark.parametrize("name", ["roster", "roster_csv"])
def test_who_may_see_the_roster(team, as_who, who, name):
    response = as_who(who).get(page(name, team))
    if who in ALLOWED:
        assert response.status_code == 200
    elif who in NOT_YOURS:
        assert response.status_code == 404
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_staff_of_b_see_their_own_roster_only(team, as_who):
    response = as_who("reviewer_b").get(page("roster", team, organization=team.b.slug))
    text = response.content.decode()
    assert 'data-username="dana"' in text and 'data-username="aigerim"' not in text


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_csv_holds_every_column_and_follows_the_filters(team, as_who):
    check_in(team.aigerim, team.sampled[0])
    Membership.objects.filter(user=team.bolat).update(phone="=HYPERLINK(1)")
    client = as_who("coordinator_a")
    rows = csv_rows(client.get(page("roster_csv", team)))
    by_name = {row["username"]: row for row in rows}
    assert set(by_name) == {"aigerim", "bolat"}
    assert by_name["aigerim"]["checked_in_today"] == "yes"
    # A leading "+" is a formula to a spreadsheet: the house rule makes it inert, as any such cell.
    assert by_name["aigerim"]["phone"] == "'+7 701 111 2233"
    assert by_name["bolat"]["stations"] == "102 103"
    assert by_name["bolat"]["phone"] == "'=HYPERLINK(1)"  # a formula made inert
    filtered = csv_rows(client.get(page("roster_csv", team, status="not_checked_in")))
    assert [row["username"] for row in filtered] == ["bolat"]


def photo_url(user) -> str:
    return reverse("admin:roster_accreditation", args=[membership(user).pk])


def test_the_accreditation_photo_is_served_to_the_observers_staff_only(team, as_who):
    member = membership(team.aigerim)
    member.accreditation_number = "A-17"
    member.accreditation_photo.save("doc.jpg", ContentFile(jpeg_bytes()), save=True)
    page_text = as_who("reviewer_a").get(page("roster", team)).content.decode()
    assert photo_url(team.aigerim) in page_text
    response = as_who("reviewer_a").get(photo_url(team.aigerim))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == member.accreditation_photo.open("rb").read()
    assert as_who("coordinator_b").get(photo_url(team.aigerim)).status_code == 404
    assert as_who("reviewer_a").get(photo_url(team.bolat)).status_code == 404  # no photo
    assert as_who("observer").get(photo_url(team.aigerim)).status_code == 302


def roster_queries(client, team) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(page("roster", team)).status_code == 200
    return len(queries)


def test_the_page_takes_the_same_queries_for_2_and_20_observers(team, as_who, make_member):
    client = as_who("reviewer_a")
    client.get(page("roster", team))  # the session's first page reads what decides its time zone
    few = roster_queries(client, team)
    for number in range(18):
        make_member(f"extra-{number}", team.a, stations=[team.sampled[number % 2]])
    assert roster_queries(client, team) == few == ROSTER_PAGE_QUERIES


# Session, user, user and group permissions, the organization, the election, the count, the page of
# observers with every column, their stations; the organizations and elections to choose from, the
# districts of the filter. (The open-alerts banner of every admin page is loaded by its own script.)
ROSTER_PAGE_QUERIES = 12
