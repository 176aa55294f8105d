"""Protocol copies reviewed like reports, in an admin scoped to the reviewer's organization, beside
the official result; contests and official results managed by election administrators."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.errors import ApplicationError, NotFound
from counts.models import Contest, OfficialResult, ProtocolCopy, ProtocolEvent, ResultBatch
from counts.results import ChoiceSpec, contest_define, results_import
from counts.review import protocol_review
from people.models import Role
from reports.models import ReportStatus
from tests.images import jpeg_bytes
from tests.reports.test_review_admin import in_group

pytestmark = pytest.mark.django_db

HEADER = "station_number,registered,ballots_issued,ballots_in_boxes,invalid,amanat,auyl"


@pytest.fixture
def contest(election, station):
    return contest_define(
        election=election,
        code="party_list",
        name="Party list",
        kind="party_list",
        choices=[ChoiceSpec("amanat", "Amanat"), ChoiceSpec("auyl", "Auyl")],
    )


@pytest.fixture
def protocol(election, organization, observer, station, contest):
    copy = ProtocolCopy(
        observer=observer,
        organization=organization,
        election=election,
        station=station,
        contest=contest,
        registered=1000,
        received=1000,
        issued=600,
        cancelled=400,
        in_boxes=600,
        invalid=10,
        valid=590,
        votes={"amanat": 400, "auyl": 190},
        width=64,
        height=48,
        size_bytes=100,
        sha256="b" * 64,
    )
    copy.image.save("protocol.jpg", ContentFile(jpeg_bytes()), save=False)
    copy.thumbnail.save("thumb.jpg", ContentFile(jpeg_bytes(size=(16, 12))), save=False)
    copy.save()
    return copy


@pytest.fixture
def staff(reviewer, coordinator, make_member, other_organization):
    return {
        "reviewer": in_group(reviewer, "Reviewer"),
        "coordinator": in_group(coordinator, "Coordinator"),
        "other_coordinator": in_group(
            make_member("coordinator-b", other_organization, role=Role.COORDINATOR, is_staff=True),
            "Coordinator",
        ),
        "election_admin": in_group(
            get_user_model().objects.create_user("election-admin", is_staff=True), "Election administrator"
        ),
    }


def test_a_reviewer_verifies_and_a_coordinator_reopens_with_every_step_kept(protocol, staff):
    verified = protocol_review(protocol=protocol, by=staff["reviewer"], action="verify", expected_version=1)
    assert (verified.status, verified.version, verified.reviewed_by) == (
        ReportStatus.VERIFIED,
        2,
        staff["reviewer"],
    )
    with pytest.raises(ApplicationError, match="Only a coordinator"):
        protocol_review(protocol=protocol, by=staff["reviewer"], action="reopen", note="wrong station")
    with pytest.raises(ApplicationError, match="Say why"):
        protocol_review(protocol=protocol, by=staff["coordinator"], action="reopen")
    reopened = protocol_review(
        protocol=protocol, by=staff["coordinator"], action="reopen", note="wrong station"
    )
    assert (reopened.status, reopened.reviewed_at) == (ReportStatus.SUBMITTED, None)
    steps = list(
        ProtocolEvent.objects.filter(protocol=protocol).values_list("action", "status_from", "status_to")
    )
    assert steps == [("verify", "submitted", "verified"), ("reopen", "verified", "submitted")]


def test_a_stale_or_impossible_review_is_refused_and_changes_nothing(protocol, staff):
    with pytest.raises(ApplicationError, match="changed since you opened it"):
        protocol_review(protocol=protocol, by=staff["reviewer"], action="verify", expected_version=7)
    with pytest.raises(ApplicationError, match="Say why"):
        protocol_review(protocol=protocol, by=staff["reviewer"], action="reject", note="  ")
    protocol_review(protocol=protocol, by=staff["reviewer"], action="reject", note="blurred photo")
    with pytest.raises(ApplicationError, match="cannot be verified"):
        protocol_review(protocol=protocol, by=staff["reviewer"], action="verify")
    protocol.refresh_from_db()
    assert (protocol.status, protocol.review_note) == (ReportStatus.REJECTED, "blurred photo")


def test_staff_of_another_organization_cannot_review_the_copy(protocol, staff, observer):
    for user in (staff["other_coordinator"], observer):
        with pytest.raises(NotFound):
            protocol_review(protocol=protocol, by=user, action="verify")
    protocol.refresh_from_db()
    assert protocol.status == ReportStatus.SUBMITTED


@pytest.mark.parametrize(
    ("who", "expected"),
    [("reviewer", 200), ("coordinator", 200), ("other_coordinator", 404), ("superuser", 200)],
)
def test_the_copy_page_its_photo_and_its_review_are_scoped_to_the_organization(
    client, protocol, staff, superuser, who, expected
):
    client.force_login(superuser if who == "superuser" else staff[who])
    pages = [
        reverse("admin:counts_protocolcopy_change", args=[protocol.pk]),
        reverse("admin:counts_protocolcopy_photo", args=[protocol.pk]),
        reverse("admin:counts_protocolcopy_thumbnail", args=[protocol.pk]),
    ]
    assert [client.get(page).status_code for page in pages] == [expected] * 3
    listing = client.get(reverse("admin:counts_protocolcopy_changelist"))
    assert listing.status_code == 200
    assert (str(protocol.pk) in listing.content.decode()) == (expected == 200)
    review = client.post(
        reverse("admin:counts_protocolcopy_review", args=[protocol.pk]), {"action": "verify"}
    )
    assert review.status_code == (302 if expected == 200 else 404)
    protocol.refresh_from_db()
    assert (protocol.status == ReportStatus.VERIFIED) == (expected == 200)


def test_an_observer_or_a_stranger_never_reaches_the_copy_in_the_admin(client, protocol, observer):
    page = reverse("admin:counts_protocolcopy_photo", args=[protocol.pk])
    assert client.get(page).status_code == 302  # to the sign-in page
    client.force_login(observer)
    assert client.get(page).status_code == 302


def test_the_copy_is_shown_beside_the_official_result_with_the_differences_marked(
    client, protocol, staff, contest, station
):
    results_import(
        contest=contest,
        data=f"{HEADER}\n{station.number},1000,600,600,10,380,210\n".encode(),
        filename="o.csv",
    )
    client.force_login(staff["reviewer"])
    page = client.get(reverse("admin:counts_protocolcopy_change", args=[protocol.pk])).content.decode()
    assert "The copy differs from the official result." in page
    assert page.count('class="differs"') == 2  # amanat and auyl
    assert reverse("admin:counts_protocolcopy_photo", args=[protocol.pk]) in page


def test_an_election_administrator_imports_official_results_from_the_admin_and_sees_every_bad_line(
    client, contest, staff, station
):
    page = reverse("admin:counts_contest_import_results", args=[contest.pk])
    for who in ("reviewer", "coordinator"):
        client.force_login(staff[who])
        assert client.get(page).status_code == 403
    client.force_login(staff["election_admin"])
    bad = SimpleUploadedFile("bad.csv", f"{HEADER}\n404,1,1,1,0,1,0\n".encode(), content_type="text/csv")
    response = client.post(page, {"file": bad})
    assert response.status_code == 400
    assert "line 2: station 404 is not in this election&#x27;s station list." in response.content.decode()
    assert not ResultBatch.objects.exists()
    good = SimpleUploadedFile("good.csv", f"{HEADER}\n{station.number},1000,600,600,10,400,190\n".encode())
    response = client.post(page, {"file": good})
    assert response.status_code == 302
    assert OfficialResult.objects.current().get().votes == {"amanat": 400, "auyl": 190}


def test_an_election_administrator_defines_a_contest_with_its_choices_in_the_admin(client, election, staff):
    client.force_login(staff["election_admin"])
    response = client.post(
        reverse("admin:counts_contest_add"),
        {
            "election": election.pk,
            "code": "party_list",
            "name": "Party list",
            "kind": "party_list",
            "choices-TOTAL_FORMS": "2",
            "choices-INITIAL_FORMS": "0",
            "choices-0-position": "1",
            "choices-0-code": "amanat",
            "choices-0-name": "AMANAT",
            "choices-1-position": "2",
            "choices-1-code": "auyl",
            "choices-1-name": "Auyl",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    contest = Contest.objects.get()
    assert list(contest.choices.values_list("code", flat=True)) == ["amanat", "auyl"]
    for who in ("reviewer", "coordinator"):
        client.force_login(staff[who])
        assert client.get(reverse("admin:counts_contest_add")).status_code == 403


def test_the_review_steps_of_a_copy_cannot_be_changed_or_removed(protocol, staff):
    protocol_review(protocol=protocol, by=staff["reviewer"], action="verify")
    step = ProtocolEvent.objects.get()
    step.note = "rewritten"
    with pytest.raises(TypeError, match="append-only"):
        step.save()
    with pytest.raises(TypeError, match="append-only"):
        step.delete()
    with pytest.raises(TypeError, match="append-only"):
        ProtocolEvent.objects.all().delete()
    assert ProtocolEvent.objects.get().note == ""
