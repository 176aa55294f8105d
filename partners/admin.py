"""Partners and their keys in the admin, for coordinators (and superusers).

A coordinator sees and registers partners of the organizations they coordinate only; another
organization's partner or key answers 404 like a missing one. A new key is shown once, on the
page that answers the form, and never again: only its SHA-256 is stored.
"""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from partners.keys import MAX_DAYS, key_create, key_revoke
from partners.models import Partner, PartnerKey, Scope
from people.admin.mixins import OrganizationScopedAdmin, coordinated_organization_ids
from people.models import Organization

DEFAULT_DAYS = 90


class CoordinatorScopedAdmin(OrganizationScopedAdmin):
    """Like the other admins, but cut down to the organizations the user coordinates: a reviewer
    of an organization has no say over the partners it registered."""

    def get_queryset(self, request):
        queryset = admin.ModelAdmin.get_queryset(self, request)
        ids = coordinated_organization_ids(request)
        return queryset if ids is None else queryset.filter(**{f"{self.organization_path}__in": ids})

    def in_scope(self, request, obj) -> bool:
        ids = coordinated_organization_ids(request)
        return ids is None or self.organization_id_of(obj) in ids


@admin.register(Partner)
class PartnerAdmin(CoordinatorScopedAdmin):
    list_display = ["name", "organization", "contact", "created_at"]
    list_select_related = ["organization"]
    search_fields = ["name"]
    ordering = ["name"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organization":
            ids = coordinated_organization_ids(request)
            organizations = Organization.objects.all()
            kwargs["queryset"] = organizations if ids is None else organizations.filter(pk__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class PartnerKeyCreateForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("scopes"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("What the key may read. Exports also need the scope of what they export."),
    )
    days = forms.IntegerField(
        label=gettext_lazy("days of validity"),
        min_value=1,
        max_value=MAX_DAYS,
        initial=DEFAULT_DAYS,
        help_text=gettext_lazy("The key stops working after this many days."),
    )

    class Meta:
        model = PartnerKey
        fields = ["partner"]


@admin.register(PartnerKey)
class PartnerKeyAdmin(CoordinatorScopedAdmin):
    organization_path = "partner__organization"
    list_display = [
        "prefix",
        "partner",
        "scope_list",
        "expires_at",
        "revoked_at",
        "last_used_at",
        "created_at",
    ]
    list_filter = ["revoked_at"]
    list_select_related = ["partner"]
    search_fields = ["prefix", "partner__name"]
    ordering = ["-created_at"]
    actions = ["revoke"]
    readonly_fields = [
        "partner",
        "prefix",
        "scope_list",
        "created_by",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]

    @admin.display(description=gettext_lazy("scopes"))
    def scope_list(self, key: PartnerKey) -> str:
        return ", ".join(key.scopes)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = PartnerKeyCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["partner", "scopes", "days"] if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "partner":
            ids = coordinated_organization_ids(request)
            partners = Partner.objects.select_related("organization")
            kwargs["queryset"] = partners if ids is None else partners.filter(organization__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted: the list keeps which keys existed and when they were used

    def save_form(self, request, form, change):
        if change:
            return form.instance
        data = form.cleaned_data
        row, key = key_create(
            partner=data["partner"], scopes=data["scopes"], days=data["days"], by=request.user
        )
        row.plain_key = key
        return row

    def save_model(self, request, obj, form, change):
        """Keys are made by key_create (in save_form) and never edited afterwards."""

    def save_related(self, request, form, formsets, change):
        """A key has no related rows to save."""

    def response_add(self, request, obj, post_url_continue=None):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("The new key of %(partner)s") % {"partner": obj.partner},
            "key": obj,
            "plain_key": obj.plain_key,
        }
        response = TemplateResponse(request, "admin/partners/partnerkey/created.html", context)
        # The page holds the key itself: no cache, no history may keep a copy.
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=gettext_lazy("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request, queryset):
        prefixes = list(queryset.filter(revoked_at__isnull=True).values_list("prefix", flat=True))
        for prefix in prefixes:
            key_revoke(prefix=prefix)
        self.message_user(
            request,
            ngettext("%d key revoked.", "%d keys revoked.", len(prefixes)) % len(prefixes),
            messages.SUCCESS,
        )
