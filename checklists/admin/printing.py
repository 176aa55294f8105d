"""Printing a published version as a paper form (checklists.paper), from the version's admin page:
whoever may see the version may print it."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from checklists.paper import LANGUAGES, version_pdf


class PrintableVersion:
    """Mixed into the version's admin: buttons "Print (kk | ru | en)" and the view they call."""

    change_form_template = "admin/checklists/checklistversion/change_form.html"

    def get_urls(self):
        return [
            path(
                "<int:object_id>/print/<str:language>/",
                self.admin_site.admin_view(require_GET(self.print_view)),
                name="checklists_checklistversion_print",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {"print_languages": LANGUAGES, **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

    def print_view(self, request, object_id, language):
        if language not in LANGUAGES:
            raise Http404
        # Scoped like the version's page: another organization's version is a 404.
        version = self.get_object(request, object_id)
        if not self.has_view_permission(request, version):
            raise PermissionDenied
        response = HttpResponse(version_pdf(version, language), content_type="application/pdf")
        filename = f"{version.checklist.code}-v{version.number}-{language}.pdf"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
