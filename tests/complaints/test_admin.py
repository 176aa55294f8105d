import io
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from complaints.models import Complaint, ComplaintAction, Status
from complaints.services import complaint_draft, complaint_file
from reports.services import report_submit, report_verify
from stations.models import PollingStation
from tests.complaints.conftest import MORNING

pytestmark = pytest.mark.django_db

# The list page, whatever the number of rows: session, user, memberships and roles, the count,
# the rows with their organization, election, station and district, and the filters' choices.
QUERIES = 9


def change_url(complaint) -> str:
    return reverse("admin:complaints_complaint_change", args=[complaint.pk])


def step_url(complaint, step) -> str:
    return reverse("admin:complaints_complaint_step", args=[complaint.pk, step])


@pytest.fixture
def complaint(station_reports, templates, reviewer):
    return complaint_draft(reports=station_reports, addressee_kind="precinct", language="en", by=reviewer)


@pytest.fixture
def theirs(other_observer, other_coordinator, other_organization, election):
    """A complaint of the other organization, with its own template."""
    from complaints.models import ComplaintTemplate
    from tests.complaints.conftest import BODY

    ComplaintTemplate.objects.create(
        organization=other_organization,
        election=election,
        language="en",
        addressee_kind="precinct",
        title="T",
        body=BODY,
    )
    report, _ = report_submit(
        observer=other_observer,
        id=uuid.uuid4(),
        station_id=PollingStation.objects.get(number="999").pk,
        category="ballot_stuffing",
        phase="voting",
        occurred_at=MORNING,
    )
    report_verify(report=report, by=other_coordinator)
    return complaint_draft(reports=[report], addressee_kind="precinct", language="en", by=other_coordinator)


@pytest.mark.parametrize("who", ["reviewer", "coordinator"])
def test_staff_list_only_their_organizations_complaints(client, request, who, complaint, theirs):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("admin:complaints_complaint_changelist"))
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [complaint]


@pytest.mark.parametrize("who", ["reviewer", "coordinator"])
@pytest.mark.parametrize("page", ["change", "file", "answer", "appeal", "close", "document", "download"])
def test_another_organizations_complaint_is_a_404_on_every_page(
    client, request, who, page, complaint, theirs
):
    client.force_login(request.getfixturevalue(who))
    if page == "change":
        url = change_url(theirs)
    elif page == "download":
        url = reverse("admin:complaints_complaint_download", args=[theirs.pk, uuid.uuid4(), "pdf"])
    else:
        url = step_url(theirs, page)
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.DRAFT


def test_an_observer_and_an_anonymous_visitor_are_kept_out(client, observer, complaint):
    assert client.get(change_url(complaint)).status_code == 302
    client.force_login(observer)
    assert client.get(change_url(complaint)).status_code == 302
    assert client.get(step_url(complaint, "file")).status_code == 302


