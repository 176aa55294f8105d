"""Admin for check-ins: read-only, cut down to the user's organizations (people.admin.mixins)."""

from django.contrib import admin

from people.admin.mixins import OrganizationFilter, OrganizationScopedAdmin, ReadOnlyAdmin
from reports.models import CheckIn


@admin.register(CheckIn)
class CheckInAdmin(ReadOnlyAdmin, OrganizationScopedAdmin):
    list_display = ["at", "station", "kind", "all_clear", "observer", "organization"]
    list_filter = [
        "election",
        "station__district",
        "station__in_sample",
        "kind",
        "all_clear",
        ("organization", OrganizationFilter),
    ]
    list_select_related = ["station", "observer", "organization"]
    search_fields = ["=station__number"]
