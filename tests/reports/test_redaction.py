"""Reviewers redact what partners see of a report's description: the service's rules and audit row,
the admin panel, and the original kept for staff and for the observer who wrote it."""

import csv
import io
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import ApplicationError, NotFound
from core.signals import evidence_changed
from people.models import Role
from people.roles import ensure_groups
from reports.models import IncidentReport
from reports.models.observations import MAX_DESCRIPTION
from reports.services import report_claim, report_redact, report_set_severity, report_submit

pytestmark = pytest.mark.django_db

ORIGINAL = "Akim's driver Serik Bekov, +7 701 555 12 34, brought 30 ballots to box 2."
# As the pages print it, HTML-escaped.
ORIGINAL_HTML = ORIGINAL.replace("'", "&#x27;")
REDACTED = "A driver (name and phone withheld) brought 30 ballots to box 2."


@pytest.fixture
def report(observer, station, election):
    # The services accept times from the eve of election day on: make it today.
    election.date = timezone.localdate()
    election.save()
    created, _ = report_submit(
        observer=observer,
        id=uuid.uuid4(),
        station_id=station.pk,
        category="ballot_stuffing",
        phase="voting",
        occurred_at=timezone.now() - timedelta(minutes=10),
        description=ORIGINAL,
    )
    return created


def reloaded(report) -> IncidentReport:
    return IncidentReport.objects.get(pk=report.pk)


# --- The service ---------------------------------------------------------------------------------


def test_a_reviewer_of_the_organization_sets_the_partners_text_and_the_original_stays(report, reviewer):
    redacted = report_redact(report=report, by=reviewer, text=f"  {REDACTED}\n")
    current = reloaded(report)
    assert (current.public_description, current.description) == (REDACTED, ORIGINAL)
    assert redacted.version == current.version == 2
    # Partners who poll with `since` find the change.
    assert current.updated_at > report.updated_at


def test_the_redaction_is_in_the_audit_trail_with_the_text_it_replaced(report, reviewer, coordinator):
    report_redact(report=report, by=reviewer, text=REDACTED)
    report_redact(report=report, by=coordinator, text="A driver brought 30 ballots to box 2.")
    first, second = reloaded(report).events.filter(action="redact").order_by("id")
    assert (first.actor, first.get_action_display()) == (reviewer, "redacted for partners")
    assert first.data == {"replaced": ORIGINAL, "shown": REDACTED}
    assert second.actor == coordinator
    assert second.data == {"replaced": REDACTED, "shown": "A driver brought 30 ballots to box 2."}


@pytest.mark.parametrize("text", ["", "   ", ORIGINAL, f"\n{ORIGINAL} "])
def test_an_empty_text_or_the_original_itself_clears_the_redaction(report, reviewer, text):
    report_redact(report=report, by=reviewer, text=REDACTED)
    cleared = report_redact(report=report, by=reviewer, text=text)
    assert reloaded(report).public_description == cleared.public_description == ""
    event = reloaded(report).events.order_by("-id").first()
    assert (event.action, event.data) == ("redact", {"replaced": REDACTED, "shown": ORIGINAL})


def test_saving_the_text_partners_already_see_changes_nothing(report, reviewer):
    report_redact(report=report, by=reviewer, text=REDACTED)
    report_redact(report=report, by=reviewer, text=REDACTED)
    report_redact(report=report, by=reviewer, text=ORIGINAL)
    report_redact(report=report, by=reviewer, text="")
    assert reloaded(report).version == 3
    assert reloaded(report).events.filter(action="redact").count() == 2


def test_a_text_longer_than_a_description_may_be_is_refused_on_its_field(report, reviewer):
    with pytest.raises(ApplicationError, match=f"Keep it under {MAX_DESCRIPTION} characters") as refused:
        report_redact(report=report, by=reviewer, text="x" * (MAX_DESCRIPTION + 1))
    assert refused.value.field == "text"
    assert reloaded(report).public_description == ""


@pytest.mark.parametrize("who", ["observer", "other_observer", "unassigned_observer", "stranger"])
def test_anyone_without_a_review_role_in_the_organization_finds_nothing(
    request, report, make_member, other_organization, who
):
    if who == "stranger":
        user = make_member("reviewer-b", other_organization, role=Role.REVIEWER, is_staff=True)
    else:
        user = request.getfixturevalue(who)
    with pytest.raises(NotFound):
        report_redact(report=report, by=user, text=REDACTED)
    current = reloaded(report)
    assert (current.public_description, current.version) == ("", 1)
    assert not current.events.filter(action="redact").exists()


def test_a_redaction_based_on_an_old_version_is_refused(report, reviewer, coordinator):
    opened = report.version
    report_redact(report=report, by=coordinator, text=REDACTED)
    with pytest.raises(ApplicationError, match="changed since you opened it"):
        report_redact(report=report, by=reviewer, text="Something else", expected_version=opened)
    assert reloaded(report).public_description == REDACTED


