"""The reviewers' admin: the report list, its filters and search, bulk review, the review page and
its panel, and the bulk assignment of observers from CSV."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from people.models import Assignment, Role
from people.roles import ensure_groups
from reports.admin.reports import age_text
from reports.models import IncidentReport, ReportEvent
from reports.services import report_submit, report_verify
from tests.images import jpeg_bytes

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:reports_incidentreport_changelist"
# Session, user, the user's and the group's permissions, the election, region, district and
# organization filter choices, the count, the page, the page's thumbnails, and the date hierarchy's
# range (its first and its last report) and its one day here, found by walking the time index: the
# first report, then none from the next day on.
REPORT_CHANGELIST_QUERIES = 15


def in_group(user, group: str):
    ensure_groups()
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture(autouse=True)
def election_is_today(election):
    # The services accept times from the eve of election day on: make it today.
    election.date = timezone.localdate()
    election.save()


@pytest.fixture
def reviewer(reviewer):
    return in_group(reviewer, "Reviewer")


@pytest.fixture
def coordinator(coordinator):
    return in_group(coordinator, "Coordinator")


def photo(color=(200, 30, 30)) -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.jpg", jpeg_bytes(color=color), content_type="image/jpeg")


def submit(observer, station, *, minutes=10, category="ballot_stuffing", **fields) -> IncidentReport:
    report, _ = report_submit(
        observer=observer,
        id=uuid.uuid4(),
        station_id=station.pk,
        category=category,
        phase="voting",
        occurred_at=timezone.now() - timedelta(minutes=minutes),
        **{"description": "A man put a stack of ballots into box 2.", **fields},
    )
    return report


def change_url(report) -> str:
    return reverse("admin:reports_incidentreport_change", args=[report.pk])


def review(client, report, step: str, *, version=None, follow=False, **fields):
    version = IncidentReport.objects.get(pk=report.pk).version if version is None else version
    url = reverse("admin:reports_incidentreport_review", args=[report.pk])
    return client.post(url, {"step": step, "version": version, **fields}, follow=follow)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def actions_post(client, action: str, reports, **fields):
    data = {"action": action, "_selected_action": [str(report.pk) for report in reports], **fields}
    return client.post(reverse(CHANGELIST), data, follow=True)


# --- The list ------------------------------------------------------------------------------------


def test_the_list_shows_station_district_thumbnails_age_and_corroborations(
    client, reviewer, observer, station, make_member, organization
):
    second = make_member("observer-a2", organization, stations=[station])
    first = submit(observer, station, minutes=12, photos=[photo()])
    submit(second, station, minutes=5)
    client.force_login(reviewer)

    response = client.get(reverse(CHANGELIST))

    content = response.content.decode()
    rows = {row.pk: row for row in response.context["cl"].result_list}
    assert rows[first.pk].corroborations == 1
    assert rows[first.pk].evidence == "unverified"
    thumbnail = reverse("observe:photo_thumbnail", args=[first.photos.get().pk])
    assert f'<img src="{thumbnail}" alt="photo" loading="lazy"' in content
    assert '<td class="field-district">1. District 1</td>' in content
    assert ">12 min</time>" in content and ">5 min</time>" in content
    assert '<td class="field-corroboration_count">1</td>' in content
    assert [row.pk for row in response.context["cl"].result_list][-1] == first.pk  # newest first


@pytest.mark.parametrize(
    ("minutes", "text"), [(0, "0 min"), (59, "59 min"), (60, "1 h"), (47 * 60 + 59, "47 h"), (72 * 60, "3 d")]
)
def test_the_age_reads_in_minutes_then_hours_then_days(minutes, text):
    assert age_text(timedelta(minutes=minutes, seconds=30)) == text


@pytest.mark.parametrize("reports", [1, 50])
def test_the_list_takes_the_same_queries_for_1_and_50_reports(
    client, reviewer, observer, station, django_assert_num_queries, reports
):
    for index in range(reports):
        submit(observer, station, minutes=index % 50, photos=[photo((index, 30, 30))] if index % 2 else [])
    client.force_login(reviewer)

    with django_assert_num_queries(REPORT_CHANGELIST_QUERIES):
        response = client.get(reverse(CHANGELIST))

    assert len(response.context["cl"].result_list) == reports


def test_the_district_photo_status_and_severity_filters_narrow_the_list(
    client, reviewer, observer, make_station, station, organization, make_member
):
    elsewhere = make_station("201", district=2, region="Almaty")
    roamer = make_member("observer-d2", organization, stations=[elsewhere])
    with_photo = submit(observer, station, photos=[photo()])
    verified = report_verify(report=submit(observer, station), by=reviewer)
    far = submit(roamer, elsewhere, category="procedural")
    client.force_login(reviewer)

    def listed(**query) -> set:
        response = client.get(reverse(CHANGELIST), query)
        assert response.status_code == 200
        return {report.pk for report in response.context["cl"].result_list}

    assert listed(station__district__id__exact=far.station.district_id) == {far.pk}
    assert listed(station__region__id__exact=far.station.region_id) == {far.pk}
    assert listed(has_photos="yes") == {with_photo.pk}
    assert listed(has_photos="no") == {verified.pk, far.pk}
    assert listed(status__exact="verified") == {verified.pk}
    assert listed(severity__exact=1) == {far.pk}
    assert listed(category__exact="procedural", phase__exact="voting") == {far.pk}
    assert listed(election__id__exact=station.election_id) == {with_photo.pk, verified.pk, far.pk}
    today = timezone.localdate()
    assert len(listed(occurred_at__year=today.year, occurred_at__month=today.month)) == 3


def test_search_matches_the_station_number_exactly_or_words_of_the_description(
    client, reviewer, observer, station, make_station, organization, make_member
):
    other_station = make_station("1010", district=1)
    neighbour = make_member("observer-a3", organization, stations=[other_station])
    ours = submit(observer, station, description="Carousel voters came by bus.")
    theirs = submit(neighbour, other_station, description="Ballots stuffed.")
    client.force_login(reviewer)

    def found(term: str) -> set:
        return {
            report.pk for report in client.get(reverse(CHANGELIST), {"q": term}).context["cl"].result_list
        }

    assert found("101") == {ours.pk}
    assert found("1010") == {theirs.pk}
    assert found("carousel") == {ours.pk}


# --- Bulk review -----------------------------------------------------------------------------------


def test_bulk_verify_verifies_through_the_service_and_names_the_refusals(client, reviewer, observer, station):
    waiting = submit(observer, station)
    done = report_verify(report=submit(observer, station, minutes=20), by=reviewer)
    client.force_login(reviewer)

    response = actions_post(client, "verify_selected", [waiting, done])

    assert IncidentReport.objects.get(pk=waiting.pk).status == "verified"
    assert ReportEvent.objects.filter(report=waiting, action="verify", actor=reviewer).count() == 1
    assert ReportEvent.objects.filter(report=done, action="verify").count() == 1
    said = messages_of(response)
    assert "1 report verified." in said
    assert any("Ballot stuffing at 101" in text and "cannot be verified" in text for text in said)


def test_bulk_reject_asks_for_a_reason_on_a_page_of_its_own_then_rejects_with_it(
    client, reviewer, observer, station
):
    first, second = submit(observer, station), submit(observer, station, minutes=30)
    client.force_login(reviewer)

    page = actions_post(client, "reject_selected", [first, second], index=0)
    assert page.templates[0].name == "admin/reports/incidentreport/reject_selected.html"
    assert IncidentReport.objects.filter(status="rejected").count() == 0

    empty = actions_post(client, "reject_selected", [first, second], apply=1, reason=" ")
    assert "This field is required." in empty.content.decode()
    assert IncidentReport.objects.filter(status="rejected").count() == 0

    done = actions_post(client, "reject_selected", [first, second], apply=1, reason="Staged photos.")
    assert "2 reports rejected." in messages_of(done)
    rows = ReportEvent.objects.filter(action="reject").values_list("report_id", "actor_id", "note")
    assert set(rows) == {
        (first.pk, reviewer.pk, "Staged photos."),
        (second.pk, reviewer.pk, "Staged photos."),
    }


def test_the_bulk_actions_need_the_review_permission(client, make_member, organization, observer, station):
    watcher = make_member("watcher", organization, role=Role.REVIEWER, is_staff=True)
    ensure_groups()
    view = Group.objects.get(name="Reviewer").permissions.exclude(codename="review_incidentreport")
    watcher.user_permissions.set(view)
    report = submit(observer, station)
    client.force_login(watcher)

    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert "verify_selected" not in response.content.decode()
    actions_post(client, "verify_selected", [report])
    assert IncidentReport.objects.get(pk=report.pk).status == "submitted"


# --- The review page -------------------------------------------------------------------------------


def test_the_review_page_shows_photos_position_address_trail_and_corroborating_reports(
    client, reviewer, observer, station, make_member, organization
):
    second = make_member("observer-a2", organization, stations=[station])
    report = submit(
        observer,
        station,
        photos=[photo()],
        latitude=Decimal("51.128207"),
        longitude=Decimal("71.430420"),
        accuracy_m=12,
    )
    corroborating = submit(second, station, minutes=40)
    client.force_login(reviewer)

    response = client.get(change_url(report))

    content = response.content.decode()
    stored = report.photos.get()
    assert reverse("observe:photo", args=[stored.pk]) in content
    assert reverse("observe:photo_thumbnail", args=[stored.pk]) in content
    assert stored.sha256 in content
    assert "51.128207, 71.430420 (± 12 m)" in content
    assert "openstreetmap" not in content.lower() and "maps.google" not in content.lower()
    assert "Abai St. 1" in content
    assert change_url(corroborating) in content
    assert [(event.action, event.actor) for event in response.context["events"]] == [
        ("submit", observer),
        ("claim", reviewer),
    ]
    assert 'name="status"' not in content  # nothing on the page edits a field


def test_opening_a_report_claims_it_and_a_second_reviewer_sees_who_holds_it(
    client, reviewer, observer, station, make_member, organization
):
    report = submit(observer, station)
    client.force_login(reviewer)
    client.get(change_url(report))
    claimed = IncidentReport.objects.get(pk=report.pk)
    assert (claimed.claimed_by, claimed.version) == (reviewer, 2)

    client.get(change_url(report))  # opening it again keeps the same claim
    assert IncidentReport.objects.get(pk=report.pk).version == 2

    colleague = in_group(
        make_member("reviewer-a2", organization, role=Role.REVIEWER, is_staff=True), "Reviewer"
    )
    client.force_login(colleague)
    response = client.get(change_url(report))
    assert "reviewer-a is reviewing it until" in response.content.decode()
    assert IncidentReport.objects.get(pk=report.pk).claimed_by == reviewer
    refused = review(client, report, "verify", follow=True)
    assert "reviewer-a is reviewing this report until" in " ".join(messages_of(refused))
    assert IncidentReport.objects.get(pk=report.pk).status == "submitted"


def test_a_decision_based_on_an_old_version_is_refused_and_changes_nothing(
    client, reviewer, observer, station
):
    report = submit(observer, station)
    client.force_login(reviewer)
    client.get(change_url(report))  # the claim makes it version 2

    response = review(client, report, "verify", version=1)

    assert response.status_code == 302
    page = client.get(response["Location"])
    assert any("changed since you opened it" in text for text in messages_of(page))
    current = IncidentReport.objects.get(pk=report.pk)
    assert (current.status, current.version) == ("submitted", 2)
    assert not ReportEvent.objects.filter(report=report, action="verify").exists()


def test_the_panel_verifies_rejects_asks_and_changes_severity_with_audit_rows(
    client, reviewer, observer, station
):
    verified, rejected, asked = (submit(observer, station, minutes=minutes) for minutes in (5, 6, 7))
    client.force_login(reviewer)

    assert review(client, verified, "verify", note="Photo matches.")["Location"] == change_url(verified)
    refused = review(client, rejected, "reject", note="", follow=True)
    assert "Say why the report is rejected." in messages_of(refused)
    review(client, rejected, "reject", note="Wrong station.")
    assert review(client, asked, "ask", note="Which box?")["Location"] == reverse(CHANGELIST)
    review(client, verified, "severity", severity=3, note="No ballots were added.")

    assert [(r.status, r.severity) for r in IncidentReport.objects.order_by("-occurred_at")] == [
        ("verified", 3),
        ("rejected", 5),
        ("needs_info", 5),
    ]
    trail = ReportEvent.objects.exclude(action__in=["submit", "claim"]).values_list(
        "report_id", "action", "note"
    )
    assert set(trail) == {
        (verified.pk, "verify", "Photo matches."),
        (rejected.pk, "reject", "Wrong station."),
        (asked.pk, "ask", "Which box?"),
        (verified.pk, "severity", "No ballots were added."),
    }


def test_claim_and_release_from_the_panel(client, reviewer, observer, station):
    report = submit(observer, station)
    client.force_login(reviewer)

    assert review(client, report, "claim").status_code == 302
    assert IncidentReport.objects.get(pk=report.pk).claimed_by == reviewer
    assert review(client, report, "release")["Location"] == reverse(CHANGELIST)
    assert IncidentReport.objects.get(pk=report.pk).claimed_by is None


def test_a_reviewer_cannot_reopen_and_a_coordinator_can(client, reviewer, coordinator, observer, station):
    report = report_verify(report=submit(observer, station), by=reviewer)
    client.force_login(reviewer)
    assert 'id="reopen-form"' not in client.get(change_url(report)).content.decode()
    assert review(client, report, "reopen", note="Looks wrong.").status_code == 403
    assert IncidentReport.objects.get(pk=report.pk).status == "verified"

    client.force_login(coordinator)
    assert 'id="reopen-form"' in client.get(change_url(report)).content.decode()
    review(client, report, "reopen", note="The photo is from 2021.")
    assert IncidentReport.objects.get(pk=report.pk).status == "submitted"
    event = ReportEvent.objects.filter(report=report, action="reopen").get()
    assert (event.actor, event.note) == (coordinator, "The photo is from 2021.")


def test_the_review_page_cannot_be_saved_as_a_form(client, superuser, observer, station):
    report = submit(observer, station)
    client.force_login(superuser)
    response = client.post(change_url(report), {"status": "verified"})
    assert response.status_code == 403
    assert IncidentReport.objects.get(pk=report.pk).status == "submitted"


def test_a_photo_sent_with_another_report_is_flagged_as_a_duplicate(
    client, reviewer, observer, station, other_observer
):
    first = submit(observer, station, photos=[photo()])
    second = submit(observer, station, minutes=90, photos=[photo()])
    b_station = other_observer.memberships.get().assignments.get().station
    foreign = submit(other_observer, b_station, photos=[photo()])
    client.force_login(reviewer)

    response = client.get(change_url(second))

    content = response.content.decode()
    assert "Duplicate of report" in content and change_url(first) in content
    assert "Matches a photo in another organization's report." in content
    assert change_url(foreign) not in content and "observer-b" not in content
    assert response.context["duplicates"] == [first]
    listing = client.get(reverse(CHANGELIST)).context["cl"].result_list
    assert {report.pk: report.duplicate_photos for report in listing} == {first.pk: 1, second.pk: 1}


# --- Assignments from CSV ----------------------------------------------------------------------------


def import_csv(client, organization, election, text: str):
    upload = SimpleUploadedFile("assignments.csv", text.encode(), content_type="text/csv")
    data = {"organization": organization.pk, "election": election.pk, "file": upload}
    return client.post(reverse("admin:people_assignment_import"), data, follow=True)


def import_errors(response) -> list[str]:
    return [str(error) for error in response.context["errors"]]


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        ("observer-a,101\nnobody,101", "line 3: no user named 'nobody' in Honest Count."),
        ("observer-a,101\nobserver-b,101", "line 3: no user named 'observer-b' in Honest Count."),
        (
            "observer-a,101\nreviewer-a,101",
            "line 3: reviewer-a is a reviewer of Honest Count, not an observer.",
        ),
        ("observer-a,101\nobserver-a,777", "line 3: no station numbered '777' in Test election 2023."),
        ("observer-a,101\nobserver-a,101", "line 3: this assignment is already on line 2."),
        ("observer-a,101\n,101", "line 3: username is empty."),
    ],
)
def test_a_bad_row_is_named_with_its_line_and_nothing_is_written(
    client, coordinator, reviewer, observer, other_observer, organization, election, rows, error
):
    before = set(Assignment.objects.values_list("pk", flat=True))
    client.force_login(coordinator)

    response = import_csv(client, organization, election, "username,station_number\n" + rows)

    assert import_errors(response) == [error]
    assert set(Assignment.objects.values_list("pk", flat=True)) == before


def test_a_file_without_the_station_column_is_refused_on_line_1(client, coordinator, organization, election):
    client.force_login(coordinator)
    response = import_csv(client, organization, election, "username,station\nobserver-a,101\n")
    assert import_errors(response) == ["line 1: missing column(s): station_number."]


def test_a_good_file_creates_the_missing_assignments_and_counts_the_rest(
    client, coordinator, observer, unassigned_observer, organization, election, station, make_station
):
    make_station("102", district=1)
    client.force_login(coordinator)

    response = import_csv(
        client,
        organization,
        election,
        "username;station_number\nobserver-a;101\nobserver-a;102\nobserver-c;102\n",
    )

    assert "3 rows read: 2 assignments created, 1 already there." in messages_of(response)
    assigned = Assignment.objects.values_list("membership__user__username", "station__number")
    assert set(assigned) == {("observer-a", "101"), ("observer-a", "102"), ("observer-c", "102")}


def test_only_a_user_who_may_add_assignments_opens_the_import(client, reviewer, organization, election):
    client.force_login(reviewer)
    assert client.get(reverse("admin:people_assignment_import")).status_code == 403


def test_coordinators_export_the_filtered_list_and_reviewers_have_no_export_links(
    client, reviewer, coordinator
):
    changelist = reverse("admin:reports_incidentreport_changelist")
    client.force_login(coordinator)
    page = client.get(changelist, {"status__exact": "verified"}).content.decode()
    assert f"{reverse('reports_export_csv')}?status__exact=verified" in page
    assert f"{reverse('reports_export_photos')}?status__exact=verified" in page
    client.force_login(reviewer)
    page = client.get(changelist).content.decode()
    assert reverse("reports_export_csv") not in page
