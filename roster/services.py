"""Recording the calls made to the observers of silent sampled stations."""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError, NotFound
from people.models import Assignment, Membership, Organization, Role
from roster.models import Outcome, RecontactCall, Stage
from stations.models import Election, PollingStation


def call_station_get(*, organization: Organization, election: Election, station_id) -> PollingStation:
    """A sampled station of the election that the organization's observers cover; NotFound otherwise."""
    if not str(station_id).isdigit():
        raise NotFound(_("No such station."), field="station")
    station = PollingStation.objects.filter(pk=int(station_id), election=election, in_sample=True).first()
    covered = Assignment.objects.filter(
        station=station, membership__organization=organization, membership__role=Role.OBSERVER
    )
    if station is None or not covered.exists():
        raise NotFound(_("No such station."), field="station")
    return station


def replacement_get(*, organization: Organization, username: str) -> Membership | None:
    if not username.strip():
        return None
    membership = Membership.objects.filter(
        organization=organization, role=Role.OBSERVER, user__username=username.strip()
    ).first()
    if membership is None:
        raise ApplicationError(
            _("%(name)s is not an observer of %(organization)s.")
            % {"name": username.strip(), "organization": organization},
            field="replacement",
        )
    return membership


@transaction.atomic
def recontact_call_record(
    *,
    by: AbstractBaseUser,
    organization: Organization,
    election: Election,
    station: PollingStation,
    stage: str,
    outcome: str,
    note: str = "",
    replacement: Membership | None = None,
    at: datetime | None = None,
) -> RecontactCall:
    """Record one call to the observers of a silent station; the missing list shows the latest."""
    if stage not in Stage.values:
        raise ApplicationError(_("Choose the stage the station is missing."), field="stage")
    if outcome not in Outcome.values:
        raise ApplicationError(_("Choose how the call went."), field="outcome")
    if outcome == Outcome.REPLACED and replacement is None:
        raise ApplicationError(_("Name the observer who replaces the one called."), field="replacement")
    if outcome != Outcome.REPLACED and replacement is not None:
        raise ApplicationError(
            _("Name a replacement only when the observer was replaced."), field="replacement"
        )
    if len(note) > RecontactCall._meta.get_field("note").max_length:
        raise ApplicationError(_("The note is too long."), field="note")
    return RecontactCall.objects.create(
        by=by,
        organization=organization,
        election=election,
        station=station,
        stage=stage,
        outcome=outcome,
        note=note.strip(),
        replacement=replacement,
        at=at or timezone.now(),
    )
