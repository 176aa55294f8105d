"""Contests, their choices and the official results in the admin.

Shared election data: only election administrators (people.roles) define contests or import
official results; reviewers and coordinators read them.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from counts.importers import RESULT_COLUMNS
from counts.models import Choice, Contest, OfficialResult, ResultBatch
from counts.results import results_import
from stations.forms import CsvUploadForm
from stations.importers import CsvImportError

ERRORS_SHOWN = 500


class ResultsImportForm(CsvUploadForm):
    file = forms.FileField(
        label=gettext_lazy("Official results (CSV, UTF-8)"),
        help_text=gettext_lazy("Columns: %(columns)s, then one column per party or candidate code.")
        % {"columns": ", ".join(RESULT_COLUMNS)},
    )


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 1
    fields = ["position", "code", "name", "district"]
    autocomplete_fields = ["district"]


@admin.register(Contest)
class ContestAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "election", "kind", "choice_count", "results"]
    list_filter = ["election", "kind"]
    search_fields = ["code", "name"]
    inlines = [ChoiceInline]
    change_form_template = "admin/counts/contest/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("election")

    @admin.display(description=gettext_lazy("choices"))
    def choice_count(self, contest):
        return contest.choices.count()

    @admin.display(description=gettext_lazy("official results"))
    def results(self, contest):
        batch = contest.result_batches.filter(current=True).first()
        if batch is None:
            return "—"
        return format_html("{} ({})", batch.filename, batch.rows)

    def get_urls(self):
        extra = [
            path(
                "<int:contest_id>/import-results/",
                self.admin_site.admin_view(self.import_results_view),
                name="counts_contest_import_results",
            ),
        ]
        return extra + super().get_urls()

    def has_import_results_permission(self, request) -> bool:
        return request.user.has_perm("counts.add_resultbatch")

    def import_results_view(self, request, contest_id: int):
        if not self.has_import_results_permission(request):
            raise PermissionDenied
        contest = get_object_or_404(self.get_queryset(request), pk=contest_id)
        form = ResultsImportForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = results_import(
                    contest=contest, data=upload.read(), filename=upload.name, by=request.user
                )
            except CsvImportError as exc:
                errors = exc.errors
            else:
                messages.success(
                    request,
                    _("Official results of %(rows)d stations imported for %(contest)s.")
                    % {"rows": batch.rows, "contest": contest.name},
                )
                return redirect(reverse("admin:counts_contest_change", args=[contest.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import official results for %(contest)s") % {"contest": contest.name},
            "contest": contest,
            "form": form,
            "errors": errors[:ERRORS_SHOWN],
            "errors_total": len(errors),
            "errors_hidden": max(0, len(errors) - ERRORS_SHOWN),
            "batches": contest.result_batches.select_related("imported_by")[:10],
            "choices": contest.choices.select_related("district"),
        }
        # A refused file (a loaded one was redirected) answers 400, as the observer pages' forms do.
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(request, "admin/counts/contest/import_results.html", context, status=status)


@admin.register(ResultBatch)
class ResultBatchAdmin(admin.ModelAdmin):
    """The history of imported results files; changed only by importing a new file."""

    list_display = ["contest", "filename", "rows", "current", "imported_at", "imported_by", "replaced_at"]
    list_filter = ["contest__election", "contest", "current"]
    list_select_related = ["contest", "imported_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OfficialResult)
class OfficialResultAdmin(admin.ModelAdmin):
    list_display = [
        "station",
        "contest",
        "registered",
        "ballots_issued",
        "ballots_in_boxes",
        "invalid",
        "valid",
    ]
    list_filter = ["contest__election", "contest", "batch__current", "station__district"]
    search_fields = ["=station__number"]
    search_help_text = gettext_lazy("A station number.")
    list_select_related = ["station", "contest"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
