"""The only writers of complaints: drafted from verified reports, edited, filed, answered, appealed,
closed. Every step is in the complaint's audit trail. Admin actions and tasks call these."""

from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.models import (
    APPEAL_TO,
    Addressee,
    Complaint,
    ComplaintAction,
    ComplaintEvent,
    ComplaintTemplate,
    Outcome,
    Status,
)
from complaints.text import ComplaintFacts, complaint_text, facts_of
from core.errors import ApplicationError
from people.models import Membership
from reports.models import IncidentReport, ReportStatus

EDITABLE = (Status.DRAFT,)


def _template(facts: ComplaintFacts, addressee_kind: str, language: str) -> ComplaintTemplate:
    template = ComplaintTemplate.objects.filter(
        organization_id=facts.organization.pk,
        election_id=facts.election.pk,
        language=language,
        addressee_kind=addressee_kind,
    ).first()
    if template is None:
        raise ApplicationError(
            _("There is no complaint template for this election, language and commission; add one first.")
        )
    return template


def _check_reports(reports: Sequence[IncidentReport], addressee_kind: str) -> None:
    if not reports:
        raise ApplicationError(_("Choose at least one report."), field="reports")
    if any(report.status != ReportStatus.VERIFIED for report in reports):
        raise ApplicationError(_("A complaint rests on verified reports only."), field="reports")
    if len({(report.organization_id, report.election_id) for report in reports}) > 1:
        raise ApplicationError(
            _("The reports must be of one organization and one election."), field="reports"
        )
    if addressee_kind == Addressee.PRECINCT and len({report.station_id for report in reports}) > 1:
        raise ApplicationError(
            _("A complaint to a precinct commission concerns one station: choose reports of one station."),
            field="reports",
        )
    if len({report.station.district_id for report in reports}) > 1:
        raise ApplicationError(
            _("A complaint concerns one district: choose reports of one district."), field="reports"
        )


def _check_complainant(complainant: AbstractBaseUser | None, reports: Sequence[IncidentReport]) -> None:
    if complainant is None:
        return
    consented = Membership.objects.filter(
        user=complainant, organization_id=reports[0].organization_id, complaint_consent_at__isnull=False
    ).exists()
    if complainant.pk not in {report.observer_id for report in reports} or not consented:
        raise ApplicationError(
            _("Only an observer of these reports who consented to complaints in their name can sign it."),
            field="complainant",
        )


@transaction.atomic
def complaint_draft(
    *,
    reports: Sequence[IncidentReport],
    addressee_kind: str,
    language: str,
    by: AbstractBaseUser,
    complainant: AbstractBaseUser | None = None,
    appeal_of: Complaint | None = None,
) -> Complaint:
    """Draft a complaint from verified reports with the organization's template for this commission
    and language. The observer signs only with their recorded consent; otherwise the representative."""
    reports = list(
        IncidentReport.objects.filter(pk__in=[report.pk for report in reports])
        .select_related("station", "station__district", "organization", "election")
        .order_by("occurred_at", "pk")
    )
    if addressee_kind not in Addressee.values:
        raise ApplicationError(_("Choose the commission."), field="addressee_kind")
    _check_reports(reports, addressee_kind)
    _check_complainant(complainant, reports)
    facts = facts_of(reports, addressee_kind=addressee_kind, language=language, complainant=complainant)
    template = _template(facts, addressee_kind, language)
    complaint = Complaint.objects.create(
        organization=facts.organization,
        election=facts.election,
        station=facts.station,
        district=facts.district,
        template=template,
        addressee_kind=addressee_kind,
        addressee_name=facts.addressee_name,
        language=language,
        complainant=complainant,
        complainant_name=facts.complainant_name,
        text=complaint_text(template, facts, appeal_of=appeal_of),
        created_by=by,
        appeal_of=appeal_of,
    )
    complaint.reports.set(reports)
    ComplaintEvent.record(
        complaint,
        actor=by,
        action=ComplaintAction.DRAFT,
        reports=[str(report.pk) for report in reports],
        text=complaint.text,
    )
    return complaint


def _locked(complaint: Complaint, *allowed: str) -> Complaint:
    current = (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("election", "template")
        .get(pk=complaint.pk)
    )
    if current.status not in allowed:
        raise ApplicationError(
            _("This cannot be done to a complaint that is %(status)s.")
            % {"status": current.get_status_display()}
        )
    return current


@transaction.atomic
def complaint_edit_text(*, complaint: Complaint, text: str, by: AbstractBaseUser) -> Complaint:
    """Change the text of a draft; the audit trail keeps the text before and after."""
    current = _locked(complaint, *EDITABLE)
    if not text.strip():
        raise ApplicationError(_("The text cannot be empty."), field="text")
    if text == current.text:
        return current
    ComplaintEvent.record(current, actor=by, action=ComplaintAction.EDIT, old=current.text, new=text)
    current.text = text
    current.save(update_fields=["text"])
    return current


