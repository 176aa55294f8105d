"""Rights come from the role held in the organization of the row, not from a global group: a
reviewer of organization A who coordinates organization B (and so sits in the Coordinator group)
reviews A's reports and protocol copies but does not reopen them, and manages no membership,
assignment or token of A; in B the same user has every coordinator's right."""

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from counts.models import ProtocolCopy
from people.models import Assignment, Membership, ObserverToken, Role
from people.services import token_issue
from reports.models import IncidentReport
from reports.services import report_verify
from tests.counts.test_review_admin import contest, protocol  # noqa: F401 (fixtures)
from tests.reports.test_review_admin import in_group, review, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def election_is_today(election):
    election.date = timezone.localdate()
    election.save()


@pytest.fixture
def dual(make_member, organization, other_organization):
    """Reviewer in A (`organization`), coordinator in B (`other_organization`)."""
    user = make_member("dual", organization, role=Role.REVIEWER, is_staff=True)
    Membership.objects.create(user=user, organization=other_organization, role=Role.COORDINATOR)
    in_group(user, "Reviewer")
    return in_group(user, "Coordinator")


@pytest.fixture
def rows(observer, other_observer, station, superuser):
    """A verified report, a membership, an assignment and a token in A and in B."""
    their_station = other_observer.memberships.get().assignments.get().station
    sides = {}
    for side, user, where in (("a", observer, station), ("b", other_observer, their_station)):
        membership = user.memberships.get()
        sides[side] = SimpleNamespace(
            report=report_verify(report=submit(user, where), by=superuser),
            membership=membership,
            assignment=membership.assignments.get(),
            token=token_issue(user=user)[0],
        )
    return SimpleNamespace(**sides)


def change_page(model: str, row, view: str = "change") -> str:
    app = "reports" if model == "incidentreport" else "people"
    return reverse(f"admin:{app}_{model}_{view}", args=[row.pk])


def membership_form(membership, role: str) -> dict:
    return {
        "user": membership.user_id,
        "organization": membership.organization_id,
        "role": role,
        "assignments-TOTAL_FORMS": "0",
        "assignments-INITIAL_FORMS": "0",
    }


def test_a_reviewer_of_one_organization_verifies_its_reports_but_cannot_reopen_them(
    client, dual, rows, observer, station
):
    waiting = submit(observer, station, minutes=30)
    client.force_login(dual)

    page = client.get(change_page("incidentreport", rows.a.report)).content.decode()
    refused = review(client, rows.a.report, "reopen", note="Looks wrong.")
    verified = review(client, waiting, "verify", note="Photo matches.")

    assert 'id="reopen-form"' not in page
    assert refused.status_code == 403
    assert IncidentReport.objects.get(pk=rows.a.report.pk).status == "verified"
    assert verified.status_code == 302
    assert IncidentReport.objects.get(pk=waiting.pk).status == "verified"
    # In the organization they coordinate, the same user reopens.
    assert 'id="reopen-form"' in client.get(change_page("incidentreport", rows.b.report)).content.decode()
    review(client, rows.b.report, "reopen", note="The photo is from 2021.")
    assert IncidentReport.objects.get(pk=rows.b.report.pk).status == "submitted"


def test_a_reviewer_of_one_organization_changes_none_of_its_memberships_or_assignments(client, dual, rows):
    client.force_login(dual)

    page = client.get(change_page("membership", rows.a.membership))
    attempts = [
        client.post(
            change_page("membership", rows.a.membership), membership_form(rows.a.membership, "coordinator")
        ),
        client.post(change_page("membership", rows.a.membership, "delete"), {"post": "yes"}),
        client.post(change_page("assignment", rows.a.assignment, "delete"), {"post": "yes"}),
        client.post(
            change_page("assignment", rows.a.assignment),
            {"membership": rows.a.membership.pk, "station": rows.b.assignment.station_id},
        ),
    ]

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert 'name="assignments-0-station"' not in page.content.decode()
    assert [response.status_code for response in attempts] == [403] * 4
    assert Membership.objects.get(pk=rows.a.membership.pk).role == Role.OBSERVER
    assert Assignment.objects.get(pk=rows.a.assignment.pk).station_id == rows.a.assignment.station_id
    # The same user manages B's people.
    theirs = client.get(change_page("membership", rows.b.membership)).content.decode()
    assert 'name="_save"' in theirs and 'name="assignments-0-station"' in theirs
    deleted = client.post(change_page("assignment", rows.b.assignment, "delete"), {"post": "yes"})
    assert deleted.status_code == 302
    assert not Assignment.objects.filter(pk=rows.b.assignment.pk).exists()


