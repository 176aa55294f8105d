"""Who may see what: an observer's stations and memberships, and the organizations whose data a
member of staff reviews or coordinates. A row you may not see and a missing row raise the same NotFound."""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from core.errors import NotFound
from people.models import Assignment, Membership, Organization, Role
from people.roles import roles_granting
from stations.models import PollingStation


def observer_memberships(user: AbstractBaseUser) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, role=Role.OBSERVER).select_related("organization")


def stations_for_observer(user: AbstractBaseUser) -> QuerySet[PollingStation]:
    """The stations an observer may report on: their assignments, and for a roaming observer
    every station of the districts of those assignments."""
    assigned = Assignment.objects.filter(membership__user=user, membership__role=Role.OBSERVER)
    roaming_districts = assigned.filter(membership__roaming=True).values("station__district_id")
    return PollingStation.objects.filter(
        Q(pk__in=assigned.values("station_id")) | Q(district_id__in=roaming_districts)
    )


def assigned_stations(user: AbstractBaseUser) -> QuerySet[PollingStation]:
    """The stations an observer is expected at, for their start page (roaming adds none)."""
    assigned = Assignment.objects.filter(membership__user=user, membership__role=Role.OBSERVER)
    return PollingStation.objects.filter(pk__in=assigned.values("station_id")).select_related(
        "district", "election"
    )


def station_get_for_observer(*, user: AbstractBaseUser, station_id) -> tuple[PollingStation, Organization]:
    """The station and the organization the observer reports to there, or NotFound."""
    try:
        station = stations_for_observer(user).select_related("election", "district").get(pk=station_id)
    except (PollingStation.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound(_("No such station among yours."), field="station") from None
    memberships = observer_memberships(user)
    membership = (
        memberships.filter(assignments__station=station).first()
        or memberships.filter(roaming=True, assignments__station__district_id=station.district_id).first()
    )
    return station, membership.organization


def memberships_for_user(user: AbstractBaseUser) -> list[Membership]:
    return list(Membership.objects.filter(user=user).select_related("organization"))


def roaming_district_numbers(user: AbstractBaseUser) -> QuerySet:
    """The districts a roaming observer may report anywhere in."""
    return (
        Assignment.objects.filter(
            membership__user=user, membership__role=Role.OBSERVER, membership__roaming=True
        )
        .order_by("station__district__number")
        .values_list("station__district__number", flat=True)
        .distinct()
    )


def granted_to_user(user: AbstractBaseUser, permission: str) -> bool:
    """Whether `permission` was given to this user by hand (not through a group): a superuser's
    deliberate choice, which holds in every organization where the user is staff."""
    return permission in ModelBackend().get_user_permissions(user)


def staff_organization_ids(user: AbstractBaseUser, permission: str | None = None) -> QuerySet:
    """The organizations whose data the user reviews or coordinates; with `permission`
    ("app.codename"), only those where the user's role grants it (or all of them when it was given
    to the user by hand)."""
    if permission and not granted_to_user(user, permission):
        roles = roles_granting(permission)
    else:
        roles = [Role.REVIEWER, Role.COORDINATOR]
    return Membership.objects.filter(user=user, role__in=roles).values("organization_id")


def scoped_for_staff(
    queryset: QuerySet,
    user: AbstractBaseUser,
    organization_path: str = "organization",
    permission: str | None = None,
) -> QuerySet:
    """`queryset` cut down to the user's organizations (those where their role grants `permission`,
    when given); superusers see everything, others nothing else."""
    if user.is_superuser:
        return queryset
    if not user.is_active or not user.is_staff:
        return queryset.none()
    return queryset.filter(**{f"{organization_path}__in": staff_organization_ids(user, permission)})


def staff_roles(user: AbstractBaseUser) -> dict[int, str]:
    """The user's staff role in each organization where they hold one, in one query."""
    if not user.is_active or not user.is_staff:
        return {}
    rows = Membership.objects.filter(user=user, role__in=[Role.REVIEWER, Role.COORDINATOR])
    return dict(rows.values_list("organization_id", "role"))


def staff_role(user: AbstractBaseUser, row) -> str | None:
    """The user's review role in the organization of `row` (a report, a protocol copy: anything with
    an organization_id): coordinator, reviewer, or None."""
    if user.is_superuser:
        return Role.COORDINATOR
    roles = set(
        Membership.objects.filter(user=user, organization_id=row.organization_id).values_list(
            "role", flat=True
        )
    )
    for role in (Role.COORDINATOR, Role.REVIEWER):
        if role in roles:
            return role
    return None
