"""The checklist builder: a checklist's sections, questions and consistency rules on its page, a
question's choices on the question's page; publishing freezes a version, cloning copies the draft
into another election."""

import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import Max
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from checklists.admin.printing import PrintableVersion
from checklists.models import Checklist, ChecklistVersion, Choice, ConsistencyRule, Question, Section
from checklists.services import checklist_clone, checklist_publish
from core.errors import ApplicationError
from people.admin.mixins import OrganizationFilter, OrganizationScopedAdmin, ReadOnlyAdmin
from stations.models import Election

PUBLISH = "checklists.publish_checklist"


class ScopedInline:
    """An inline may change rows only where its parent may be changed (the role held in the
    parent's organization), whatever the user's groups allow elsewhere."""

    def _parent_allows(self, request, obj) -> bool:
        parent = self.admin_site.get_model_admin(self.parent_model)
        return obj is None or parent.has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._parent_allows(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._parent_allows(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._parent_allows(request, obj)


class SectionInline(ScopedInline, admin.TabularInline):
    model = Section
    extra = 0
    fields = ["order", "title_kk", "title_ru", "title_en"]


class QuestionInline(ScopedInline, admin.StackedInline):
    model = Question
    extra = 0
    show_change_link = True
    fields = [
        ("section", "order", "code", "kind", "required"),
        ("label_kk", "label_ru", "label_en"),
        ("min_value", "max_value"),
        ("show_if_question", "show_if_equals"),
        ("critical_values", "critical_severity", "critical_category"),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "section":
            checklist = getattr(request, "_checklist", None)
            kwargs["queryset"] = (
                Section.objects.filter(checklist=checklist) if checklist else Section.objects.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class RuleInline(ScopedInline, admin.TabularInline):
    model = ConsistencyRule
    extra = 0
    fields = ["order", "left", "operator", "right", "constant", "message_kk", "message_ru", "message_en"]


class VersionInline(admin.TabularInline):
    model = ChecklistVersion
    extra = 0
    can_delete = False
    show_change_link = True
    fields = readonly_fields = ["number", "published_at", "published_by"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CloneForm(ActionForm):
    election = forms.ModelChoiceField(
        Election.objects.order_by("-date"), required=False, label=gettext_lazy("into election")
    )


@admin.register(Checklist)
class ChecklistAdmin(OrganizationScopedAdmin):
    list_display = ["name_en", "code", "phase", "election", "organization", "latest_version"]
    list_filter = ["election", "phase", ("organization", OrganizationFilter)]
    list_select_related = ["election", "organization"]
    search_fields = ["code", "name_en", "name_ru", "name_kk"]
    inlines = [SectionInline, QuestionInline, RuleInline, VersionInline]
    actions = ["publish", "clone"]
    action_form = CloneForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The question inline offers only this checklist's sections.
        request._checklist = obj
        return super().get_form(request, obj, change=change, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(latest=Max("versions__number"))

    @admin.display(description=gettext_lazy("latest version"), ordering="latest")
    def latest_version(self, checklist):
        return checklist.latest or ""

    def has_publish_permission(self, request, obj=None) -> bool:
        return self.role_permits(request, PUBLISH, obj)

    @admin.action(
        description=gettext_lazy("Publish a new version of the selected checklists"), permissions=["publish"]
    )
    def publish(self, request, queryset):
        for checklist in self.permitted_rows(request, queryset, PUBLISH):
            try:
                version = checklist_publish(checklist=checklist, by=request.user)
            except ApplicationError as exc:
                self.message_user(request, f"{checklist}: {exc.message}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(checklist)s: version %(number)d published.")
                    % {"checklist": checklist, "number": version.number},
                    messages.SUCCESS,
                )

    @admin.action(
        description=gettext_lazy("Clone the selected checklists into another election"),
        permissions=["publish"],
    )
    def clone(self, request, queryset):
        # The admin has checked the action form (CloneForm) already: a value here is an election.
        election = CloneForm().fields["election"].clean(request.POST.get("election") or None)
        if election is None:
            self.message_user(request, _("Choose the election to clone into."), messages.ERROR)
            return
        cloned = 0
        for checklist in self.permitted_rows(request, queryset, PUBLISH):
            try:
                checklist_clone(checklist=checklist, election=election)
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                cloned += 1
        if cloned:
            self.message_user(
                request,
                ngettext("%d checklist cloned.", "%d checklists cloned.", cloned) % cloned,
                messages.SUCCESS,
            )


class ChoiceInline(ScopedInline, admin.TabularInline):
    model = Choice
    extra = 0
    fields = ["order", "code", "label_kk", "label_ru", "label_en"]


@admin.register(Question)
class QuestionAdmin(OrganizationScopedAdmin):
    organization_path = "checklist__organization"
    list_display = ["code", "label_en", "kind", "checklist"]
    list_select_related = ["checklist"]
    search_fields = ["code", "label_en"]
    readonly_fields = ["checklist", "section"]
    fields = [
        "checklist",
        "section",
        ("order", "code", "kind", "required"),
        ("label_kk", "label_ru", "label_en"),
        ("min_value", "max_value"),
        ("show_if_question", "show_if_equals"),
        ("critical_values", "critical_severity", "critical_category"),
    ]
    inlines = [ChoiceInline]

    def has_add_permission(self, request):
        # Questions are added on their checklist's page, where their section is chosen.
        return False


@admin.register(ChecklistVersion)
class ChecklistVersionAdmin(PrintableVersion, ReadOnlyAdmin, OrganizationScopedAdmin):
    organization_path = "checklist__organization"
    list_display = ["checklist", "number", "published_at", "published_by"]
    list_select_related = ["checklist", "published_by"]
    list_filter = ["checklist__election"]
    fields = ["checklist", "number", "published_at", "published_by", "frozen_definition"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("definition"))
    def frozen_definition(self, version):
        return format_html("<pre>{}</pre>", json.dumps(version.definition, ensure_ascii=False, indent=2))
