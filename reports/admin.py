"""Admin for organizations, observers and their phones' tokens.

Report review screens come with the review workflow; until then only superusers hold
permissions on observers' data, so nothing here is visible across organizations.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from reports.models import Assignment, CheckIn, IncidentReport, Membership, ObserverToken, Organization
from reports.services import token_revoke


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "share_with_partners", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class AssignmentInline(admin.TabularInline):
    model = Assignment
    autocomplete_fields = ["station"]
    extra = 0


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "roaming", "created_at"]
    list_filter = ["organization", "role", "roaming"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "organization"]
    inlines = [AssignmentInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["membership", "station", "created_at"]
    list_filter = ["membership__organization"]
    list_select_related = ["membership__user", "membership__organization", "station"]
    search_fields = ["membership__user__username", "=station__number"]
    autocomplete_fields = ["membership", "station"]


@admin.register(ObserverToken)
class ObserverTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "prefix"]
    readonly_fields = ["user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    exclude = ["key_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # phones ask for their own tokens; the key is shown to them only

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            token_revoke(token=token)
        count = queryset.count()
        self.message_user(
            request, ngettext("%d token revoked.", "%d tokens revoked.", count) % count, messages.SUCCESS
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Observers' submissions are changed only through services, never by editing a form."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CheckIn)
class CheckInAdmin(ReadOnlyAdmin):
    list_display = ["at", "station", "kind", "all_clear", "observer", "organization"]
    list_filter = ["election", "kind", "all_clear", "organization"]
    list_select_related = ["station", "observer", "organization"]
    search_fields = ["=station__number"]


@admin.register(IncidentReport)
class IncidentReportAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "station", "category", "severity", "phase", "status", "organization"]
    list_filter = ["election", "status", "severity", "category", "phase", "organization"]
    list_select_related = ["station", "organization"]
    search_fields = ["=station__number", "description"]
