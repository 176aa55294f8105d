"""Permission-scoped reads: the checklists an observer answers at a station, and the submissions
staff see. A station that is not the observer's and a missing one raise the same NotFound."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.utils.translation import gettext as _

from checklists.models import ChecklistPhase, ChecklistVersion
from core.errors import ApplicationError
from people.selectors import station_get_for_observer
from stations.models import PollingStation

PHASE_ORDER = Case(
    *(When(checklist__phase=phase, then=Value(index)) for index, phase in enumerate(ChecklistPhase.values)),
    output_field=IntegerField(),
)


def current_versions(*, election_id: int, organization_id: int) -> QuerySet[ChecklistVersion]:
    """The latest version of each published checklist of an organization in an election, in the
    order of election day."""
    latest = (
        ChecklistVersion.objects.filter(checklist=OuterRef("checklist"))
        .order_by("-number")
        .values("number")[:1]
    )
    return (
        ChecklistVersion.objects.filter(
            checklist__election_id=election_id,
            checklist__organization_id=organization_id,
            number=Subquery(latest),
        )
        .select_related("checklist")
        .order_by(PHASE_ORDER, "checklist__code")
    )


def checklists_for_station(
    *, user: AbstractBaseUser, station_id
) -> tuple[PollingStation, list[ChecklistVersion]]:
    station, organization_id = station_get_for_observer(user=user, station_id=station_id)
    versions = current_versions(election_id=station.election_id, organization_id=organization_id)
    return station, list(versions)


def version_for_answers(
    *, election_id: int, organization_id: int, code: str, number: int
) -> ChecklistVersion:
    """The version the observer answered: any published one, the phone may have an older one."""
    version = (
        ChecklistVersion.objects.filter(
            checklist__election_id=election_id,
            checklist__organization_id=organization_id,
            checklist__code=code,
            number=number,
        )
        .select_related("checklist")
        .first()
    )
    if version is None:
        raise ApplicationError(_("No such published checklist version for this station."), field="checklist")
    return version
