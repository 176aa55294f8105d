"""Admin for organizations, their people, assignments and the phones' tokens.

Everything is cut down to the user's organizations (people.admin.mixins); superusers see it all.
Managing people is a coordinator's right, and only in the organizations they coordinate: a reviewer
of an organization sees its memberships and assignments but changes none, whatever they hold
elsewhere.
"""

from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from people.admin.forms import AssignmentImportForm
from people.admin.imports import import_file_view
from people.admin.mixins import (
    OrganizationFilter,
    OrganizationScopedAdmin,
    organization_ids,
    permitted_organization_ids,
    users_for_staff,
)
from people.admin.onboarding import OnboardingAdminMixin
from people.admin.user_search import term_matches
from people.models import Assignment, Membership, ObserverToken, Organization
from people.selectors import scoped_for_staff
from people.services import assignments_import, token_revoke

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
    """A membership's assignments, editable where the user's role in its organization allows it."""

    model = Assignment
    autocomplete_fields = ["station"]
    extra = 0

    def role_allows(self, request, membership, action: str) -> bool:
        ids = permitted_organization_ids(request, f"people.{action}_assignment")
        return membership is None or ids is None or membership.organization_id in ids

    def has_add_permission(self, request, obj):
        return super().has_add_permission(request, obj) and self.role_allows(request, obj, "add")

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.role_allows(request, obj, "change")

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.role_allows(request, obj, "delete")


@admin.register(Membership)
class MembershipAdmin(OnboardingAdminMixin, OrganizationScopedAdmin):
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

    def get_search_results(self, request, queryset, search_term):
        if autocomplete_for(request, Assignment, "membership"):
            # The assignment form offers only memberships it may save: those of organizations where
            # the user's role may change assignments, not those they only review.
            queryset = self.permitted_rows(request, queryset, "people.change_assignment")
        return super().get_search_results(request, queryset, search_term)

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
        # Only the organizations the user coordinates: a reviewer there assigns nobody.
        organizations = scoped_for_staff(
            Organization.objects.all(), request.user, "pk", "people.add_assignment"
        )
        form = AssignmentImportForm(request.POST or None, request.FILES or None, organizations=organizations)
        return import_file_view(
            self,
            request,
            form,
            run=assignments_import,
            refused=_("Only a coordinator of this organization can assign its observers."),
            done=lambda result: (
                _("%(rows)d rows read: %(created)d assignments created, %(existing)d already there.")
                % {"rows": result.rows, "created": result.created, "existing": result.existing}
            ),
            redirect_to="admin:people_assignment_changelist",
            title=_("Assign observers to stations from a CSV file"),
            template="admin/people/assignment/import.html",
        )


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

    def organization_ids_of(self, obj) -> set[int]:
        # A token belongs to its user, and so to each organization the user is a member of.
        if not hasattr(obj, "_organization_ids"):
            rows = Membership.objects.filter(user_id=obj.user_id).values_list("organization_id", flat=True)
            obj._organization_ids = set(rows)
        return obj._organization_ids

    def in_scope(self, request, obj) -> bool:
        ids = organization_ids(request)
        return ids is None or bool(self.organization_ids_of(obj) & ids)

    def has_add_permission(self, request):
        return False  # phones ask for their own tokens; the key is shown to them only

    @admin.action(description=gettext_lazy("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request, queryset):
        ids = permitted_organization_ids(request, "people.change_observertoken")
        if ids is not None:
            queryset = queryset.filter(
                user__in=Membership.objects.filter(organization__in=ids).values("user_id")
            )
        for token in queryset.filter(revoked_at__isnull=True):
            token_revoke(token=token)
        count = queryset.count()
        self.message_user(
            request, ngettext("%d token revoked.", "%d tokens revoked.", count) % count, messages.SUCCESS
        )


def autocomplete_for(request, model, field_name: str) -> bool:
    """Whether the request is the autocomplete of `field_name` on `model`'s admin form."""
    match = request.resolver_match
    return (
        match is not None
        and match.url_name == "autocomplete"
        and request.GET.get("app_label") == model._meta.app_label
        and request.GET.get("model_name") == model._meta.model_name
        and request.GET.get("field_name") == field_name
    )


def membership_user_autocomplete(request) -> bool:
    """Whether the request is the user autocomplete of the membership form."""
    return autocomplete_for(request, Membership, "user")


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

    def get_search_results(self, request, queryset, search_term):
        if request.user.is_superuser or not search_term or not membership_user_autocomplete(request):
            return super().get_search_results(request, queryset, search_term)
        # People of no organization are found by their names only: a search by e-mail address over
        # them would tell a coordinator who has an account here, and under which address.
        members = Membership.objects.filter(organization__in=organization_ids(request)).values("user_id")
        ours, may_have_duplicates = super().get_search_results(
            request, queryset.filter(pk__in=members), search_term
        )
        names = [field for field in self.get_search_fields(request) if field != "email"]
        others = queryset.exclude(pk__in=members).filter(term_matches(search_term, names))
        return ours | others, may_have_duplicates

    def has_view_permission(self, request, obj=None):
        if super().has_view_permission(request, obj):
            return True
        picking = obj is None and membership_user_autocomplete(request)
        return picking and (
            request.user.has_perm("people.add_membership")
            or request.user.has_perm("people.change_membership")
        )
