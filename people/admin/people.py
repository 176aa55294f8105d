"""Admin for organizations, their people, assignments and the phones' tokens.

Everything is cut down to the user's organizations (people.admin.mixins); superusers see it all.
"""

from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.errors import NotFound
from people.admin.forms import AssignmentImportForm
from people.admin.mixins import (
    OrganizationFilter,
    OrganizationScopedAdmin,
    organization_ids,
    users_for_staff,
)
from people.models import Assignment, Membership, ObserverToken, Organization
from people.selectors import scoped_for_staff
from people.services import assignments_import, token_revoke
from stations.importers import CsvImportError

ERRORS_SHOWN = 500
User = get_user_model()


@admin.register(Organization)
class OrganizationAdmin(OrganizationScopedAdmin):
    organization_path = "pk"
    list_display = ["name", "slug", "share_with_partners", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class AssignmentInline(admin.TabularInline):
    model = Assignment
    autocomplete_fields = ["station"]
    extra = 0


@admin.register(Membership)
class MembershipAdmin(OrganizationScopedAdmin):
    list_display = ["user", "organization", "role", "roaming", "station_count", "phone", "created_at"]
    list_filter = [("organization", OrganizationFilter), "role", "roaming"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "organization"]
    inlines = [AssignmentInline]

    ordering = ["organization__name", "user__username"]

    def get_queryset(self, request):
        # A correlated count, not a JOIN with GROUP BY: the list's row counts stay plain.
        stations = (
            Assignment.objects.filter(membership_id=OuterRef("pk"))
            .order_by()
            .values("membership_id")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return super().get_queryset(request).annotate(assignment_total=Coalesce(Subquery(stations), 0))

    @admin.display(description=gettext_lazy("stations"), ordering="assignment_total")
    def station_count(self, membership):
        return membership.assignment_total

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = users_for_staff(User.objects.all(), request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Assignment)
class AssignmentAdmin(OrganizationScopedAdmin):
    organization_path = "membership__organization"
    list_display = ["observer", "organization", "station", "district", "created_at"]
    list_filter = [("membership__organization", OrganizationFilter), "station__election", "station__district"]
    list_select_related = ["membership__user", "membership__organization", "station", "station__district"]
    search_fields = ["membership__user__username", "=station__number"]
    autocomplete_fields = ["membership", "station"]
    change_list_template = "admin/people/assignment/change_list.html"

    @admin.display(description=gettext_lazy("observer"), ordering="membership__user__username")
    def observer(self, assignment):
        return assignment.membership.user

    @admin.display(description=gettext_lazy("organization"), ordering="membership__organization__name")
    def organization(self, assignment):
        return assignment.membership.organization

    @admin.display(description=gettext_lazy("district"), ordering="station__district__number")
    def district(self, assignment):
        return assignment.station.district

    def get_urls(self):
        extra = path(
            "import/",
            self.admin_site.admin_view(self.import_view),
            name="people_assignment_import",
        )
        return [extra, *super().get_urls()]

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        organizations = scoped_for_staff(Organization.objects.all(), request.user, "pk")
        form = AssignmentImportForm(request.POST or None, request.FILES or None, organizations=organizations)
        errors = []
        if request.method == "POST" and form.is_valid():
            try:
                result = assignments_import(
                    organization=form.cleaned_data["organization"],
                    election=form.cleaned_data["election"],
                    data=form.cleaned_data["file"].read(),
                    by=request.user,
                )
            except CsvImportError as exc:
                errors = exc.errors
            except NotFound:
                form.add_error(
                    "organization", _("Only a coordinator of this organization can assign its observers.")
                )
            else:
                messages.success(
                    request,
                    _("%(rows)d rows read: %(created)d assignments created, %(existing)d already there.")
                    % {"rows": result.rows, "created": result.created, "existing": result.existing},
                )
                return redirect(reverse("admin:people_assignment_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Assign observers to stations from a CSV file"),
            "form": form,
            "errors": errors[:ERRORS_SHOWN],
            "errors_total": len(errors),
            "errors_hidden": max(0, len(errors) - ERRORS_SHOWN),
        }
        return TemplateResponse(request, "admin/people/assignment/import.html", context)


@admin.register(ObserverToken)
class ObserverTokenAdmin(OrganizationScopedAdmin):
    organization_path = "user__memberships__organization"
    organization_path_many = True
    list_display = ["prefix", "user", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "prefix"]
    readonly_fields = ["user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    exclude = ["key_hash"]
    actions = ["revoke"]

    def in_scope(self, request, obj) -> bool:
        ids = organization_ids(request)
        return ids is None or Membership.objects.filter(user_id=obj.user_id, organization__in=ids).exists()

    def has_add_permission(self, request):
        return False  # phones ask for their own tokens; the key is shown to them only

    @admin.action(description=gettext_lazy("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            token_revoke(token=token)
        count = queryset.count()
        self.message_user(
            request, ngettext("%d token revoked.", "%d tokens revoked.", count) % count, messages.SUCCESS
        )


def membership_user_autocomplete(request) -> bool:
    """Whether the request is the user autocomplete of the membership form."""
    match = request.resolver_match
    return (
        match is not None
        and match.url_name == "autocomplete"
        and request.GET.get("app_label") == Membership._meta.app_label
        and request.GET.get("model_name") == Membership._meta.model_name
        and request.GET.get("field_name") == "user"
    )


if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    """Django's user admin, with the users a coordinator may pick for a membership.

    A coordinator holds no permission on users; the membership form's autocomplete may still
    offer them the users of their organizations and those of none, and only those.
    """

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return users_for_staff(queryset, request.user)

    def has_view_permission(self, request, obj=None):
        if super().has_view_permission(request, obj):
            return True
        picking = obj is None and membership_user_autocomplete(request)
        return picking and (
            request.user.has_perm("people.add_membership")
            or request.user.has_perm("people.change_membership")
        )
