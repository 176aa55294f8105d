"""The observers' checklist submissions, read-only: their answers, inconsistencies, photos and the
reports their critical answers became."""

import json

from django.contrib import admin
from django.http import Http404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from checklists.models import CriticalAnswer, Submission, SubmissionPhoto
from checklists.texts import text_in
from core.storage import evidence_image
from people.admin.mixins import OrganizationFilter, OrganizationScopedAdmin, ReadOnlyAdmin


class CriticalAnswerInline(admin.TabularInline):
    model = CriticalAnswer
    extra = 0
    can_delete = False
    fields = readonly_fields = ["question", "incident_report"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("incident report"))
    def incident_report(self, answer):
        url = reverse("admin:reports_incidentreport_change", args=[answer.report_id])
        return format_html('<a href="{}">{}</a>', url, answer.report_id)


class PhotoInline(admin.TabularInline):
    model = SubmissionPhoto
    extra = 0
    can_delete = False
    fields = readonly_fields = ["question", "picture", "width", "height", "sha256", "captured_at"]

    @admin.display(description=gettext_lazy("photo"))
    def picture(self, photo):
        """The thumbnail, opening the photo; both served by SubmissionAdmin.photo_view after its
        permission check."""
        url = reverse("admin:checklists_submission_photo", args=[photo.submission_id, photo.pk])
        return format_html('<a href="{}"><img src="{}?thumbnail=1" alt="" width="160"></a>', url, url)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin, OrganizationScopedAdmin):
    list_display = [
        "answered_at",
        "station",
        "version",
        "observer",
        "organization",
        "source",
        "inconsistencies",
    ]
    list_filter = [
        "election",
        "source",
        "station__district",
        "station__in_sample",
        "version__checklist__phase",
        ("organization", OrganizationFilter),
    ]
    list_select_related = ["station", "version__checklist", "observer", "organization"]
    search_fields = ["=station__number"]
    fields = [
        "version",
        "station",
        "observer",
        "organization",
        "answered_at",
        "received_at",
        "source",
        "answers_shown",
        "flags_shown",
    ]
    readonly_fields = fields
    inlines = [CriticalAnswerInline, PhotoInline]

    @admin.display(description=gettext_lazy("inconsistencies"))
    def inconsistencies(self, submission):
        return len(submission.flags) or ""

    @admin.display(description=gettext_lazy("answers"))
    def answers_shown(self, submission):
        return format_html("<pre>{}</pre>", json.dumps(submission.answers, ensure_ascii=False, indent=2))

    @admin.display(description=gettext_lazy("inconsistencies"))
    def flags_shown(self, submission):
        return format_html_join("", "<p>{}</p>", ((text_in(flag["message"]),) for flag in submission.flags))

    def get_urls(self):
        photo = self.admin_site.admin_view(require_GET(self.photo_view))
        return [
            path("<uuid:object_id>/photo/<uuid:photo_id>/", photo, name="checklists_submission_photo"),
            *super().get_urls(),
        ]

    def photo_view(self, request, object_id, photo_id):
        """A photo answer of a submission the user may see (the admin's scoping), else 404."""
        submission = self.get_object(request, str(object_id))
        found = submission and submission.photos.filter(pk=photo_id).first()
        if found is None:
            raise Http404
        field = "thumbnail" if request.GET.get("thumbnail") else "image"
        return evidence_image(getattr(found, field), str(found.pk))
