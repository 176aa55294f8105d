"""The review workflow: submitted → verified | rejected | needs_info; reviewed → reopened.

Every step is written to the report's audit trail. Two reviewers never work one report
unknowingly: a reviewer takes a claim that expires, and a write based on a version of the report
that has since changed is refused.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from core.errors import ApplicationError, NotFound
from core.review import MAX_NOTE
from core.signals import evidence_changed
from people.models import Role
from people.selectors import staff_role
from reports.models import EventAction, IncidentReport, ReportEvent, ReportStatus
from reports.models.observations import MAX_DESCRIPTION
from reports.signals import report_verified
from reports.taxonomy import Severity

REVIEWABLE = (ReportStatus.SUBMITTED, ReportStatus.NEEDS_INFO)
REVIEWED = (ReportStatus.VERIFIED, ReportStatus.REJECTED)


def _locked(report: IncidentReport, by: AbstractBaseUser, expected_version: int | None) -> IncidentReport:
    """The report reloaded under a row lock, after checking who acts and on which version."""
    if staff_role(by, report) is None:
        raise NotFound()
    current = (
        IncidentReport.objects.select_for_update(of=("self",)).select_related("claimed_by").get(pk=report.pk)
    )
    if expected_version is not None and current.version != expected_version:
        raise ApplicationError(
            _("This report changed since you opened it (it is now %(status)s). Reload it and try again.")
            % {"status": current.get_status_display()}
        )
    if current.claimed_by_id not in (None, by.pk) and current.claimed_until > timezone.now():
        raise ApplicationError(
            _("%(user)s is reviewing this report until %(time)s.")
            % {
                "user": current.claimed_by.get_username(),
                "time": time_format(timezone.localtime(current.claimed_until)),
            }
        )
    return current


def _save(report: IncidentReport, fields: list[str]) -> IncidentReport:
    report.version += 1
    report.save(update_fields=[*fields, "version", "updated_at"])
    return report


def _move(
    report, by, *, to: str, action: str, note: str = "", allowed=REVIEWABLE, expected_version=None, **data
):
    current = _locked(report, by, expected_version)
    if current.status not in allowed:
        raise ApplicationError(
            _("A report that is %(status)s cannot be %(action)s.")
            % {"status": current.get_status_display(), "action": EventAction(action).label}
        )
    ReportEvent.record(
        current, actor=by, action=action, note=note, status_from=current.status, status_to=to, **data
    )
    current.status = to
    current.claimed_by, current.claimed_until = None, None
    fields = ["status", "claimed_by", "claimed_until"]
    if to in REVIEWED:
        current.reviewed_at = timezone.now()
        fields.append("reviewed_at")
    return current, fields


def _required(text: str, field: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ApplicationError(message, field=field)
    if len(text) > MAX_NOTE:
        raise ApplicationError(_("Keep it under %(max)d characters.") % {"max": MAX_NOTE}, field=field)
    return text


@transaction.atomic
def report_claim(*, report: IncidentReport, by: AbstractBaseUser) -> IncidentReport:
    """Take the report for review for a while, so that no other reviewer works it unknowingly."""
    current = _locked(report, by, None)
    current.claimed_by = by
    current.claimed_until = timezone.now() + timedelta(minutes=settings.REVIEW_CLAIM_MINUTES)
    ReportEvent.record(current, actor=by, action=EventAction.CLAIM, until=current.claimed_until.isoformat())
    return _save(current, ["claimed_by", "claimed_until"])


@transaction.atomic
def report_release(*, report: IncidentReport, by: AbstractBaseUser) -> IncidentReport:
    current = _locked(report, by, None)
    if current.claimed_by_id is None:
        return current
    current.claimed_by, current.claimed_until = None, None
    ReportEvent.record(current, actor=by, action=EventAction.RELEASE)
    return _save(current, ["claimed_by", "claimed_until"])


@transaction.atomic
def report_verify(
    *, report: IncidentReport, by: AbstractBaseUser, note: str = "", expected_version: int | None = None
) -> IncidentReport:
    current, fields = _move(
        report,
        by,
        to=ReportStatus.VERIFIED,
        action=EventAction.VERIFY,
        note=note,
        expected_version=expected_version,
    )
    election_id, report_id = current.election_id, current.pk
    transaction.on_commit(
        lambda: report_verified.send_robust(IncidentReport, report_id=report_id, election_id=election_id)
    )
    return _saved_and_scored(current, fields)


@transaction.atomic
def report_reject(
    *, report: IncidentReport, by: AbstractBaseUser, reason: str, expected_version: int | None = None
) -> IncidentReport:
    reason = _required(reason, "reason", _("Say why the report is rejected."))
    current, fields = _move(
        report,
        by,
        to=ReportStatus.REJECTED,
        action=EventAction.REJECT,
        note=reason,
        expected_version=expected_version,
    )
    return _saved_and_scored(current, fields)


@transaction.atomic
def report_ask(
    *, report: IncidentReport, by: AbstractBaseUser, question: str, expected_version: int | None = None
) -> IncidentReport:
    """Send the observer a question; the report waits for the answer."""
    question = _required(question, "question", _("Write the question for the observer."))
    current, fields = _move(
        report,
        by,
        to=ReportStatus.NEEDS_INFO,
        action=EventAction.ASK,
        note=question,
        expected_version=expected_version,
    )
    current.question = question
    return _save(current, [*fields, "question"])


@transaction.atomic
def report_answer(*, observer: AbstractBaseUser, report_id, answer: str) -> IncidentReport:
    """The observer answers a reviewer's question from the phone; the report returns to the queue."""
    answer = _required(answer, "answer", _("Write your answer."))
    try:
        current = IncidentReport.objects.select_for_update().get(pk=report_id, observer=observer)
    except (IncidentReport.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("No such report among yours.")) from None
    if current.status != ReportStatus.NEEDS_INFO:
        raise ApplicationError(_("This report has no open question."), field="answer")
    ReportEvent.record(
        current,
        actor=observer,
        action=EventAction.ANSWER,
        note=answer,
        question=current.question,
        status_from=current.status,
        status_to=ReportStatus.SUBMITTED,
    )
    current.status, current.question = ReportStatus.SUBMITTED, ""
    return _save(current, ["status", "question"])


