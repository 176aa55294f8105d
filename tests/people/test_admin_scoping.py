"""Organization scoping in the admin: staff of organization A cannot list, open, filter to,
autocomplete or fetch a photo of organization B's data, URL guessing included; superusers see all."""

import uuid
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from people.models import Assignment, Membership, ObserverToken, Organization, Role
from people.services import token_issue
from reports.models import IncidentReport
from reports.services import checkin_create
from tests.reports.test_review_admin import in_group, photo, submit

pytestmark = pytest.mark.django_db

# Session, user, the user's and the group's permissions, the organization filter's choices, the
# filtered and the full count, and the page (users, organizations and station counts in it).
MEMBERSHIP_CHANGELIST_QUERIES = 8
MODELS = ["incidentreport", "checkin", "membership", "assignment", "observertoken", "organization"]
# Reports and check-ins are the reports app's; organizations and their people are people's.
APP = {"incidentreport": "reports", "checkin": "reports"}


def app_of(model: str) -> str:
    return APP.get(model, "people")


@pytest.fixture(autouse=True)
def election_is_today(election):
    election.date = timezone.localdate()
    election.save()


@pytest.fixture
def coordinator(coordinator):
    return in_group(coordinator, "Coordinator")


@pytest.fixture
def scene(observer, other_observer, station, organization, other_organization, make_member, coordinator):
    """One of everything in organization A (ours) and in organization B (theirs)."""
    their_station = other_observer.memberships.get().assignments.get().station
    coordinator_b = in_group(
        make_member("coordinator-b", other_organization, role=Role.COORDINATOR, is_staff=True), "Coordinator"
    )
    rows = {}
    for side, user, where in (("ours", observer, station), ("theirs", other_observer, their_station)):
        report = submit(user, where, photos=[photo((10, 10, 200) if side == "theirs" else (200, 10, 10))])
        checkin, _ = checkin_create(
            observer=user, id=uuid.uuid4(), station_id=where.pk, kind="arrival", at=timezone.now()
        )
        membership = user.memberships.get()
        rows[side] = SimpleNamespace(
            incidentreport=report,
            photo=report.photos.get(),
            checkin=checkin,
            membership=membership,
            assignment=membership.assignments.get(),
            observertoken=token_issue(user=user)[0],
            organization=membership.organization,
        )
    return SimpleNamespace(**rows, coordinator_b=coordinator_b)


def admin_url(model: str, view: str, *args) -> str:
    return reverse(f"admin:{app_of(model)}_{model}_{view}", args=args)


def listed(client, model: str, **query) -> set:
    response = client.get(admin_url(model, "changelist"), query)
    assert response.status_code == 200
    return {row.pk for row in response.context["cl"].result_list}


def autocomplete(client, model: str, field: str, term: str = "") -> set[str]:
    query = {"app_label": app_of(model), "model_name": model, "field_name": field, "term": term}
    response = client.get(reverse("admin:autocomplete"), query)
    assert response.status_code == 200
    return {result["text"] for result in response.json()["results"]}


@pytest.mark.parametrize("model", MODELS)
def test_a_coordinator_lists_only_their_organizations_rows(client, scene, coordinator, model):
    client.force_login(coordinator)
    rows = listed(client, model)
    assert getattr(scene.ours, model).pk in rows
    assert getattr(scene.theirs, model).pk not in rows


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_another_organizations_row_answers_404_just_like_a_missing_one(
    client, scene, coordinator, model, view
):
    client.force_login(coordinator)
    theirs = getattr(scene.theirs, model).pk
    missing = uuid.uuid4() if isinstance(theirs, uuid.UUID) else 987654
    assert client.get(admin_url(model, view, theirs)).status_code == 404
    assert client.get(admin_url(model, view, missing)).status_code == 404


@pytest.mark.parametrize("model", ["incidentreport", "checkin", "membership", "assignment"])
def test_the_coordinator_opens_their_own_rows(client, scene, coordinator, model):
    client.force_login(coordinator)
    assert client.get(admin_url(model, "change", getattr(scene.ours, model).pk)).status_code == 200


