"""The review workflow's transitions, each allowed and refused, with its audit row."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import ApplicationError, NotFound
from reports.models import IncidentReport, ReportEvent
from reports.services import (
    report_answer,
    report_ask,
    report_claim,
    report_reject,
    report_release,
    report_reopen,
    report_set_severity,
    report_submit,
    report_verify,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(observer, station, election):
    election.date = timezone.localdate()
    election.save()
    created, _ = report_submit(
        observer=observer,
        id=uuid.uuid4(),
        station_id=station.pk,
        category="multiple_voting",
        phase="voting",
        occurred_at=timezone.now() - timedelta(minutes=10),
        description="The same man voted twice.",
    )
    return created


def last_event(report) -> ReportEvent:
    return report.events.order_by("-id").first()


def test_a_reviewer_verifies_a_submitted_report(report, reviewer):
    verified = report_verify(report=report, by=reviewer, note="Two photos match.")
    assert verified.status == "verified"
    assert verified.version == 2
    assert verified.reviewed_at is not None
    event = last_event(report)
    assert (event.action, event.actor, event.note) == ("verify", reviewer, "Two photos match.")
    assert event.data == {"status_from": "submitted", "status_to": "verified"}


def test_a_rejection_needs_a_reason(report, reviewer):
    with pytest.raises(ApplicationError, match="Say why") as refused:
        report_reject(report=report, by=reviewer, reason="  ")
    assert refused.value.field == "reason"
    rejected = report_reject(report=report, by=reviewer, reason="The station was closed at that time.")
    assert rejected.status == "rejected"
    assert last_event(report).note == "The station was closed at that time."


def test_a_question_goes_to_the_observer_and_the_answer_returns_the_report(report, reviewer, observer):
    asked = report_ask(report=report, by=reviewer, question="Which ballot box?")
    assert (asked.status, asked.question) == ("needs_info", "Which ballot box?")
    answered = report_answer(observer=observer, report_id=report.pk, answer="Box number 2, by the window.")
    assert (answered.status, answered.question) == ("submitted", "")
    event = last_event(report)
    assert (event.action, event.actor, event.note) == ("answer", observer, "Box number 2, by the window.")
    assert event.data["question"] == "Which ballot box?"
    assert report_verify(report=report, by=reviewer).status == "verified"


def test_only_the_reports_observer_may_answer_and_only_an_open_question(
    report, reviewer, other_observer, observer
):
    with pytest.raises(ApplicationError, match="no open question"):
        report_answer(observer=observer, report_id=report.pk, answer="Hello")
    report_ask(report=report, by=reviewer, question="Which box?")
    with pytest.raises(NotFound):
        report_answer(observer=other_observer, report_id=report.pk, answer="Box 1")


@pytest.mark.parametrize("first", ["verify", "reject"])
def test_a_reviewed_report_cannot_be_reviewed_again(report, reviewer, first):
    if first == "verify":
        report_verify(report=report, by=reviewer)
    else:
        report_reject(report=report, by=reviewer, reason="Duplicate")
    with pytest.raises(ApplicationError, match="cannot be"):
        report_verify(report=report, by=reviewer)
    with pytest.raises(ApplicationError, match="cannot be"):
        report_reject(report=report, by=reviewer, reason="Again")
    with pytest.raises(ApplicationError, match="cannot be"):
        report_ask(report=report, by=reviewer, question="?")


def test_only_a_coordinator_reopens_a_reviewed_report(report, reviewer, coordinator):
    report_reject(report=report, by=reviewer, reason="Looks like a duplicate")
    with pytest.raises(ApplicationError, match="Only a coordinator"):
        report_reopen(report=report, by=reviewer, reason="I was wrong")
    reopened = report_reopen(report=report, by=coordinator, reason="Not a duplicate after all")
    assert reopened.status == "submitted"
    assert reopened.reviewed_at is not None
    event = last_event(report)
    assert (event.action, event.actor, event.data["status_from"]) == ("reopen", coordinator, "rejected")


def test_a_report_in_the_queue_cannot_be_reopened(report, coordinator):
    with pytest.raises(ApplicationError, match="cannot be"):
        report_reopen(report=report, by=coordinator, reason="Why not")


def test_a_reviewer_changes_the_severity_with_a_reason(report, reviewer):
    with pytest.raises(ApplicationError, match="Say why"):
        report_set_severity(report=report, by=reviewer, severity=3, reason="")
    with pytest.raises(ApplicationError, match="not a valid choice"):
        report_set_severity(report=report, by=reviewer, severity=4, reason="between")
    changed = report_set_severity(report=report, by=reviewer, severity=3, reason="Only one extra ballot")
    assert changed.severity == 3
    event = last_event(report)
    assert event.action == "severity"
    assert event.data == {"severity_from": 5, "severity_to": 3}


@pytest.mark.parametrize("who", ["observer", "other_observer", "unassigned_observer"])
def test_someone_without_a_review_role_in_the_organization_finds_nothing(request, report, who):
    with pytest.raises(NotFound):
        report_verify(report=report, by=request.getfixturevalue(who))
    assert IncidentReport.objects.get(pk=report.pk).status == "submitted"


def test_a_reviewer_of_another_organization_finds_nothing(report, make_member, other_organization):
    from people.models import Role

    stranger = make_member("reviewer-b", other_organization, role=Role.REVIEWER, is_staff=True)
    with pytest.raises(NotFound):
        report_verify(report=report, by=stranger)
    with pytest.raises(NotFound):
        report_claim(report=report, by=stranger)


def test_a_superuser_may_review_any_report(report, superuser):
    assert report_verify(report=report, by=superuser).status == "verified"


def test_a_stale_write_is_refused_with_a_clear_message(report, reviewer, coordinator):
    opened_version = report.version
    report_ask(report=report, by=coordinator, question="Which box?")
    with pytest.raises(ApplicationError, match="changed since you opened it"):
        report_verify(report=report, by=reviewer, expected_version=opened_version)
    assert IncidentReport.objects.get(pk=report.pk).status == "needs_info"
    # Reloaded, the reviewer sees the question and may still decide without waiting for the answer.
    current = IncidentReport.objects.get(pk=report.pk)
    assert report_verify(report=current, by=reviewer, expected_version=current.version).status == "verified"


def test_a_claim_keeps_other_reviewers_off_until_it_expires(report, reviewer, coordinator):
    claimed = report_claim(report=report, by=reviewer)
    assert claimed.claimed_by == reviewer
    assert last_event(report).action == "claim"
    with pytest.raises(ApplicationError, match="is reviewing this report until"):
        report_verify(report=report, by=coordinator)
    with pytest.raises(ApplicationError, match="is reviewing this report"):
        report_claim(report=report, by=coordinator)
    IncidentReport.objects.filter(pk=report.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    verified = report_verify(report=report, by=coordinator)
    assert verified.status == "verified"
    assert (verified.claimed_by, verified.claimed_until) == (None, None)


def test_the_claim_holder_may_act_and_release(report, reviewer, coordinator):
    report_claim(report=report, by=reviewer)
    report_release(report=report, by=reviewer)
    assert IncidentReport.objects.get(pk=report.pk).claimed_by is None
    assert last_event(report).action == "release"
    report_claim(report=report, by=coordinator)
    assert report_verify(report=report, by=coordinator).status == "verified"


def test_every_step_leaves_one_audit_row_in_order(report, reviewer, coordinator, observer):
    report_claim(report=report, by=reviewer)
    report_ask(report=report, by=reviewer, question="When exactly?")
    report_answer(observer=observer, report_id=report.pk, answer="At 10:40.")
    report_set_severity(report=report, by=reviewer, severity=3, reason="One voter only")
    report_verify(report=report, by=reviewer)
    report_reopen(report=report, by=coordinator, reason="New evidence")
    actions = list(report.events.values_list("action", flat=True))
    assert actions == ["submit", "claim", "ask", "answer", "severity", "verify", "reopen"]
    assert IncidentReport.objects.get(pk=report.pk).version == 7
