"""Complaints built through the services, for the tests of the interfaces that show them (the
observers' API and page, the partner API, the console): plain functions, so that any test area can
use them with its own fixtures."""

import uuid
from datetime import datetime, timedelta

from django.utils import timezone

from complaints.models import Addressee, Complaint, ComplaintTemplate, Language, Outcome
from complaints.services import complaint_appeal, complaint_draft, complaint_file, complaint_record_answer
from people.models import Membership
from reports.services import report_submit, report_verify

ELECTION_DAY = datetime.fromisoformat("2023-03-19T11:00:00+06:00")
BODY = (
    "To the {addressee}\nFrom: {complainant}\n\nStation No. {station_number}, {station_name}.\n"
    "{observer_count} observers of {organization} saw:\n{facts}\n\nI ask: {requested_action}\n"
    "Evidence:\n{evidence_list}\n{previous_complaint}\nDate: {date}"
)


def templates_for(organization, election, language: str = Language.ENGLISH) -> dict[str, ComplaintTemplate]:
    """A template for each commission, answers due five days after filing."""
    return {
        kind: ComplaintTemplate.objects.get_or_create(
            organization=organization,
            election=election,
            language=language,
            addressee_kind=kind,
            defaults={
                "title": "Complaint",
                "body": BODY,
                "legal_basis": "Article 20 of the Constitutional Law on Elections",
                "requested_action": "Recount the ballots.",
                "deadline_amount": 5,
            },
        )[0]
        for kind in Addressee.values
    }


def verified_report(
    observer, station, by, *, at: datetime | None = None, description: str = "Ballots were added."
):
    """A report of the observer, verified by `by`; it happened on election day 2023 unless `at`."""
    report, _created = report_submit(
        observer=observer,
        id=uuid.uuid4(),
        station_id=station.pk,
        category="ballot_stuffing",
        phase="voting",
        occurred_at=at or ELECTION_DAY,
        description=description,
    )
    return report_verify(report=report, by=by)


def consent(user, organization) -> None:
    Membership.objects.filter(user=user, organization=organization).update(
        complaint_consent_at=timezone.now()
    )


def draft(reports, by, *, complainant=None, addressee_kind=Addressee.PRECINCT) -> Complaint:
    report = reports[0]
    templates_for(report.organization, report.election)
    return complaint_draft(
        reports=reports,
        addressee_kind=addressee_kind,
        language=Language.ENGLISH,
        by=by,
        complainant=complainant,
    )


def file(complaint, by, *, at: datetime | None = None, **fields) -> Complaint:
    """A draft filed `at` (an hour ago by default: its answer is due in five days)."""
    return complaint_file(
        complaint=complaint,
        by=by,
        filed_at=at or timezone.now() - timedelta(hours=1),
        filed_how=fields.pop("filed_how", "in_person"),
        filed_to=complaint.addressee_name,
        incoming_number=fields.pop("incoming_number", "17"),
        **fields,
    )


def filed(reports, by, *, complainant=None, at: datetime | None = None, **fields) -> Complaint:
    kind = fields.pop("addressee_kind", Addressee.PRECINCT)
    return file(draft(reports, by, complainant=complainant, addressee_kind=kind), by, at=at, **fields)


def answered(complaint, by, outcome: str = Outcome.REJECTED, text: str = "Not confirmed.") -> Complaint:
    return complaint_record_answer(
        complaint=complaint,
        by=by,
        outcome=outcome,
        answer_at=complaint.filed_at + timedelta(hours=1),
        answer_text=text,
    )


def overdue(reports, by, **fields) -> Complaint:
    """Filed ten days ago and never answered: five days past its deadline."""
    return filed(reports, by, at=timezone.now() - timedelta(days=10), **fields)


def appealed(reports, by) -> tuple[Complaint, Complaint]:
    """A rejected complaint and its appeal to the district commission, filed too."""
    rejected = answered(filed(reports, by, at=timezone.now() - timedelta(days=3)), by)
    appeal = complaint_appeal(complaint=rejected, by=by)
    rejected.refresh_from_db()
    return rejected, file(appeal, by, at=timezone.now() - timedelta(hours=2), incoming_number="208")
