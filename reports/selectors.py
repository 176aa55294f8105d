"""Permission-scoped reads of observers' reports and photos: a row you may not see and a missing row
raise the same NotFound."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from core.errors import NotFound
from people.selectors import scoped_for_staff, staff_organization_ids
from reports.models import IncidentReport, ReportPhoto


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


def reports_for_staff(user: AbstractBaseUser) -> QuerySet[IncidentReport]:
    return scoped_for_staff(IncidentReport.objects.all(), user)


def report_get_for_staff(*, user: AbstractBaseUser, report_id) -> IncidentReport:
    try:
        return reports_for_staff(user).select_related("station", "election", "observer").get(pk=report_id)
    except (IncidentReport.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound(_("No such report.")) from None
