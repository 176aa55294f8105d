"""Double entry of paper returns: two clerks type the same paper, agreeing entries make one
submission through the phone's service (critical answers become reports), differing ones list
exactly the differing questions for a third person to settle; scoped to the organization."""

from datetime import datetime

import pytest
from django.urls import reverse

from checklists.double_entry import differences, paper_entry_add, paper_settle
from checklists.models import CriticalAnswer, PaperReturn, ReturnState, Source, Submission
from checklists.services import AnswersRejected
from core.errors import ApplicationError, NotFound
from people.models import Role
from reports.models import IncidentReport
from tests.checklists.conftest import ALL_FINE, MORNING, in_group

pytestmark = pytest.mark.django_db

# The answers as the validator keeps them: an empty list of choices is no answer.
KEPT = {code: value for code, value in ALL_FINE.items() if value != []}


@pytest.fixture
def clerk(reviewer):
    return in_group(reviewer, "Reviewer")


@pytest.fixture
def second_clerk(coordinator):
    return in_group(coordinator, "Coordinator")


@pytest.fixture
def third(make_member, organization):
    return in_group(make_member("reviewer-a2", organization, role=Role.REVIEWER, is_staff=True), "Reviewer")


@pytest.fixture
def enter(version, station, observer, organization):
    """One clerk's entry of the observer's paper, through the service as the admin calls it."""

    def typed(by, answers=None, **changes):
        fields = {
            "version": version,
            "station": station,
            "observer": observer,
            "answered_at": MORNING,
            "organization_ids": {organization.pk},
            **changes,
        }
        return paper_entry_add(by=by, answers=dict(ALL_FINE if answers is None else answers), **fields)

    return typed


def test_agreeing_entries_create_one_submission_marked_as_paper(
    enter, clerk, second_clerk, observer, station
):
    first = enter(clerk)
    assert first.state == ReturnState.ENTERING
    assert not Submission.objects.exists()

    paper = enter(second_clerk)

    paper.refresh_from_db()
    submission = Submission.objects.get()
    assert paper.state == ReturnState.DONE
    assert paper.submission == submission
    assert submission.source == Source.PAPER
    assert submission.observer == observer
    assert submission.station == station
    assert submission.answered_at == MORNING
    assert submission.answers == KEPT
    assert paper.entries.count() == 2


def test_differing_entries_list_exactly_the_differing_questions(enter, clerk, second_clerk):
    enter(clerk)
    paper = enter(second_clerk, {**ALL_FINE, "admitted": "some", "voted": 12, "problems": ["late"]})

    paper.refresh_from_db()
    assert paper.state == ReturnState.DIFFERING
    assert not Submission.objects.exists()
    found = differences(paper)
    assert [d.code for d in found] == ["problems", "admitted", "voted"]
    assert [(d.first, d.second) for d in found] == [(None, ["late"]), ("all", "some"), (0, 12)]


def test_a_third_person_settles_and_the_submission_is_created(enter, clerk, second_clerk, third):
    enter(clerk)
    paper = enter(second_clerk, {**ALL_FINE, "admitted": "some", "voted": 12})

    submission = paper_settle(paper=paper, by=third, chosen={"admitted": "some", "voted": 0})

    paper.refresh_from_db()
    assert paper.state == ReturnState.DONE
    assert paper.settled_by == third
    assert paper.settled_answers == {**KEPT, "admitted": "some", "voted": 0}
    assert submission.answers == {**KEPT, "admitted": "some", "voted": 0}
    assert submission.source == Source.PAPER


@pytest.mark.parametrize("settler", ["clerk", "second_clerk"])
def test_neither_clerk_may_settle(request, enter, clerk, second_clerk, settler):
    enter(clerk)
    paper = enter(second_clerk, {**ALL_FINE, "voted": 12})

    with pytest.raises(ApplicationError, match="third person"):
        paper_settle(paper=paper, by=request.getfixturevalue(settler), chosen={"voted": 12})
    assert not Submission.objects.exists()


def test_settling_needs_every_difference_and_one_of_the_two_answers(enter, clerk, second_clerk, third):
    enter(clerk)
    paper = enter(second_clerk, {**ALL_FINE, "admitted": "some", "voted": 12})

    with pytest.raises(ApplicationError, match="voted"):
        paper_settle(paper=paper, by=third, chosen={"admitted": "some"})
    with pytest.raises(ApplicationError, match="one of the two"):
        paper_settle(paper=paper, by=third, chosen={"admitted": "some", "voted": 7})
    assert not Submission.objects.exists()


def test_the_same_clerk_cannot_enter_a_paper_twice(enter, clerk):
    enter(clerk)

    with pytest.raises(ApplicationError, match="second person"):
        enter(clerk)
    assert PaperReturn.objects.get().entries.count() == 1


def test_a_third_entry_is_refused(enter, clerk, second_clerk, third):
    enter(clerk)
    enter(second_clerk, {**ALL_FINE, "voted": 3})

    with pytest.raises(ApplicationError, match="twice already"):
        enter(third)


def test_answers_are_checked_as_the_phones_are(enter, clerk):
    with pytest.raises(AnswersRejected) as rejected:
        enter(clerk, {**ALL_FINE, "registered": 6000, "admitted": "everyone"})

    assert set(rejected.value.errors) == {"registered", "admitted"}
    assert not PaperReturn.objects.exists()


