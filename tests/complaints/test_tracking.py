from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.utils import timezone

from complaints.models import Complaint, ComplaintAction, DeadlineFrom, DeadlineRule, Outcome, Status
from complaints.services import (
    complaint_appeal,
    complaint_close,
    complaint_draft,
    complaint_file,
    complaint_record_answer,
)
from core.errors import ApplicationError
from tests.complaints.conftest import MORNING

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(station_reports, templates, reviewer):
    def make(addressee_kind="precinct"):
        return complaint_draft(
            reports=station_reports, addressee_kind=addressee_kind, language="en", by=reviewer
        )

    return make


def file(complaint, by, *, at=None, **fields):
    fields = {"filed_how": "in_person", "filed_to": "PEC 101", "incoming_number": "17", **fields}
    return complaint_file(complaint=complaint, by=by, filed_at=at or timezone.now(), **fields)


def test_a_deadline_in_days_counts_from_filing(draft, coordinator, templates):
    filed_at = timezone.now() - timedelta(hours=3)
    complaint = file(draft(), coordinator, at=filed_at)
    assert complaint.deadline_at == filed_at + timedelta(days=5)
    assert (complaint.status, complaint.filed_how, complaint.incoming_number) == (
        Status.FILED,
        "in_person",
        "17",
    )


def test_a_deadline_in_hours_counts_from_the_facts(draft, coordinator, templates):
    templates["precinct"].deadline_rule, templates["precinct"].deadline_amount = DeadlineRule.HOURS, 24
    templates["precinct"].deadline_from = DeadlineFrom.FACTS
    templates["precinct"].save()
    complaint = file(draft(), coordinator)
    assert complaint.deadline_at == MORNING + timedelta(hours=24)


def test_an_election_day_deadline_ends_at_local_midnight(draft, coordinator, templates, election):
    templates["precinct"].deadline_rule = DeadlineRule.ELECTION_DAY
    templates["precinct"].save()
    zone = ZoneInfo(election.timezone)
    on_the_day = datetime(2023, 3, 19, 14, 0, tzinfo=zone)
    complaint = file(draft(), coordinator, at=on_the_day)
    assert complaint.deadline_at == datetime(2023, 3, 20, 0, 0, tzinfo=zone)


def test_an_election_day_complaint_filed_later_is_due_by_the_end_of_its_day(
    draft, coordinator, templates, election
):
    templates["precinct"].deadline_rule = DeadlineRule.ELECTION_DAY
    templates["precinct"].save()
    zone = ZoneInfo(election.timezone)
    complaint = file(draft(), coordinator, at=datetime(2023, 3, 21, 9, 30, tzinfo=zone))
    assert complaint.deadline_at == datetime(2023, 3, 22, 0, 0, tzinfo=zone)


def test_the_overdue_list_holds_filed_unanswered_complaints_past_their_deadline(draft, coordinator):
    overdue = file(draft(), coordinator, at=timezone.now() - timedelta(days=6))
    in_time = file(draft(), coordinator, at=timezone.now() - timedelta(days=1))
    answered = file(draft(), coordinator, at=timezone.now() - timedelta(days=7))
    complaint_record_answer(
        complaint=answered,
        by=coordinator,
        outcome=Outcome.REJECTED,
        answer_at=timezone.now() - timedelta(days=6, hours=12),
        answer_text="No violation found.",
    )
    still_draft = draft()
    assert list(Complaint.objects.overdue()) == [overdue]
    assert (overdue.is_overdue, in_time.is_overdue, still_draft.is_overdue) == (True, False, False)


def test_filing_is_recorded_in_the_audit_trail_with_the_stamped_copy(draft, coordinator):
    scan = SimpleUploadedFile("stamp.pdf", b"%PDF-1.4 stamped", content_type="application/pdf")
    complaint = file(draft(), coordinator, filed_how="post", stamped_copy=scan)
    complaint.refresh_from_db()
    assert complaint.stamped_copy.read() == b"%PDF-1.4 stamped"
    event = complaint.events.get(action=ComplaintAction.FILE)
    assert event.actor == coordinator
    assert (event.data["filed_how"], event.data["deadline_at"]) == ("post", complaint.deadline_at.isoformat())


def test_a_filing_time_in_the_future_is_refused(draft, coordinator):
    with pytest.raises(ApplicationError, match="future"):
        file(draft(), coordinator, at=timezone.now() + timedelta(hours=1))


def test_no_answer_is_recorded_only_once_the_deadline_passed(draft, coordinator):
    complaint = file(draft(), coordinator)
    with pytest.raises(ApplicationError, match="not passed"):
        complaint_record_answer(complaint=complaint, by=coordinator, outcome=Outcome.NO_ANSWER)
    late = file(draft(), coordinator, at=timezone.now() - timedelta(days=6))
    late = complaint_record_answer(complaint=late, by=coordinator, outcome=Outcome.NO_ANSWER)
    assert (late.status, late.outcome, late.answer_at) == (Status.ANSWERED, Outcome.NO_ANSWER, None)


