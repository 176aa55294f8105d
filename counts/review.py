"""Reviewing protocol copies: the only writer of a copy's status. Like a report, a copy is
verified or rejected by a reviewer of the observer's organization, and reopened by a coordinator;
every step is kept in ProtocolEvent. The photo of the protocol is the evidence."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError, NotFound
from core.review import MAX_NOTE, ReportStatus
from core.signals import evidence_changed
from counts.models import ProtocolAction, ProtocolCopy, ProtocolEvent
from people.models import Role
from people.selectors import staff_role

REVIEWABLE = (ReportStatus.SUBMITTED, ReportStatus.NEEDS_INFO)
REVIEWED = (ReportStatus.VERIFIED, ReportStatus.REJECTED)
MOVES = {
    ProtocolAction.VERIFY: (REVIEWABLE, ReportStatus.VERIFIED, (Role.REVIEWER, Role.COORDINATOR)),
    ProtocolAction.REJECT: (REVIEWABLE, ReportStatus.REJECTED, (Role.REVIEWER, Role.COORDINATOR)),
    ProtocolAction.REOPEN: (REVIEWED, ReportStatus.SUBMITTED, (Role.COORDINATOR,)),
}


@transaction.atomic
def protocol_review(
    *,
    protocol: ProtocolCopy,
    by: AbstractBaseUser,
    action: str,
    note: str = "",
    expected_version: int | None = None,
) -> ProtocolCopy:
    """Verify, reject (with a reason) or reopen (with a reason) a protocol copy."""
    allowed, to, roles = MOVES[ProtocolAction(action)]
    role = staff_role(by, protocol)
    if role is None:
        raise NotFound()
    if role not in roles:
        raise ApplicationError(_("Only a coordinator can reopen a reviewed protocol copy."))
    note = (note or "").strip()
    if action != ProtocolAction.VERIFY and not note:
        raise ApplicationError(_("Say why."), field="note")
    if len(note) > MAX_NOTE:
        raise ApplicationError(_("Keep it under %(max)d characters.") % {"max": MAX_NOTE}, field="note")
    current = ProtocolCopy.objects.select_for_update(of=("self",)).get(pk=protocol.pk)
    if expected_version is not None and current.version != expected_version:
        raise ApplicationError(
            _("This protocol copy changed since you opened it (now %(status)s). Reload it and try again.")
            % {"status": current.get_status_display()}
        )
    if current.status not in allowed:
        raise ApplicationError(
            _("A protocol copy that is %(status)s cannot be %(action)s.")
            % {"status": current.get_status_display(), "action": ProtocolAction(action).label}
        )
    ProtocolEvent.objects.create(
        protocol=current, actor=by, action=action, status_from=current.status, status_to=to, note=note
    )
    current.status, current.version = to, current.version + 1
    current.reviewed_by, current.reviewed_at = (by, timezone.now()) if to in REVIEWED else (None, None)
    current.review_note = note
    current.save(update_fields=["status", "version", "reviewed_by", "reviewed_at", "review_note"])
    election_id = current.election_id
    transaction.on_commit(lambda: evidence_changed.send(sender=ProtocolCopy, election_id=election_id))
    return current
