"""The checklist builder and the submissions in the admin: who sees, changes, publishes and clones
what, across two organizations."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from checklists.models import Checklist, ChecklistVersion, Submission
from checklists.services import checklist_publish, submission_create
from people.models import Role
from stations.models import Election
from tests.api.test_photos import phone_photo_with_gps
from tests.checklists.conftest import ALL_FINE, MORNING, build_checklist, in_group

pytestmark = pytest.mark.django_db

# Session, user, the user's and the group's permissions, the filters' choices (elections, districts,
# organizations), the counts (filtered and in all), and the page with its stations, versions,
# checklists, observers and organizations in one query.
SUBMISSION_CHANGELIST_QUERIES = 10


@pytest.fixture
def ours(checklist):
    return checklist


@pytest.fixture
def theirs(election, other_organization):
    return build_checklist(election, other_organization, code="their-opening")


@pytest.fixture
def their_submission(theirs, make_member, other_organization, station, superuser):
    checklist_publish(checklist=theirs, by=superuser)
    watcher = make_member("observer-theirs", other_organization, stations=[station])
    submission, _ = submission_create(
        observer=watcher,
        id=uuid.uuid4(),
        checklist="their-opening",
        version=1,
        station_id=station.pk,
        answered_at=MORNING,
        answers=ALL_FINE,
    )
    return submission


@pytest.fixture
def our_submission(answer):
    submission, _ = answer()
    return submission


def staff(client, user, group):
    in_group(user, group)
    client.force_login(user)
    return client


def change_url(row) -> str:
    return reverse(f"admin:checklists_{row._meta.model_name}_change", args=[row.pk])


def listed(client, model: str) -> set:
    response = client.get(reverse(f"admin:checklists_{model}_changelist"))
    assert response.status_code == 200
    return {row.pk for row in response.context["cl"].result_list}


@pytest.mark.parametrize("role", ["reviewer", "coordinator"])
def test_staff_see_only_their_organizations_checklists_versions_and_submissions(
    client, request, role, ours, theirs, version, our_submission, their_submission
):
    user = request.getfixturevalue(role)
    staff(client, user, role.title())

    assert listed(client, "checklist") == {ours.pk}
    assert listed(client, "checklistversion") == {version.pk}
    assert listed(client, "submission") == {our_submission.pk}
    assert client.get(change_url(ours)).status_code == 200
    assert client.get(change_url(our_submission)).status_code == 200
    for row in (theirs, theirs.versions.get(), their_submission, theirs.questions.first()):
        assert client.get(change_url(row)).status_code == 404


def test_the_other_organizations_coordinator_sees_only_theirs(
    client, make_member, other_organization, ours, theirs, our_submission, their_submission
):
    other = make_member("coordinator-b", other_organization, role=Role.COORDINATOR, is_staff=True)
    staff(client, other, "Coordinator")

    assert listed(client, "checklist") == {theirs.pk}
    assert listed(client, "submission") == {their_submission.pk}
    assert client.get(change_url(ours)).status_code == 404
    assert client.get(change_url(our_submission)).status_code == 404


def test_an_observer_gets_no_admin(client, observer, ours):
    client.force_login(observer)

    response = client.get(reverse("admin:checklists_checklist_changelist"))

    assert response.status_code == 302


def test_a_reviewer_may_read_a_checklist_but_not_change_or_publish_it(client, reviewer, ours):
    staff(client, reviewer, "Reviewer")

    page = client.get(change_url(ours))
    changed = client.post(change_url(ours), {"name_en": "Renamed"})
    published = client.post(
        reverse("admin:checklists_checklist_changelist"),
        {"action": "publish", "_selected_action": [ours.pk]},
    )

    assert page.status_code == 200
    assert changed.status_code == 403
    assert published.status_code == 200  # the list again: the action is not offered
    assert ChecklistVersion.objects.count() == 0
    assert Checklist.objects.get(pk=ours.pk).name_en == "Opening"


def test_a_coordinator_publishes_from_the_list(client, coordinator, ours, theirs):
    staff(client, coordinator, "Coordinator")

    response = client.post(
        reverse("admin:checklists_checklist_changelist"),
        {"action": "publish", "_selected_action": [ours.pk, theirs.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "Opening (opening): version 1 published." in response.content.decode()
    # Another organization's checklist, slipped into the selection, is not touched.
    assert list(ChecklistVersion.objects.values_list("checklist", "number")) == [(ours.pk, 1)]
    assert ChecklistVersion.objects.get().published_by == coordinator


def test_a_coordinator_is_told_why_a_draft_cannot_be_published(client, coordinator, ours):
    staff(client, coordinator, "Coordinator")
    ours.questions.filter(code="registered").update(
        critical_values="lots", critical_severity=1, critical_category="procedural"
    )

    response = client.post(
        reverse("admin:checklists_checklist_changelist"),
        {"action": "publish", "_selected_action": [ours.pk]},
        follow=True,
    )

    assert "registered: Write a whole number." in response.content.decode()
    assert ChecklistVersion.objects.count() == 0


def test_a_coordinator_clones_a_checklist_into_another_election(client, coordinator, ours, version):
    later = Election.objects.create(slug="next-2027", name="Next", date="2027-03-19")
    staff(client, coordinator, "Coordinator")

    response = client.post(
        reverse("admin:checklists_checklist_changelist"),
        {"action": "clone", "_selected_action": [ours.pk], "election": later.pk},
        follow=True,
    )

    assert "1 checklist cloned." in response.content.decode()
    copy = Checklist.objects.get(election=later)
    assert (copy.code, copy.organization_id, copy.versions.count()) == ("opening", ours.organization_id, 0)
    assert copy.questions.count() == ours.questions.count()


def test_a_coordinator_edits_a_question_with_its_rules_checked(client, coordinator, ours):
    staff(client, coordinator, "Coordinator")
    question = ours.questions.get(code="voted")
    data = {
        "order": 2,
        "code": "voted",
        "kind": "number",
        "label_en": "Voted",
        "min_value": 10,
        "max_value": 5,
        "choices-TOTAL_FORMS": 0,
        "choices-INITIAL_FORMS": 0,
    }

    refused = client.post(change_url(question), data)
    accepted = client.post(change_url(question), {**data, "max_value": 50})

    assert refused.status_code == 200
    assert "The maximum is below the minimum." in refused.content.decode()
    assert accepted.status_code == 302
    question.refresh_from_db()
    assert (question.min_value, question.max_value) == (10, 50)


def test_submissions_cannot_be_changed_even_by_their_coordinator(client, coordinator, our_submission):
    staff(client, coordinator, "Coordinator")

    response = client.post(change_url(our_submission), {"answers": "{}"})

    assert response.status_code == 403
    assert Submission.objects.get().answers != {}


@pytest.mark.parametrize("count", [1, 20])
def test_the_submission_list_takes_the_same_queries_for_1_and_20_rows(
    client, coordinator, answer, count, django_assert_num_queries
):
    for _n in range(count):
        answer()
    staff(client, coordinator, "Coordinator")
    url = reverse("admin:checklists_submission_changelist")
    client.get(url)  # the session and permission caches warm up

    with django_assert_num_queries(SUBMISSION_CHANGELIST_QUERIES):
        response = client.get(url)

    assert len(response.context["cl"].result_list) == count


def checklist_form(checklist, **question) -> dict:
    """The checklist's page posted with one new question and every other row left as it is."""
    data = {
        "organization": checklist.organization_id,
        "election": checklist.election_id,
        "code": checklist.code,
        "phase": checklist.phase,
        "name_en": checklist.name_en,
        "name_ru": checklist.name_ru,
        "name_kk": checklist.name_kk,
    }
    for prefix in ("sections", "questions", "rules", "versions"):
        data[f"{prefix}-TOTAL_FORMS"] = 1 if prefix == "questions" else 0
        data[f"{prefix}-INITIAL_FORMS"] = 0
    data.update({f"questions-0-{name}": value for name, value in question.items()})
    return data


