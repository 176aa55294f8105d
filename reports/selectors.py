"""Permission-scoped reads: a row you may not see and a missing row raise the same NotFound."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from reports.errors import NotFound
from reports.models import Assignment, IncidentReport, Membership, Organization, ReportPhoto, Role
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


def report_get_for_observer(*, user: AbstractBaseUser, report_id) -> IncidentReport:
    try:
        return IncidentReport.objects.select_related("station", "election").get(pk=report_id, observer=user)
    except (IncidentReport.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound(_("No such report among yours.")) from None


def reports_list_for_observer(user: AbstractBaseUser) -> QuerySet[IncidentReport]:
    return IncidentReport.objects.filter(observer=user).for_observer_list()


def photo_get_for_user(*, user: AbstractBaseUser, photo_id) -> ReportPhoto:
    """A photo its observer may see, and so may the staff of the observer's organization."""
    visible = Q(report__observer=user)
    if user.is_superuser:
        visible = Q()
    elif user.is_staff:
        visible |= Q(report__organization__in=staff_organization_ids(user))
    try:
        return ReportPhoto.objects.select_related("report").get(visible, pk=photo_id)
    except (ReportPhoto.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound(_("No such photo.")) from None


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


def staff_organization_ids(user: AbstractBaseUser) -> QuerySet:
    """The organizations whose data the user reviews or coordinates."""
    return Membership.objects.filter(user=user, role__in=[Role.REVIEWER, Role.COORDINATOR]).values(
        "organization_id"
    )


def scoped_for_staff(
    queryset: QuerySet, user: AbstractBaseUser, organization_path: str = "organization"
) -> QuerySet:
    """`queryset` cut down to the user's organizations; superusers see everything, others nothing else."""
    if user.is_superuser:
        return queryset
    if not user.is_active or not user.is_staff:
        return queryset.none()
    return queryset.filter(**{f"{organization_path}__in": staff_organization_ids(user)})


def reports_for_staff(user: AbstractBaseUser) -> QuerySet[IncidentReport]:
    return scoped_for_staff(IncidentReport.objects.all(), user)


def report_get_for_staff(*, user: AbstractBaseUser, report_id) -> IncidentReport:
    try:
        return reports_for_staff(user).select_related("station", "election", "observer").get(pk=report_id)
    except (IncidentReport.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound(_("No such report.")) from None
