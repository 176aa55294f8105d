"""Complaints in the console: the overdue list (filed, unanswered, past the legal deadline) and the
district page's complaints and outcomes, each for the staff of the complaint's organization only."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints.models import Complaint
from people.models import Role
from people.roles import ensure_groups
from tests.complaints.builders import answered, filed, overdue, verified_report

pytestmark = pytest.mark.django_db

OVERDUE = "/admin/dashboard/complaints/overdue/"


def staff(make_member, organization, username: str, role: str):
    ensure_groups()
    user = make_member(username, organization, role=role, is_staff=True)
    user.groups.add(Group.objects.get(name="Coordinator" if role == Role.COORDINATOR else "Reviewer"))
    return user


@pytest.fixture
def people(make_member, organization, other_organization):
    return {
        "reviewer_a": staff(make_member, organization, "reviewer-a1", Role.REVIEWER),
        "coordinator_a": staff(make_member, organization, "coordinator-a1", Role.COORDINATOR),
        "reviewer_b": staff(make_member, other_organization, "reviewer-b1", Role.REVIEWER),
        "coordinator_b": staff(make_member, other_organization, "coordinator-b1", Role.COORDINATOR),
    }


@pytest.fixture
def complaints(people, observer, other_observer, make_member, other_organization, station):
    """Organization A: one overdue, one waiting in time, one answered, at station 101 (district 1).
    Organization B: one overdue at station 999 (district 2) and one overdue at station 101."""
    by_a, by_b = people["coordinator_a"], people["coordinator_b"]
    report_a = verified_report(observer, station, by_a)
    b_at_101 = make_member("observer-b-101", other_organization, stations=[station])
    report_b = verified_report(
        other_observer, other_observer.memberships.get().assignments.get().station, by_b
    )
    return {
        "a_overdue": overdue([report_a], by_a, incoming_number="A-late"),
        "a_waiting": filed([report_a], by_a, incoming_number="A-waiting"),
        "a_answered": answered(overdue([report_a], by_a, incoming_number="A-answered"), by_a),
        "b_overdue": overdue([report_b], by_b, incoming_number="B-late"),
        "b_overdue_101": overdue([verified_report(b_at_101, station, by_b)], by_b, incoming_number="B-101"),
    }


def numbers_on(html: str) -> set[str]:
    return set(re.findall(r"<td>([AB]-[\w-]+)</td>", html))


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("reviewer_a", {"A-late"}),
        ("coordinator_a", {"A-late"}),
        ("reviewer_b", {"B-late", "B-101"}),
        ("coordinator_b", {"B-late", "B-101"}),
    ],
)
def test_the_overdue_list_shows_the_users_organizations_complaints_past_their_deadline(
    client, people, complaints, who, expected
):
    client.force_login(people[who])
    response = client.get(OVERDUE)

    assert response.status_code == 200
    assert numbers_on(response.content.decode()) == expected


def test_the_longest_overdue_come_first_with_their_days_late(client, people, complaints):
    Complaint.objects.filter(pk=complaints["b_overdue_101"].pk).update(
        deadline_at=F("deadline_at") - timedelta(days=3)
    )
    client.force_login(people["coordinator_b"])
    page = response_text(client.get(OVERDUE))

    days = re.findall(r'<td class="number">(\d+)</td>', page)
    assert page.index("B-101") < page.index("B-late")
    assert days == ["8", "5"]


def response_text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_a_superuser_sees_every_organizations_overdue_complaints(client, superuser, complaints):
    client.force_login(superuser)
    assert numbers_on(response_text(client.get(OVERDUE))) == {"A-late", "B-late", "B-101"}


def test_the_list_is_where_its_name_says():
    assert reverse("admin_complaints_overdue") == OVERDUE


def test_anonymous_visitors_and_observers_are_sent_to_the_admin_login(client, observer, complaints):
    login = f"{reverse('admin:login')}?next={OVERDUE}"
    assert client.get(OVERDUE).url == login
    client.force_login(observer)
    response = client.get(OVERDUE)
    assert (response.status_code, response.url) == (302, login)


def test_staff_without_the_right_to_read_complaints_are_refused(client, make_member, organization):
    client.force_login(make_member("clerk", organization, role=Role.COORDINATOR, is_staff=True))
    assert client.get(OVERDUE).status_code == 403


def test_the_dashboard_links_to_the_overdue_list(client, people, election):
    client.force_login(people["reviewer_a"])
    page = response_text(client.get(reverse("admin_dashboard")))
    assert f'href="{OVERDUE}"' in page


def test_the_district_page_counts_the_districts_complaints_and_lists_the_users_own(
    client, people, complaints, station
):
    client.force_login(people["reviewer_a"])
    page = response_text(client.get(reverse("admin_dashboard_district", args=[station.district_id])))

    section = page[page.index('id="district-complaint-counts"') :]
    rows = re.findall(r'<th scope="row">([^<]+)</th>((?:\s*<td class="number">\d+</td>)+)', section)
    counts = {label: [int(n) for n in re.findall(r">(\d+)<", cells)] for label, cells in rows[:2]}
    # Filed, upheld, rejected, no answer, no outcome yet, overdue, appealed.
    assert counts == {"Your organizations": [3, 0, 1, 0, 2, 1, 0], "All organizations": [4, 0, 1, 0, 3, 2, 0]}
    listed = page[page.index('id="district-complaints"') :]
    for mine in ("a_overdue", "a_waiting", "a_answered"):
        assert reverse("admin:complaints_complaint_change", args=[complaints[mine].pk]) in listed
    assert reverse("admin:complaints_complaint_change", args=[complaints["b_overdue_101"].pk]) not in page


def test_the_district_page_of_another_organizations_staff_lists_none_of_the_first(
    client, people, complaints, station
):
    client.force_login(people["coordinator_b"])
    page = response_text(client.get(reverse("admin_dashboard_district", args=[station.district_id])))
    for theirs in ("a_overdue", "a_waiting", "a_answered"):
        assert reverse("admin:complaints_complaint_change", args=[complaints[theirs].pk]) not in page
    assert reverse("admin:complaints_complaint_change", args=[complaints["b_overdue_101"].pk]) in page


def test_the_overdue_list_takes_as_many_queries_for_20_complaints_as_for_1(client, people, observer, station):
    by = people["coordinator_a"]
    report = verified_report(observer, station, by)
    client.force_login(by)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(OVERDUE).status_code == 200
        return len(captured)

    overdue([report], by)
    one = queries()
    for _ in range(19):
        overdue([report], by)
    assert queries() == one
    assert response_text(client.get(OVERDUE)).count("<td>17</td>") == 20