def test_a_coordinator_adds_a_question_on_the_checklists_page_with_its_condition_checked(
    client, coordinator, ours
):
    staff(client, coordinator, "Coordinator")
    first = ours.sections.get(order=1)
    question = {"section": first.pk, "order": 7, "code": "late_why", "kind": "text", "label_en": "Why late?"}

    refused = client.post(
        change_url(ours),
        checklist_form(ours, **question, show_if_question="opened_at", show_if_equals="09:00"),
    )
    accepted = client.post(
        change_url(ours),
        checklist_form(ours, **question, show_if_question="box_sealed", show_if_equals="false"),
    )

    assert refused.status_code == 200
    assert (
        "Only yes/no, choice and number questions can be compared with a value." in refused.content.decode()
    )
    assert accepted.status_code == 302
    added = ours.questions.get(code="late_why")
    assert (added.section, added.show_if_question, added.show_if_equals) == (first, "box_sealed", "false")


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        ("", "Choose the election to clone into."),
        # The admin's own check of its action form refuses these before the action runs.
        ("999999", "No action selected."),
        ("not-a-number", "No action selected."),
    ],
)
def test_cloning_without_a_valid_election_clones_nothing(client, coordinator, ours, chosen, message):
    staff(client, coordinator, "Coordinator")

    response = client.post(
        reverse("admin:checklists_checklist_changelist"),
        {"action": "clone", "_selected_action": [ours.pk], "election": chosen},
        follow=True,
    )

    assert message in response.content.decode()
    assert Checklist.objects.count() == 1