def test_a_reviewer_of_one_organization_cannot_assign_its_observers(client, dual, rows, organization):
    client.force_login(dual)

    added = client.post(
        reverse("admin:people_assignment_add"),
        {"membership": rows.a.membership.pk, "station": rows.b.assignment.station_id},
    )

    assert added.status_code == 200  # the form again, with the error
    assert "membership" in added.context["adminform"].form.errors
    assert Assignment.objects.filter(membership=rows.a.membership).count() == 1


def test_a_reviewer_of_one_organization_neither_adds_nor_bulk_deletes_its_members(
    client, dual, rows, organization, make_member
):
    newcomer = make_member("newcomer", rows.b.membership.organization)
    client.force_login(dual)

    added = client.post(
        reverse("admin:people_membership_add"),
        {**membership_form(rows.a.membership, "observer"), "user": newcomer.pk},
    )
    deleted = client.post(
        reverse("admin:people_membership_changelist"),
        {"action": "delete_selected", "_selected_action": [rows.a.membership.pk], "post": "yes"},
    )

    assert added.status_code == 200  # the form again, with the error
    assert "organization" in added.context["adminform"].form.errors
    assert deleted.status_code == 403
    members = Membership.objects.filter(organization=organization).values_list("user__username", flat=True)
    assert set(members) == {"dual", "observer-a"}


def test_the_assignment_import_offers_only_the_organizations_the_user_coordinates(
    client, dual, rows, organization, other_organization, election
):
    client.force_login(dual)
    url = reverse("admin:people_assignment_import")

    offered = client.get(url).context["form"].fields["organization"].queryset
    upload = SimpleUploadedFile(
        "a.csv", b"username,station_number\nobserver-a,999\n", content_type="text/csv"
    )
    response = client.post(url, {"organization": organization.pk, "election": election.pk, "file": upload})

    assert list(offered) == [other_organization]
    assert "organization" in response.context["form"].errors
    assert Assignment.objects.filter(membership=rows.a.membership).count() == 1


def test_a_reviewer_of_one_organization_neither_sees_nor_revokes_its_tokens(client, dual, rows):
    client.force_login(dual)

    listed = client.get(reverse("admin:people_observertoken_changelist")).context["cl"].result_list
    opened = client.get(change_page("observertoken", rows.a.token))
    client.post(
        reverse("admin:people_observertoken_changelist"),
        {"action": "revoke", "_selected_action": [rows.a.token.pk, rows.b.token.pk]},
    )

    assert [token.pk for token in listed] == [rows.b.token.pk]
    assert opened.status_code == 404
    revoked = dict(ObserverToken.objects.values_list("pk", "revoked_at"))
    assert revoked[rows.a.token.pk] is None and revoked[rows.b.token.pk] is not None


def test_a_reviewer_of_the_copys_organization_verifies_it_but_cannot_reopen_it(client, dual, request):
    copy = request.getfixturevalue("protocol")  # the counts admin's copy, in organization A
    client.force_login(dual)
    review_url = reverse("admin:counts_protocolcopy_review", args=[copy.pk])
    page_url = reverse("admin:counts_protocolcopy_change", args=[copy.pk])

    verified = client.post(review_url, {"action": "verify", "version": "1"})
    page = client.get(page_url).content.decode()
    refused = client.post(review_url, {"action": "reopen", "note": "Wrong station.", "version": "2"})

    assert verified.status_code == 302
    assert 'id="reopen-form"' not in page
    assert refused.status_code == 403
    assert ProtocolCopy.objects.get(pk=copy.pk).status == "verified"


def test_a_reviewer_of_one_organization_exports_none_of_its_reports(client, dual, rows):
    client.force_login(dual)

    exported = b"".join(client.get(reverse("reports_export_csv")).streaming_content).decode()

    assert str(rows.b.report.pk) in exported
    assert str(rows.a.report.pk) not in exported


@pytest.mark.parametrize(
    ("who", "side", "reopens", "manages"),
    [
        ("dual", "a", False, False),
        ("dual", "b", True, True),
        ("coordinator", "a", True, True),
        ("reviewer", "a", False, False),
    ],
)
def test_what_a_user_may_do_to_a_row_follows_their_role_in_its_organization(
    client, request, rows, dual, who, side, reopens, manages
):
    user = request.getfixturevalue(who)
    if who != "dual":
        in_group(user, who.capitalize())
    client.force_login(user)
    row = getattr(rows, side)

    report_page = client.get(change_page("incidentreport", row.report)).content.decode()
    membership_page = client.get(change_page("membership", row.membership)).content.decode()

    assert ('id="reopen-form"' in report_page) is reopens
    assert ('name="_save"' in membership_page) is manages
