"""The organization's complaint templates, per election, language and commission."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from complaints.models import ComplaintTemplate
from complaints.placeholders import PLACEHOLDERS
from people.admin.mixins import OrganizationFilter, OrganizationScopedAdmin


@admin.register(ComplaintTemplate)
class ComplaintTemplateAdmin(OrganizationScopedAdmin):
    list_display = [
        "title",
        "organization",
        "election",
        "addressee_kind",
        "language",
        "deadline",
        "updated_at",
    ]
    list_filter = [("organization", OrganizationFilter), "election", "addressee_kind", "language"]
    search_fields = ["title"]
    list_select_related = ["organization", "election"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "body" in form.base_fields:  # read-only for reviewers
            names = ", ".join("{" + name + "}" for name in sorted(PLACEHOLDERS))
            form.base_fields["body"].help_text = _(
                "Placeholders, replaced by the facts when a complaint is drafted: %(names)s."
            ) % {"names": names}
        return form

    @admin.display(description=_("answer deadline"))
    def deadline(self, template):
        if template.deadline_rule == "election_day":
            return template.get_deadline_rule_display()
        unit = _("hours") if template.deadline_rule == "hours" else _("days")
        return f"{template.deadline_amount} {unit} ({template.get_deadline_from_display()})"
