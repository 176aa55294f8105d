"""Complaints in the coordinator console: the list of complaints whose commission let the legal
deadline pass without an answer, and a district's complaints with their outcomes on its page. Both
show the user's own organizations' complaints only; the district's counts over every organization
identify nobody (partners read them too)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from complaints.selectors import (
    VIEW,
    district_complaints_for_staff,
    filed_complaints,
    outcome_counts,
    overdue_complaints_for_staff,
)
from stations.models import District

OVERDUE_PER_PAGE = 50
DISTRICT_LIST_LENGTH = 10


def complaint_url(complaint) -> str:
    return reverse("admin:complaints_complaint_change", args=[complaint.pk])


def overdue_complaints(request: HttpRequest) -> HttpResponse:
    """Filed complaints past the commission's deadline without an answer, the longest overdue first:
    each is a reason to appeal to the next commission up."""
    if not request.user.has_perm(VIEW):
        raise PermissionDenied
    now = timezone.now()
    page = Paginator(overdue_complaints_for_staff(request.user, now), OVERDUE_PER_PAGE).get_page(
        request.GET.get("page")
    )
    for complaint in page:
        complaint.url = complaint_url(complaint)
        complaint.days_late = (now - complaint.deadline_at).days
    context = {
        **admin.site.each_context(request),
        "title": _("Complaints past their answer deadline"),
        "page_obj": page,
        "admin_list_url": f"{reverse('admin:complaints_complaint_changelist')}?overdue=yes",
    }
    return TemplateResponse(request, "console/complaints_overdue.html", context)


def district_complaints_context(request: HttpRequest, district: District) -> dict:
    """What the district page shows of complaints: the user's organizations' counts and latest
    complaints, and every organization's counts; nothing for a user who may not read complaints."""
    if not request.user.has_perm(VIEW):
        return {}
    yours = district_complaints_for_staff(request.user, district)
    latest = list(yours[:DISTRICT_LIST_LENGTH])
    for complaint in latest:
        complaint.url = complaint_url(complaint)
    return {
        "complaints": {
            "rows": [
                (_("Your organizations"), outcome_counts(yours)),
                (_("All organizations"), outcome_counts(filed_complaints().filter(district=district))),
            ],
            "latest": latest,
            "overdue_url": reverse("admin_complaints_overdue"),
        }
    }