@pytest.fixture
def photographed(answer):
    """Our observer's submission with a photo answer."""
    upload = SimpleUploadedFile("box.jpg", phone_photo_with_gps(), content_type="image/jpeg")
    submission, _ = answer(photos={"box_photo": upload})
    return submission, submission.photos.get()


@pytest.fixture
def other_coordinator(make_member, other_organization):
    return make_member("coordinator-b", other_organization, role=Role.COORDINATOR, is_staff=True)


@pytest.mark.parametrize(
    ("who", "group", "status"),
    [
        ("reviewer", "Reviewer", 200),
        ("coordinator", "Coordinator", 200),
        ("other_coordinator", "Coordinator", 404),
    ],
)
def test_a_photo_answer_is_shown_to_its_organizations_staff_only(
    client, request, photographed, who, group, status
):
    submission, photo = photographed
    staff(client, request.getfixturevalue(who), group)
    url = reverse("admin:checklists_submission_photo", args=[submission.pk, photo.pk])

    full, thumbnail = client.get(url), client.get(f"{url}?thumbnail=1")

    assert (full.status_code, thumbnail.status_code) == (status, status)
    if status == 200:
        assert full["Content-Type"] == "image/jpeg" and full["X-Content-Type-Options"] == "nosniff"
        assert b"".join(full.streaming_content) == photo.image.open("rb").read()
        assert b"".join(thumbnail.streaming_content) == photo.thumbnail.open("rb").read()
        assert url in client.get(change_url(submission)).text


def test_a_photo_answer_is_refused_to_an_observer_and_under_another_submission(
    client, observer, reviewer, photographed, our_submission
):
    submission, photo = photographed
    client.force_login(observer)
    url = reverse("admin:checklists_submission_photo", args=[submission.pk, photo.pk])
    assert client.get(url).status_code == 302  # to the admin's sign-in
    staff(client, reviewer, "Reviewer")
    elsewhere = reverse("admin:checklists_submission_photo", args=[our_submission.pk, photo.pk])
    assert client.get(elsewhere).status_code == 404