def test_critical_answers_on_paper_become_incident_reports(enter, clerk, second_clerk, observer, station):
    enter(clerk, {**ALL_FINE, "box_sealed": False})
    enter(second_clerk, {**ALL_FINE, "box_sealed": False})

    critical = CriticalAnswer.objects.select_related("report").get()
    assert critical.question == "box_sealed"
    assert critical.submission.source == Source.PAPER
    report = critical.report
    assert report.category == "unsealed_or_unattended_box"
    assert report.severity == 3
    assert report.station == station
    assert report.observer == observer
    assert IncidentReport.objects.count() == 1


def test_a_station_the_observer_does_not_observe_is_not_found(enter, clerk, make_station):
    with pytest.raises(NotFound):
        enter(clerk, station=make_station("555", district=1))


def test_a_clerk_of_another_organization_cannot_enter_our_paper(enter, clerk, other_organization):
    with pytest.raises(NotFound):
        enter(clerk, organization_ids={other_organization.pk})
    assert not PaperReturn.objects.exists()


# Through the admin: the data-entry screen, the return's page and settling.


def entry_form(version, station, observer, **answers) -> dict:
    values = {**ALL_FINE, **answers}
    data = {
        "version": version.pk,
        "station": station.number,
        "observer": observer.pk,
        "date": "2023-03-19",
        "time": "09:30",
        "answers_step": "1",
    }
    for code, value in values.items():
        if isinstance(value, bool):
            data[f"a-{code}"] = "true" if value else "false"
        elif isinstance(value, list):
            data[f"a-{code}"] = value
        else:
            data[f"a-{code}"] = str(value)
    return data


ADD = "admin:checklists_paperreturn_add"


def post_entry(client, user, form):
    client.force_login(user)
    return client.post(reverse(ADD), form)


def test_two_clerks_enter_the_same_paper_in_the_admin(
    client, clerk, second_clerk, version, station, observer
):
    first = post_entry(client, clerk, entry_form(version, station, observer))
    second = post_entry(client, second_clerk, entry_form(version, station, observer))

    paper = PaperReturn.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == reverse("admin:checklists_paperreturn_change", args=[paper.pk])
    assert paper.state == ReturnState.DONE
    assert Submission.objects.get().source == Source.PAPER


def test_the_form_shows_the_validators_messages_by_question(client, clerk, version, station, observer):
    response = post_entry(client, clerk, entry_form(version, station, observer, registered=6000))

    assert response.status_code == 200
    assert "registered" in response.context["answers"].errors
    assert not PaperReturn.objects.exists()


def test_the_differences_are_shown_and_settled_by_a_third_person(
    client, clerk, second_clerk, third, version, station, observer
):
    post_entry(client, clerk, entry_form(version, station, observer))
    post_entry(client, second_clerk, entry_form(version, station, observer, voted=12))
    paper = PaperReturn.objects.get()
    page = reverse("admin:checklists_paperreturn_change", args=[paper.pk])
    settle = reverse("admin:checklists_paperreturn_settle", args=[paper.pk])

    client.force_login(second_clerk)
    as_clerk = client.get(page)
    refused = client.post(settle, {"choice-voted": "12"})
    client.force_login(third)
    as_third = client.get(page)
    settled = client.post(settle, {"choice-voted": "12"})

    assert [d["code"] for d in as_clerk.context["differences"]] == ["voted"]
    assert not as_clerk.context["can_settle"]
    assert refused.status_code == 302
    assert as_third.context["can_settle"]
    assert 'name="choice-voted"' in as_third.content.decode()
    assert settled.status_code == 302
    assert Submission.objects.get().answers["voted"] == 12
    paper.refresh_from_db()
    assert paper.settled_by == third


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.COORDINATOR])
def test_staff_of_another_organization_see_nothing_of_ours(
    client, make_member, other_organization, enter, clerk, version, station, observer, role
):
    paper = enter(clerk)
    outsider = in_group(make_member(f"{role}-b", other_organization, role=role, is_staff=True), role.title())
    client.force_login(outsider)

    listed = client.get(reverse("admin:checklists_paperreturn_changelist"))
    page = client.get(reverse("admin:checklists_paperreturn_change", args=[paper.pk]))
    settle = client.post(reverse("admin:checklists_paperreturn_settle", args=[paper.pk]), {})
    entry = client.post(reverse(ADD), entry_form(version, station, observer))

    assert listed.status_code == 200
    assert list(listed.context["cl"].result_list) == []
    assert page.status_code == settle.status_code == 404
    # Our checklist and our observer are no choices of theirs: nothing is entered.
    assert entry.status_code == 200
    assert {"version", "observer"} <= set(entry.context["header"].errors)
    assert paper.entries.count() == 1


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.COORDINATOR])
def test_staff_of_the_organization_see_the_list_and_the_entry_screen(client, request, enter, clerk, role):
    paper = enter(clerk)
    user = request.getfixturevalue(role)
    in_group(user, role.title())
    client.force_login(user)

    listed = client.get(reverse("admin:checklists_paperreturn_changelist"))
    screen = client.get(reverse(ADD))

    assert [row.pk for row in listed.context["cl"].result_list] == [paper.pk]
    assert screen.status_code == 200


@pytest.mark.parametrize("who", ["observer", "anonymous"])
def test_observers_and_anonymous_are_sent_to_sign_in(client, observer, version, station, who):
    if who == "observer":
        client.force_login(observer)

    response = client.post(reverse(ADD), entry_form(version, station, observer))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
    assert not PaperReturn.objects.exists()


def test_a_time_in_the_future_is_refused(enter, clerk):
    with pytest.raises(ApplicationError):
        enter(clerk, answered_at=datetime.fromisoformat("2099-03-19T09:30:00+06:00"))