def test_another_organizations_report_cannot_be_reviewed_by_url(client, scene, coordinator):
    client.force_login(coordinator)
    theirs = scene.theirs.incidentreport
    review = admin_url("incidentreport", "review", theirs.pk)
    assert client.post(review, {"step": "verify", "version": theirs.version}).status_code == 404
    data = {"action": "verify_selected", "_selected_action": [str(theirs.pk)], "index": 0}
    client.post(admin_url("incidentreport", "changelist"), data)
    assert IncidentReport.objects.get(pk=theirs.pk).status == "submitted"
    assert not theirs.events.exclude(action="submit").exists()


def test_the_organization_filters_offer_only_the_users_organizations(
    client, scene, coordinator, make_member, observer, station
):
    third = Organization.objects.create(name="Third Watch", slug="third-watch")
    Membership.objects.create(user=coordinator, organization=third, role=Role.COORDINATOR)
    client.force_login(coordinator)
    for model in ("incidentreport", "membership", "checkin"):
        response = client.get(admin_url(model, "changelist"))
        spec = next(spec for spec in response.context["cl"].filter_specs if spec.title == "organization")
        assert {name for _pk, name in spec.lookup_choices} == {"Honest Count", "Third Watch"}
        assert "Another Watch" not in response.content.decode()


@pytest.mark.parametrize(
    ("model", "lookup"),
    [
        ("incidentreport", "organization__id__exact"),
        ("checkin", "organization__id__exact"),
        ("membership", "organization__id__exact"),
        ("assignment", "membership__organization__id__exact"),
    ],
)
def test_filtering_to_another_organization_lists_nothing(client, scene, coordinator, model, lookup):
    client.force_login(coordinator)
    assert getattr(scene.ours, model).pk in listed(client, model, **{lookup: scene.ours.organization.pk})
    assert listed(client, model, **{lookup: scene.theirs.organization.pk}) == set()


def test_the_autocompletes_offer_no_user_membership_or_organization_of_another_organization(
    client, scene, coordinator, superuser
):
    loner = get_user_model().objects.create_user("new-volunteer")
    client.force_login(coordinator)

    users = autocomplete(client, "membership", "user")
    assert {"observer-a", "coordinator-a", loner.username} <= users
    assert users.isdisjoint({"observer-b", "coordinator-b", superuser.username})
    assert autocomplete(client, "membership", "user", "observer-b") == set()
    memberships = autocomplete(client, "assignment", "membership")
    assert str(scene.ours.membership) in memberships
    assert not any("observer-b" in text for text in memberships)
    assert autocomplete(client, "membership", "organization") == {"Honest Count"}


def test_the_assignment_form_offers_no_membership_of_an_organization_the_user_only_reviews(
    client, scene, coordinator
):
    Membership.objects.create(user=coordinator, organization=scene.theirs.organization, role=Role.REVIEWER)
    client.force_login(coordinator)

    memberships = autocomplete(client, "assignment", "membership")

    assert str(scene.ours.membership) in memberships
    assert not any("observer-b" in text for text in memberships)
    # The membership list itself still shows the organization they review.
    assert scene.theirs.membership.pk in listed(client, "membership")