@transaction.atomic
def complaint_file(
    *,
    complaint: Complaint,
    by: AbstractBaseUser,
    filed_at: datetime,
    filed_how: str,
    filed_to: str,
    incoming_number: str = "",
    stamped_copy: UploadedFile | None = None,
) -> Complaint:
    """Record that the complaint was handed to the commission; its answer is due by the template's rule."""
    current = _locked(complaint, Status.DRAFT)
    if filed_at > timezone.now():
        raise ApplicationError(_("The filing time cannot be in the future."), field="filed_at")
    if current.template is None:
        raise ApplicationError(_("The complaint's template was deleted: its deadline is unknown."))
    facts_at = min(current.reports.values_list("occurred_at", flat=True))
    current.status = Status.FILED
    current.filed_at, current.filed_how, current.filed_to = filed_at, filed_how, filed_to
    current.incoming_number = incoming_number
    current.deadline_at = current.template.deadline(facts_at=facts_at, filed_at=filed_at)
    if stamped_copy is not None:
        current.stamped_copy.save(stamped_copy.name, stamped_copy, save=False)
    current.save()
    ComplaintEvent.record(
        current,
        actor=by,
        action=ComplaintAction.FILE,
        filed_at=filed_at.isoformat(),
        filed_how=filed_how,
        filed_to=filed_to,
        incoming_number=incoming_number,
        deadline_at=current.deadline_at.isoformat(),
    )
    return current


@transaction.atomic
def complaint_record_answer(
    *,
    complaint: Complaint,
    by: AbstractBaseUser,
    outcome: str,
    answer_at: datetime | None = None,
    answer_text: str = "",
    answer_scan: UploadedFile | None = None,
) -> Complaint:
    """Record the commission's answer, or, once the deadline has passed, that none came."""
    current = _locked(complaint, Status.FILED)
    if outcome == Outcome.NO_ANSWER:
        if not current.is_overdue:
            raise ApplicationError(_("The commission's deadline has not passed yet."), field="outcome")
        answer_at, answer_text, answer_scan = None, "", None
    elif outcome in (Outcome.UPHELD, Outcome.REJECTED):
        if answer_at is None or not (answer_text.strip() or answer_scan):
            raise ApplicationError(
                _("Give the date of the answer and its text or a scan."), field="answer_text"
            )
        if answer_at > timezone.now() or answer_at < current.filed_at:
            raise ApplicationError(_("The answer must come between filing and now."), field="answer_at")
    else:
        raise ApplicationError(_("Choose the outcome."), field="outcome")
    current.status, current.outcome = Status.ANSWERED, outcome
    current.answer_at, current.answer_text = answer_at, answer_text
    if answer_scan is not None:
        current.answer_scan.save(answer_scan.name, answer_scan, save=False)
    current.save()
    ComplaintEvent.record(
        current,
        actor=by,
        action=ComplaintAction.ANSWER,
        outcome=outcome,
        answer_at=answer_at.isoformat() if answer_at else None,
        answer_text=answer_text,
    )
    return current


@transaction.atomic
def complaint_appeal(*, complaint: Complaint, by: AbstractBaseUser, language: str | None = None) -> Complaint:
    """Draft the appeal to the next commission up, linked to this complaint, which becomes appealed.

    A complaint may be appealed once it was rejected or left without an answer past its deadline."""
    current = _locked(complaint, Status.FILED, Status.ANSWERED)
    if current.status == Status.FILED and not current.is_overdue:
        raise ApplicationError(_("Wait for the answer, or for its deadline to pass, before appealing."))
    if current.status == Status.ANSWERED and current.outcome == Outcome.UPHELD:
        raise ApplicationError(_("The complaint was upheld: there is nothing to appeal."))
    if current.addressee_kind not in APPEAL_TO:
        raise ApplicationError(_("The Central Election Commission's answer is appealed in court, not here."))
    if current.status == Status.FILED:
        current.outcome = Outcome.NO_ANSWER
    appeal = complaint_draft(
        reports=list(current.reports.all()),
        addressee_kind=APPEAL_TO[current.addressee_kind],
        language=language or current.language,
        by=by,
        complainant=current.complainant,
        appeal_of=current,
    )
    current.status = Status.APPEALED
    current.save(update_fields=["status", "outcome"])
    ComplaintEvent.record(current, actor=by, action=ComplaintAction.APPEAL, appeal=appeal.pk)
    return appeal


@transaction.atomic
def complaint_close(*, complaint: Complaint, by: AbstractBaseUser) -> Complaint:
    """Nothing more will be done about it: answered and accepted, or given up."""
    current = _locked(complaint, Status.DRAFT, Status.FILED, Status.ANSWERED)
    current.status = Status.CLOSED
    current.save(update_fields=["status"])
    ComplaintEvent.record(current, actor=by, action=ComplaintAction.CLOSE)
    return current
