"""Permission-scoped reads of the observer's counts: a row you may not see and a missing row raise
the same NotFound."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from core.errors import NotFound
from counts.models import Choice, Contest, ProtocolCopy, TurnoutCount
from people.selectors import staff_organization_ids
from stations.models import PollingStation


def choices_at_station(station: PollingStation) -> QuerySet[Choice]:
    """The parties, and the candidates standing in the station's district: what its ballot lists."""
    return Choice.objects.filter(Q(district__isnull=True) | Q(district_id=station.district_id))


def contests_for_station(station: PollingStation) -> QuerySet[Contest]:
    """The contests of the station's election, each with the choices on the station's ballot."""
    choices = choices_at_station(station).order_by("position", "code")
    return (
        Contest.objects.filter(election_id=station.election_id)
        .order_by("code")
        .prefetch_related(Prefetch("choices", queryset=choices))
    )


def contest_get_for_station(*, station: PollingStation, code) -> Contest:
    try:
        return contests_for_station(station).get(code=code)
    except (Contest.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound(_("No such contest in this election."), field="contest") from None


def turnout_counts_for_observer(user: AbstractBaseUser) -> QuerySet[TurnoutCount]:
    return (
        TurnoutCount.objects.filter(observer=user)
        .select_related("station", "election")
        .order_by("-counted_at", "-received_at")
    )


def protocols_for_observer(user: AbstractBaseUser) -> QuerySet[ProtocolCopy]:
    return (
        ProtocolCopy.objects.filter(observer=user)
        .select_related("station", "election", "contest")
        .order_by("-received_at")
    )


def protocol_get_for_user(*, user: AbstractBaseUser, protocol_id) -> ProtocolCopy:
    """A protocol copy its observer may see, and so may the staff of the observer's organization."""
    visible = Q(observer=user)
    if user.is_superuser:
        visible = Q()
    elif user.is_staff:
        visible |= Q(organization__in=staff_organization_ids(user))
    try:
        return ProtocolCopy.objects.get(visible, pk=protocol_id)
    except (ProtocolCopy.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound(_("No such protocol copy.")) from None