@transaction.atomic
def report_reopen(
    *, report: IncidentReport, by: AbstractBaseUser, reason: str, expected_version: int | None = None
) -> IncidentReport:
    """Put a verified or rejected report back in the queue: coordinators only."""
    reason = _required(reason, "reason", _("Say why the report is reopened."))
    if staff_role(by, report) != Role.COORDINATOR:
        raise ApplicationError(_("Only a coordinator can reopen a reviewed report."))
    current, fields = _move(
        report,
        by,
        to=ReportStatus.SUBMITTED,
        action=EventAction.REOPEN,
        note=reason,
        allowed=REVIEWED,
        expected_version=expected_version,
    )
    return _saved_and_scored(current, fields)


@transaction.atomic
def report_set_severity(
    *,
    report: IncidentReport,
    by: AbstractBaseUser,
    severity: int,
    reason: str,
    expected_version: int | None = None,
) -> IncidentReport:
    reason = _required(reason, "reason", _("Say why the severity changes."))
    if severity not in Severity.values:
        raise ApplicationError(_("%(value)s is not a valid choice.") % {"value": severity}, field="severity")
    current = _locked(report, by, expected_version)
    if current.severity == severity:
        return current
    ReportEvent.record(
        current,
        actor=by,
        action=EventAction.SEVERITY,
        note=reason,
        severity_from=current.severity,
        severity_to=severity,
    )
    current.severity = severity
    return _saved_and_scored(current, ["severity"])


@transaction.atomic
def report_redact(
    *, report: IncidentReport, by: AbstractBaseUser, text: str, expected_version: int | None = None
) -> IncidentReport:
    """Set the text partners see of the description (names, phone numbers of private people taken
    out). `description` stays the observer's original, for staff and for the observer; an empty
    text, or the original itself, clears the redaction.

    Partners' data changes, the evidence does not: the scores are not recomputed.
    """
    text = (text or "").strip()
    if len(text) > MAX_DESCRIPTION:
        raise ApplicationError(
            _("Keep it under %(max)d characters.") % {"max": MAX_DESCRIPTION}, field="text"
        )
    current = _locked(report, by, expected_version)
    if text == current.description.strip():
        text = ""
    if text == current.public_description:
        return current
    # Both texts as partners read them, so the trail alone tells what was shown before and after.
    ReportEvent.record(
        current,
        actor=by,
        action=EventAction.REDACT,
        replaced=current.public_description or current.description,
        shown=text or current.description,
    )
    current.public_description = text
    return _save(current, ["public_description"])


def _saved_and_scored(report: IncidentReport, fields: list[str]) -> IncidentReport:
    """Save, and have the district scores recomputed once the change is committed."""
    _save(report, fields)
    transaction.on_commit(lambda: review_changed(report.election_id))
    return report


def review_changed(election_id: int) -> None:
    """Say that the election's evidence changed; whoever scores it listens (integrity/)."""
    evidence_changed.send(sender=IncidentReport, election_id=election_id)