def test_another_reviewers_claim_keeps_a_reviewer_from_redacting(report, reviewer, coordinator):
    report_claim(report=report, by=coordinator)
    with pytest.raises(ApplicationError, match="is reviewing this report"):
        report_redact(report=report, by=reviewer, text=REDACTED)
    assert report_redact(report=report, by=coordinator, text=REDACTED).public_description == REDACTED


def test_a_redaction_does_not_ask_for_new_scores(report, reviewer, django_capture_on_commit_callbacks):
    announced = []

    def listen(sender, election_id, **kwargs):
        announced.append(election_id)

    evidence_changed.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            report_redact(report=report, by=reviewer, text=REDACTED)
        assert announced == []
        # The same listener hears a change that is evidence: the test can tell the two apart.
        with django_capture_on_commit_callbacks(execute=True):
            report_set_severity(report=report, by=reviewer, severity=3, reason="One extra ballot")
        assert announced == [report.election_id]
    finally:
        evidence_changed.disconnect(listen)


# --- The admin -----------------------------------------------------------------------------------


@pytest.fixture
def reviewer_in_group(reviewer):
    reviewer.groups.add(ensure_groups()["Reviewer"])
    return reviewer


def change_url(report) -> str:
    return reverse("admin:reports_incidentreport_change", args=[report.pk])


def redact_post(client, report, text: str, *, version=None):
    version = reloaded(report).version if version is None else version
    url = reverse("admin:reports_incidentreport_review", args=[report.pk])
    return client.post(url, {"step": "redact", "version": version, "text": text}, follow=True)


def test_a_reviewer_sees_the_original_and_sets_the_partners_text_from_the_panel(
    client, reviewer_in_group, report
):
    client.force_login(reviewer_in_group)
    page = client.get(change_url(report)).content.decode()
    assert 'id="redact-form"' in page
    assert "Partners see the observer's original description." in page
    assert f'<textarea id="redact-text" name="text" rows="4">{ORIGINAL_HTML}' in page

    response = redact_post(client, report, REDACTED)

    assert response.status_code == 200
    assert "The description partners see is saved; the original stays for staff." in [
        str(message) for message in response.context["messages"]
    ]
    assert reloaded(report).public_description == REDACTED
    page = response.content.decode()
    assert f'<textarea id="redact-text" name="text" rows="4">{REDACTED}</textarea>' in page
    assert "Partners see this redacted text" in page
    # The original is still on the page, for the reviewer; the audit trail says what changed.
    assert '<div class="readonly">' + ORIGINAL_HTML in page
    assert '<tr class="event-redact">' in page and "redacted for partners" in page


def test_the_panel_refuses_a_redaction_based_on_an_old_page(client, reviewer_in_group, coordinator, report):
    client.force_login(reviewer_in_group)
    report_redact(report=report, by=coordinator, text=REDACTED)
    response = redact_post(client, report, "Another text", version=1)
    messages = [str(message) for message in response.context["messages"]]
    assert any("changed since you opened it" in message for message in messages)
    assert reloaded(report).public_description == REDACTED


def test_a_reviewer_of_another_organization_cannot_redact_from_the_admin(
    client, make_member, other_organization, report
):
    stranger = make_member("reviewer-b", other_organization, role=Role.REVIEWER, is_staff=True)
    stranger.groups.add(ensure_groups()["Reviewer"])
    client.force_login(stranger)
    url = reverse("admin:reports_incidentreport_review", args=[report.pk])
    response = client.post(url, {"step": "redact", "version": 1, "text": REDACTED})
    assert response.status_code == 404
    assert reloaded(report).public_description == ""


# --- The original stays for staff and for the observer -------------------------------------------


def test_the_coordinators_csv_export_keeps_the_original_description(client, coordinator, reviewer, report):
    coordinator.groups.add(ensure_groups()["Coordinator"])
    report_redact(report=report, by=reviewer, text=REDACTED)
    client.force_login(coordinator)
    response = client.get(reverse("reports_export_csv"))
    body = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(body.removeprefix("\ufeff"))))
    assert [(row["id"], row["description"]) for row in rows] == [(str(report.pk), ORIGINAL)]
    assert REDACTED not in body


def test_the_observer_still_sees_the_text_they_wrote(client, observer_api, observer, reviewer, report):
    report_redact(report=report, by=reviewer, text=REDACTED)

    listed = observer_api.get("/api/v1/reports/?mine=true").json()["results"]
    assert [item["description"] for item in listed] == [ORIGINAL]

    client.force_login(observer)
    page = client.get(reverse("observe:reports")).content.decode()
    assert ORIGINAL_HTML in page and REDACTED not in page