def test_an_answer_needs_its_date_and_its_text_or_scan(draft, coordinator):
    complaint = file(draft(), coordinator, at=timezone.now() - timedelta(days=1))
    with pytest.raises(ApplicationError, match="date of the answer"):
        complaint_record_answer(
            complaint=complaint, by=coordinator, outcome=Outcome.UPHELD, answer_text="Upheld"
        )
    with pytest.raises(ApplicationError, match="between filing and now"):
        complaint_record_answer(
            complaint=complaint,
            by=coordinator,
            outcome=Outcome.UPHELD,
            answer_at=timezone.now() - timedelta(days=2),
            answer_text="Upheld",
        )
    answered = complaint_record_answer(
        complaint=complaint,
        by=coordinator,
        outcome=Outcome.UPHELD,
        answer_at=timezone.now() - timedelta(hours=1),
        answer_text="Recount ordered.",
    )
    assert (answered.status, answered.outcome, answered.answer_text) == (
        Status.ANSWERED,
        Outcome.UPHELD,
        "Recount ordered.",
    )


def test_an_appeal_goes_to_the_next_commission_up_and_links_back(draft, coordinator):
    precinct = file(draft(), coordinator, at=timezone.now() - timedelta(days=2), incoming_number="PEC-5")
    complaint_record_answer(
        complaint=precinct,
        by=coordinator,
        outcome=Outcome.REJECTED,
        answer_at=timezone.now() - timedelta(days=1),
        answer_text="No violation found.",
    )
    to_district = complaint_appeal(complaint=precinct, by=coordinator)
    precinct.refresh_from_db()
    assert (precinct.status, to_district.appeal_of, to_district.addressee_kind) == (
        Status.APPEALED,
        precinct,
        "district",
    )
    assert to_district.status == Status.DRAFT
    assert set(to_district.reports.all()) == set(precinct.reports.all())
    assert "incoming number PEC-5" in to_district.text
    assert "rejected" in to_district.text
    assert precinct.events.filter(action=ComplaintAction.APPEAL, data__appeal=to_district.pk).exists()

    # The district commission does not answer in time: the appeal goes to the Central Election Commission.
    file(to_district, coordinator, at=timezone.now() - timedelta(days=6))
    to_central = complaint_appeal(complaint=to_district, by=coordinator)
    to_district.refresh_from_db()
    assert (to_district.status, to_district.outcome) == (Status.APPEALED, Outcome.NO_ANSWER)
    assert (to_central.addressee_kind, to_central.appeal_of) == ("central", to_district)
    assert "no answer was given by the deadline" in to_central.text

    file(to_central, coordinator, at=timezone.now() - timedelta(days=6))
    with pytest.raises(ApplicationError, match="in court"):
        complaint_appeal(complaint=to_central, by=coordinator)


def test_an_upheld_or_pending_complaint_is_not_appealed(draft, coordinator):
    pending = file(draft(), coordinator)
    with pytest.raises(ApplicationError, match="Wait for the answer"):
        complaint_appeal(complaint=pending, by=coordinator)
    complaint_record_answer(
        complaint=pending,
        by=coordinator,
        outcome=Outcome.UPHELD,
        answer_at=timezone.now(),
        answer_text="Upheld.",
    )
    with pytest.raises(ApplicationError, match="upheld"):
        complaint_appeal(complaint=pending, by=coordinator)
    with pytest.raises(ApplicationError, match="draft"):
        complaint_appeal(complaint=draft(), by=coordinator)


def test_a_complaint_is_appealed_once(draft, coordinator):
    precinct = file(draft(), coordinator, at=timezone.now() - timedelta(days=6))
    complaint_appeal(complaint=precinct, by=coordinator)
    with pytest.raises(ApplicationError, match="appealed"):
        complaint_appeal(complaint=precinct, by=coordinator)


def test_a_closed_complaint_takes_no_further_step(draft, coordinator):
    complaint = complaint_close(complaint=file(draft(), coordinator), by=coordinator)
    assert complaint.status == Status.CLOSED
    with pytest.raises(ApplicationError, match="closed"):
        complaint_record_answer(complaint=complaint, by=coordinator, outcome=Outcome.NO_ANSWER)


def test_the_database_refuses_a_filed_complaint_without_a_deadline(draft):
    complaint = draft()
    with pytest.raises(IntegrityError):
        Complaint.objects.filter(pk=complaint.pk).update(status=Status.FILED)