def test_a_reviewer_drafts_from_the_report_list_action(client, reviewer, station_reports, templates):
    client.force_login(reviewer)
    response = client.post(
        reverse("admin:reports_incidentreport_changelist"),
        {"action": "draft_complaint", "_selected_action": [str(report.pk) for report in station_reports]},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:complaints_complaint_add") + "?reports=")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert len(page.context["form"].fields["reports"].queryset) == 2
    response = client.post(
        reverse("admin:complaints_complaint_add"),
        {
            "ids": page.context["ids"],
            "reports": [str(report.pk) for report in station_reports],
            "addressee_kind": "precinct",
            "language": "en",
        },
    )
    complaint = Complaint.objects.get()
    assert response["Location"] == change_url(complaint)
    assert (complaint.created_by, complaint.status, complaint.reports.count()) == (reviewer, Status.DRAFT, 2)


def test_the_draft_form_offers_no_report_of_another_organization(client, reviewer, station_reports, theirs):
    client.force_login(reviewer)
    ids = ",".join(str(report.pk) for report in [*station_reports, *theirs.reports.all()])
    page = client.get(reverse("admin:complaints_complaint_add") + f"?reports={ids}")
    assert set(page.context["form"].fields["reports"].queryset) == set(station_reports)


def test_a_reviewer_edits_the_draft_text_and_the_trail_keeps_both(client, reviewer, complaint):
    client.force_login(reviewer)
    drafted = complaint.text
    data = {
        "text": drafted + "\nSigned.",
        **{
            f"{prefix}-{key}": value
            for prefix in ("packs", "events")
            for key, value in management(complaint, prefix)
        },
    }
    response = client.post(change_url(complaint), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    complaint.refresh_from_db()
    assert complaint.text == drafted + "\nSigned."
    event = complaint.events.get(action=ComplaintAction.EDIT)
    assert (event.actor, event.data["old"], event.data["new"]) == (reviewer, drafted, drafted + "\nSigned.")


def management(complaint, prefix):
    count = getattr(complaint, prefix).count()
    return [("TOTAL_FORMS", count), ("INITIAL_FORMS", count), ("MIN_NUM_FORMS", 0), ("MAX_NUM_FORMS", 1000)]


def test_a_reviewer_may_not_file_and_a_coordinator_may(client, reviewer, coordinator, complaint):
    data = {
        "filed_at_0": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "filed_at_1": "10:00:00",
        "filed_how": "in_person",
        "filed_to": "PEC 101",
        "incoming_number": "42",
    }
    client.force_login(reviewer)
    assert client.get(change_url(complaint)).context["steps"] == [
        ("document", "Make the PDF and evidence pack", step_url(complaint, "document"))
    ]
    assert client.post(step_url(complaint, "file"), data).status_code == 403
    client.force_login(coordinator)
    assert [name for name, *_ in client.get(change_url(complaint)).context["steps"]] == [
        "file",
        "close",
        "document",
    ]
    response = client.post(step_url(complaint, "file"), data)
    assert response["Location"] == change_url(complaint)
    complaint.refresh_from_db()
    assert (complaint.status, complaint.incoming_number, complaint.filed_to) == (
        Status.FILED,
        "42",
        "PEC 101",
    )


def test_a_refused_step_shows_the_services_message(client, coordinator, complaint):
    client.force_login(coordinator)
    response = client.post(step_url(complaint, "answer"), {"outcome": "no_answer"})
    assert response.status_code == 200
    assert "This cannot be done to a complaint that is draft." in response.content.decode()


def test_a_filed_complaints_text_is_read_only_in_the_form(client, coordinator, complaint):
    complaint_file(
        complaint=complaint, by=coordinator, filed_at=timezone.now(), filed_how="post", filed_to="PEC"
    )
    client.force_login(coordinator)
    form = client.get(change_url(complaint)).context["adminform"].form
    assert "text" not in form.fields


def test_the_overdue_filter_lists_only_overdue_complaints(
    client, coordinator, station_reports, templates, reviewer
):
    def make():
        return complaint_draft(reports=station_reports, addressee_kind="precinct", language="en", by=reviewer)

    late = complaint_file(
        complaint=make(),
        by=coordinator,
        filed_at=timezone.now() - timedelta(days=9),
        filed_how="post",
        filed_to="PEC",
    )
    complaint_file(
        complaint=make(), by=coordinator, filed_at=timezone.now(), filed_how="post", filed_to="PEC"
    )
    make()
    client.force_login(coordinator)
    response = client.get(reverse("admin:complaints_complaint_changelist") + "?overdue=yes")
    assert list(response.context["cl"].result_list) == [late]


def test_the_document_step_builds_the_pdf_and_only_the_organization_downloads_it(
    client, reviewer, other_coordinator, complaint, django_capture_on_commit_callbacks
):
    client.force_login(reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(step_url(complaint, "document"), {})
    assert response["Location"] == change_url(complaint)
    pack = complaint.packs.get()
    url = reverse("admin:complaints_complaint_download", args=[complaint.pk, pack.pk, "pdf"])
    download = client.get(url)
    assert (download.status_code, download["Content-Type"]) == (200, "application/pdf")
    text = PdfReader(io.BytesIO(b"".join(download.streaming_content))).pages[0].extract_text()
    assert "polling station No. 101" in text
    client.force_login(other_coordinator)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("rows", [1, 20])
def test_the_list_takes_the_same_number_of_queries_for_1_and_20_rows(
    client, coordinator, station_reports, templates, reviewer, rows, django_assert_num_queries
):
    for _ in range(rows):
        complaint_draft(reports=station_reports, addressee_kind="precinct", language="en", by=reviewer)
    client.force_login(coordinator)
    client.get(reverse("admin:complaints_complaint_changelist"))
    with django_assert_num_queries(QUERIES):
        response = client.get(reverse("admin:complaints_complaint_changelist"))
    assert len(response.context["cl"].result_list) == rows


def test_a_broken_list_of_report_ids_drafts_nothing_and_breaks_nothing(client, reviewer, station_reports):
    client.force_login(reviewer)
    good = str(station_reports[0].pk)
    page = client.get(reverse("admin:complaints_complaint_add") + f"?reports=abc,{good},../../x")
    assert page.status_code == 200
    assert list(page.context["form"].fields["reports"].queryset) == [station_reports[0]]


def test_another_organizations_template_is_a_404_and_reviewers_only_read_templates(
    client, reviewer, coordinator, other_coordinator, make_template
):
    template = make_template()
    url = reverse("admin:complaints_complainttemplate_change", args=[template.pk])
    client.force_login(other_coordinator)
    assert client.get(url).status_code == 404
    listed = client.get(reverse("admin:complaints_complainttemplate_changelist")).context["cl"].result_list
    assert list(listed) == []
    client.force_login(reviewer)
    assert client.get(url).status_code == 200
    assert client.post(url, {"title": "Changed"}).status_code == 403
    assert client.get(reverse("admin:complaints_complainttemplate_add")).status_code == 403
    client.force_login(coordinator)
    assert client.get(reverse("admin:complaints_complainttemplate_add")).status_code == 200


def test_a_reviewer_may_not_delete_a_complaint(client, reviewer, complaint):
    client.force_login(reviewer)
    url = reverse("admin:complaints_complaint_delete", args=[complaint.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Complaint.objects.filter(pk=complaint.pk).exists()
