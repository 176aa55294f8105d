"""Organization scoping shared by every admin of observers' data.

Permissions say which kinds of row a staff user may touch; which rows is decided by their
memberships (people.selectors.scoped_for_staff), and what they may do to one row by the role they
hold in that row's organization (people.roles.role_grants): a reviewer of one organization who
coordinates another has a reviewer's rights in the first. A row of another organization answers 404 just
as a missing one does, so an id guessed into a URL tells nothing, and no list filter, choice or
autocomplete names another organization's people.
"""

from django.contrib import admin
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet
from django.http import Http404

from people.models import Membership, Organization, Role
from people.roles import role_grants
from people.selectors import granted_to_user, scoped_for_staff, staff_organization_ids, staff_roles

# Rows of these models are chosen in forms only from the user's own organizations.
SCOPED_CHOICES = {Organization: "pk", Membership: "organization"}


def roles_by_organization(request) -> dict[int, str] | None:
    """The user's staff role in each of their organizations, read once per request; None for a
    superuser (every right everywhere)."""
    if request.user.is_superuser:
        return None
    if not hasattr(request, "_staff_roles"):
        request._staff_roles = staff_roles(request.user)
    return request._staff_roles


def organization_ids(request) -> set[int] | None:
    """The user's organizations; None for a superuser (all of them)."""
    roles = roles_by_organization(request)
    return None if roles is None else set(roles)


def permitted_organization_ids(request, permission: str) -> set[int] | None:
    """The organizations where the user's role grants `permission` ("app.codename"), or all of the
    user's organizations when it was given to the user by hand; None for a superuser."""
    roles = roles_by_organization(request)
    if roles is None:
        return None
    if granted_to_user(request.user, permission):
        return set(roles)
    return {organization for organization, role in roles.items() if role_grants(role, permission)}


def coordinated_organization_ids(request) -> set[int] | None:
    """The organizations the user coordinates, read once per request; None for a superuser.
    Partners and their webhooks answer to coordinators only, not to reviewers."""
    user = request.user
    if user.is_superuser:
        return None
    if not hasattr(request, "_coordinated_organization_ids"):
        rows = Membership.objects.filter(user=user, role=Role.COORDINATOR).values_list(
            "organization_id", flat=True
        )
        request._coordinated_organization_ids = set(rows) if user.is_active and user.is_staff else set()
    return request._coordinated_organization_ids


def users_for_staff(queryset: QuerySet, user: AbstractBaseUser) -> QuerySet:
    """Users a coordinator may pick for a membership: members of their organizations, or of none.

    Members of other organizations only are left out, and so are superusers.
    """
    if user.is_superuser:
        return queryset
    own = Membership.objects.filter(organization__in=staff_organization_ids(user)).values("user_id")
    elsewhere = Membership.objects.values("user_id")
    return queryset.filter(Q(pk__in=own) | ~Q(pk__in=elsewhere), is_superuser=False)


class OrganizationFilter(admin.RelatedFieldListFilter):
    """A filter on an organization that lists only the user's own organizations."""

    def field_choices(self, field, request, model_admin):
        limit = {} if request.user.is_superuser else {"pk__in": staff_organization_ids(request.user)}
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(include_blank=False, limit_choices_to=limit, ordering=ordering)

    def has_output(self):
        # The stock filter hides itself with a single choice, and the admin then drops its
        # parameter: `?organization__id__exact=<another>` would list everything instead of nothing.
        return True


class OrganizationScopedAdmin(admin.ModelAdmin):
    """Lists, pages, autocompletes and choices cut down to the user's organizations.

    `organization_path` leads from the model to its organization. When it crosses a many-valued
    relation, set `organization_path_many` so that a row reached twice is listed once.
    """

    organization_path = "organization"
    organization_path_many = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        # Only the organizations where the user's role may see this kind of row (tokens: coordinators).
        scope = (request.user, self.organization_path, self.permission_name("view"))
        if not self.organization_path_many:
            return scoped_for_staff(queryset, *scope)
        visible = scoped_for_staff(self.model.objects.all(), *scope)
        return queryset if request.user.is_superuser else queryset.filter(pk__in=visible.values("pk"))

    def permission_name(self, action: str) -> str:
        return f"{self.opts.app_label}.{action}_{self.opts.model_name}"

    def organization_id_of(self, obj) -> int | None:
        *hops, last = self.organization_path.split("__")
        for hop in hops:
            obj = getattr(obj, hop)
        return obj.pk if last == "pk" else getattr(obj, f"{last}_id")

    def organization_ids_of(self, obj) -> set[int]:
        return {self.organization_id_of(obj)}

    def in_scope(self, request, obj) -> bool:
        ids = organization_ids(request)
        return ids is None or self.organization_id_of(obj) in ids

    def role_permits(self, request, permission: str, obj=None) -> bool:
        """Whether the user's groups hold `permission` ("app.codename") and, for a row, whether the
        role they hold in its organization grants it too."""
        if not request.user.has_perm(permission):
            return False
        ids = None if obj is None else permitted_organization_ids(request, permission)
        return ids is None or bool(self.organization_ids_of(obj) & ids)

    def permitted_rows(self, request, queryset, permission: str):
        """`queryset` cut down to the organizations where the user's role grants `permission`."""
        ids = permitted_organization_ids(request, permission)
        return queryset if ids is None else queryset.filter(**{f"{self.organization_path}__in": ids})

    def role_allows(self, request, obj, *actions: str) -> bool:
        """For one row: whether the role held in its organization grants one of `actions` on this model."""
        granted = [permitted_organization_ids(request, self.permission_name(action)) for action in actions]
        if None in granted:
            return True
        return bool(self.organization_ids_of(obj) & set().union(*granted))

    # Without a row (the list) the groups decide, as in the stock admin: the list shows only rows
    # the user may see, and each row's page, save, delete and action asks the row's organization.
    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (
            obj is None or (self.in_scope(request, obj) and self.role_allows(request, obj, "view", "change"))
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or (self.in_scope(request, obj) and self.role_allows(request, obj, "change"))
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (
            obj is None or (self.in_scope(request, obj) and self.role_allows(request, obj, "delete"))
        )

    def get_object(self, request, object_id, from_field=None):
        # The stock admin redirects to the index saying the row "doesn't exist"; another
        # organization's row would look the same, but a plain 404 says even less.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A row is written only into an organization where the user's role may change such rows.
        path = SCOPED_CHOICES.get(db_field.related_model)
        if path is not None and "queryset" not in kwargs:
            kwargs["queryset"] = scoped_for_staff(
                db_field.related_model.objects.all(), request.user, path, self.permission_name("change")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Observers' submissions are changed only through services, never by editing a form."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
