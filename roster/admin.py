"""The roster's pages live in the admin under the recontact calls (the one model of the day's
work): the roster, the missing list with its live data and call form, and their CSV exports.

Reviewers and coordinators see them for their own organizations (the right to see memberships,
people.view_membership, held through their role there); calls are recorded from the missing list
only, never edited."""

from django.contrib import admin
from django.http import Http404
from django.urls import path

from people.admin.mixins import ReadOnlyAdmin
from roster import views
from roster.models import Forgetting, RecontactCall
from roster.selectors import PERMISSION, staff_organizations


class OwnOrganizationsAdmin(ReadOnlyAdmin):
    """Rows of the staff user's organizations only, to read: they are written by services."""

    def has_module_permission(self, request):
        return request.user.is_active and (request.user.is_superuser or request.user.has_perm(PERMISSION))

    def has_view_permission(self, request, obj=None):
        if not self.has_module_permission(request):
            return False
        return obj is None or staff_organizations(request.user).filter(pk=obj.organization_id).exists()

    def get_queryset(self, request):
        return super().get_queryset(request).filter(organization__in=staff_organizations(request.user))

    def get_object(self, request, object_id, from_field=None):
        # Another organization's row answers 404, as a missing one does (people/admin/mixins.py).
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj


@admin.register(Forgetting)
class ForgettingAdmin(OwnOrganizationsAdmin):
    """The audit trail of forget_observers (docs/roster.md)."""

    list_display = ["at", "organization", "election", "observers", "photos", "positions", "actor"]
    list_select_related = ["organization", "election"]


@admin.register(RecontactCall)
class RecontactCallAdmin(OwnOrganizationsAdmin):
    list_display = ["at", "station", "stage", "outcome", "replacement", "by", "note", "organization"]
    list_filter = ["election", "stage", "outcome"]
    list_select_related = ["station", "replacement__user", "by", "organization"]
    search_fields = ["station__number"]
    date_hierarchy = "at"

    def get_urls(self):
        def page(view):
            return self.admin_site.admin_view(view)

        return [
            path("roster/", page(views.roster_page), name="roster_roster"),
            path("roster/export.csv", page(views.roster_csv), name="roster_roster_csv"),
            path(
                "roster/accreditation/<int:membership_id>/",
                page(views.accreditation_photo),
                name="roster_accreditation",
            ),
            path("missing/", page(views.missing_page), name="roster_missing"),
            path("missing/data/", page(views.missing_data), name="roster_missing_data"),
            path("missing/call/", page(views.missing_call), name="roster_missing_call"),
            path("missing/export.csv", page(views.missing_csv), name="roster_missing_csv"),
            *super().get_urls(),
        ]