def test_the_user_autocomplete_does_not_open_the_user_list(client, scene, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert autocomplete(client, "assignment", "station") == {"101 School 5", "999"}  # public registry


def test_a_photo_of_another_organization_answers_404(client, scene, coordinator):
    client.force_login(coordinator)
    for name in ("observe:photo", "observe:photo_thumbnail"):
        assert client.get(reverse(name, args=[scene.ours.photo.pk])).status_code == 200
        assert client.get(reverse(name, args=[scene.theirs.photo.pk])).status_code == 404
        assert client.get(reverse(name, args=[uuid.uuid4()])).status_code == 404


def test_an_assignment_can_only_pick_a_membership_of_the_users_organizations(
    client, scene, coordinator, make_station
):
    extra = make_station("103", district=1)
    client.force_login(coordinator)

    refused = client.post(
        admin_url("assignment", "add"), {"membership": scene.theirs.membership.pk, "station": extra.pk}
    )
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    assert not Assignment.objects.filter(station=extra).exists()

    client.post(admin_url("assignment", "add"), {"membership": scene.ours.membership.pk, "station": extra.pk})
    assert Assignment.objects.filter(station=extra, membership=scene.ours.membership).exists()


def test_a_membership_cannot_be_made_for_a_user_or_into_an_organization_of_another(
    client, scene, coordinator, other_observer, organization, other_organization
):
    loner = get_user_model().objects.create_user("new-volunteer")
    client.force_login(coordinator)

    def add(user, organization) -> int:
        data = {
            "user": user.pk,
            "organization": organization.pk,
            "role": Role.OBSERVER,
            "language": "ru",
            "assignments-TOTAL_FORMS": 0,
            "assignments-INITIAL_FORMS": 0,
        }
        return client.post(admin_url("membership", "add"), data).status_code

    assert add(other_observer, organization) == 200  # the form again, with its error
    assert add(loner, other_organization) == 200
    assert not Membership.objects.filter(user=loner).exists()
    assert Membership.objects.filter(user=other_observer).count() == 1
    assert add(loner, organization) == 302
    assert Membership.objects.get(user=loner).organization == organization


def test_the_csv_import_cannot_assign_into_another_organization(client, scene, coordinator, election):
    client.force_login(coordinator)
    upload = SimpleUploadedFile("a.csv", b"username,station_number\nobserver-b,999\n")
    data = {"organization": scene.theirs.organization.pk, "election": election.pk, "file": upload}
    response = client.post(reverse("admin:people_assignment_import"), data)
    assert "Select a valid choice" in response.content.decode()
    assert Assignment.objects.filter(membership=scene.theirs.membership).count() == 1


def test_a_token_of_another_organization_cannot_be_revoked(client, scene, coordinator):
    client.force_login(coordinator)
    tokens = [str(scene.ours.observertoken.pk), str(scene.theirs.observertoken.pk)]
    client.post(
        admin_url("observertoken", "changelist"), {"action": "revoke", "_selected_action": tokens, "index": 0}
    )
    assert ObserverToken.objects.get(pk=scene.ours.observertoken.pk).revoked_at is not None
    assert ObserverToken.objects.get(pk=scene.theirs.observertoken.pk).revoked_at is None


def test_a_coordinator_cannot_add_an_organization(client, scene, coordinator):
    client.force_login(coordinator)
    assert client.get(admin_url("organization", "add")).status_code == 403
    assert client.get(admin_url("organization", "change", scene.ours.organization.pk)).status_code == 200


def test_the_other_organizations_coordinator_is_scoped_the_same_way(client, scene):
    client.force_login(scene.coordinator_b)
    assert listed(client, "incidentreport") == {scene.theirs.incidentreport.pk}
    assert client.get(admin_url("incidentreport", "change", scene.ours.incidentreport.pk)).status_code == 404
    assert client.get(reverse("observe:photo", args=[scene.ours.photo.pk])).status_code == 404


@pytest.mark.parametrize("model", MODELS)
def test_a_superuser_sees_every_organization(client, scene, superuser, model):
    client.force_login(superuser)
    assert {getattr(scene.ours, model).pk, getattr(scene.theirs, model).pk} <= listed(client, model)
    assert client.get(admin_url(model, "change", getattr(scene.theirs, model).pk)).status_code == 200


def test_a_superuser_filters_by_any_organization(client, scene, superuser):
    client.force_login(superuser)
    theirs = scene.theirs.organization.pk
    assert listed(client, "incidentreport", organization__id__exact=theirs) == {
        scene.theirs.incidentreport.pk
    }


@pytest.mark.parametrize("who", ["anonymous", "observer"])
def test_an_observer_or_a_stranger_cannot_reach_the_admin(client, scene, observer, who):
    if who == "observer":
        client.force_login(observer)
    for url in (
        admin_url("incidentreport", "changelist"),
        admin_url("incidentreport", "change", scene.ours.incidentreport.pk),
        admin_url("incidentreport", "review", scene.ours.incidentreport.pk),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("rows", [1, 20])
def test_the_membership_list_takes_the_same_queries_for_1_and_20_rows(
    client, coordinator, organization, make_member, make_station, django_assert_num_queries, rows
):
    stations = [make_station(f"5{index:02d}") for index in range(3)]
    for index in range(rows - 1):  # the coordinator's own membership is the first row
        make_member(f"volunteer-{index}", organization, stations=stations[: index % 3 + 1])
    client.force_login(coordinator)

    with django_assert_num_queries(MEMBERSHIP_CHANGELIST_QUERIES):
        response = client.get(admin_url("membership", "changelist"))

    assert len(response.context["cl"].result_list) == rows
    if rows == 20:
        assert '<td class="field-station_count">3</td>' in response.content.decode()
