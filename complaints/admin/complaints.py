"""Complaints in the admin: drafted from the selected verified reports, the text edited while a
draft, then filed, answered, appealed or closed through one form each, every step by its service.
A complaint of another organization answers 404, as a missing one does."""

import uuid
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from complaints.admin.forms import AnswerForm, AppealForm, ConfirmForm, DraftForm, FileForm
from complaints.models import Complaint, ComplaintEvent, ComplaintPack, PackStatus, Status
from complaints.packs import complaint_pack_request
from complaints.services import (
    complaint_appeal,
    complaint_close,
    complaint_draft,
    complaint_edit_text,
    complaint_file,
    complaint_record_answer,
)
from core.errors import ApplicationError
from core.storage import stored_file_response
from people.admin.mixins import OrganizationFilter, OrganizationScopedAdmin, permitted_organization_ids
from reports.models import IncidentReport, ReportStatus

DRAFT = "complaints.add_complaint"
FILE = "complaints.file_complaint"
CHANGE = "complaints.change_complaint"
MAX_DRAFT_REPORTS = 50


def _request_document(complaint: Complaint, by) -> Complaint:
    complaint_pack_request(complaint=complaint, by=by)
    return complaint


# Each step: its form, its service, the permission the user's role must grant in the complaint's
# organization, and the statuses it applies to (for the links on the complaint's page).
STEPS = {
    "file": (
        FileForm,
        lambda complaint, by, data: complaint_file(complaint=complaint, by=by, **data),
        FILE,
        (Status.DRAFT,),
        gettext_lazy("File with the commission"),
    ),
    "answer": (
        AnswerForm,
        lambda complaint, by, data: complaint_record_answer(complaint=complaint, by=by, **data),
        FILE,
        (Status.FILED,),
        gettext_lazy("Record the answer"),
    ),
    "appeal": (
        AppealForm,
        lambda complaint, by, data: complaint_appeal(complaint=complaint, by=by, **data),
        FILE,
        (Status.FILED, Status.ANSWERED),
        gettext_lazy("Appeal to the next commission"),
    ),
    "close": (
        ConfirmForm,
        lambda complaint, by, data: complaint_close(complaint=complaint, by=by),
        FILE,
        (Status.DRAFT, Status.FILED, Status.ANSWERED),
        gettext_lazy("Close"),
    ),
    "document": (
        ConfirmForm,
        lambda complaint, by, data: _request_document(complaint, by),
        CHANGE,
        tuple(Status.values),
        gettext_lazy("Make the PDF and evidence pack"),
    ),
}


def report_ids(text: str) -> list[uuid.UUID]:
    """The report ids of `?reports=<id>,…`; anything that is not an id is ignored."""
    ids = []
    for part in text.split(",")[:MAX_DRAFT_REPORTS]:
        try:
            ids.append(uuid.UUID(part.strip()))
        except ValueError:
            continue
    return ids


class OverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("answer overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", gettext_lazy("Overdue"))]

    def queryset(self, request, queryset):
        return queryset.overdue() if self.value() == "yes" else queryset


class ComplaintEventInline(admin.TabularInline):
    model = ComplaintEvent
    fields = ["at", "action", "actor", "data"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ComplaintPackInline(admin.TabularInline):
    model = ComplaintPack
    fields = ["created_at", "status", "progress", "manifest_sha256", "files"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("progress"))
    def progress(self, pack):
        return f"{pack.progress_done}/{pack.progress_total}"

    @admin.display(description=gettext_lazy("files"))
    def files(self, pack):
        if pack.status != PackStatus.DONE:
            return pack.error or "—"
        link = "admin:complaints_complaint_download"
        return format_html(
            '<a href="{}">PDF</a> · <a href="{}">ZIP</a>',
            reverse(link, args=[pack.complaint_id, pack.pk, "pdf"]),
            reverse(link, args=[pack.complaint_id, pack.pk, "zip"]),
        )


@admin.register(Complaint)
class ComplaintAdmin(OrganizationScopedAdmin):
    list_display = [
        "__str__",
        "organization",
        "language",
        "status",
        "outcome",
        "filed_at",
        "deadline_at",
        "overdue",
    ]
    list_filter = [
        ("organization", OrganizationFilter),
        OverdueFilter,
        "status",
        "outcome",
        "addressee_kind",
        "election",
    ]
    search_fields = ["=station__number", "incoming_number", "addressee_name"]
    inlines = [ComplaintPackInline, ComplaintEventInline]
    change_form_template = "admin/complaints/complaint/change_form.html"
    fields = [
        *("organization", "election", "station", "district", "addressee_kind", "addressee_name", "language"),
        *("reports", "complainant_name", "text", "status", "created_by", "created_at", "appeal_of"),
        *("filed_at", "filed_how", "filed_to", "incoming_number", "stamped_copy", "deadline_at"),
        *("answer_at", "answer_text", "answer_scan", "outcome"),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).for_list()

    def get_readonly_fields(self, request, obj=None):
        # Only a draft's text is edited here, by its service; every other field changes through a step.
        editable = obj is not None and obj.status == Status.DRAFT and self.has_change_permission(request, obj)
        return [field for field in self.fields if not (editable and field == "text")]

    @admin.display(description=gettext_lazy("overdue"), boolean=True)
    def overdue(self, complaint):
        return complaint.is_overdue

    def save_model(self, request, obj, form, change):
        if "text" in form.changed_data:
            try:
                complaint_edit_text(complaint=obj, text=form.cleaned_data["text"], by=request.user)
            except ApplicationError as error:
                messages.error(request, error.message)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/step/<str:step>/", view(self.step_view), name="complaints_complaint_step"),
            path(
                "<path:object_id>/documents/<uuid:pack_id>/<str:kind>/",
                view(self.download_view),
                name="complaints_complaint_download",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        complaint = self.get_object(request, unquote(object_id))
        steps = [
            (name, label, reverse("admin:complaints_complaint_step", args=[complaint.pk, name]))
            for name, (_form, _service, permission, statuses, label) in STEPS.items()
            if complaint.status in statuses and self.role_permits(request, permission, complaint)
        ]
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "steps": steps})

    def add_view(self, request, form_url="", extra_context=None):
        """Drafting: the reports come from the incident report list's action, as `?reports=<id>,…`."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        ids = report_ids(request.POST.get("ids") or request.GET.get("reports", ""))
        reports = self.draftable_reports(request).filter(pk__in=ids)
        form = DraftForm(request.POST if request.method == "POST" else None, reports=reports)
        if request.method == "POST" and form.is_valid():
            try:
                complaint = complaint_draft(by=request.user, **form.cleaned_data)
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("The complaint was drafted; check its text before filing it."))
                return redirect("admin:complaints_complaint_change", complaint.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Draft a complaint"),
            "form": form,
            "ids": ",".join(str(pk) for pk in reports.values_list("pk", flat=True)),
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/complaints/complaint/draft.html", context)

    def draftable_reports(self, request):
        """Verified reports of the organizations where the user's role may draft complaints."""
        reports = IncidentReport.objects.filter(status=ReportStatus.VERIFIED).select_related("station")
        ids = permitted_organization_ids(request, DRAFT)
        return reports if ids is None else reports.filter(organization_id__in=ids)

    def step_view(self, request, object_id, step):
        complaint = self.get_object(request, unquote(object_id))
        if step not in STEPS:
            raise Http404
        form_class, service, permission, _statuses, label = STEPS[step]
        if not self.role_permits(request, permission, complaint):
            raise PermissionDenied
        posted = request.method == "POST"
        form = form_class(
            request.POST if posted else None,
            request.FILES if posted else None,
            initial=self.step_initial(complaint, step),
        )
        if posted and form.is_valid():
            try:
                result = service(complaint, request.user, form.cleaned_data)
            except ApplicationError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("Done: %(step)s.") % {"step": label})
                return redirect("admin:complaints_complaint_change", result.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": complaint,
            "title": label,
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/complaints/complaint/step.html", context)

    def step_initial(self, complaint, step) -> dict:
        if step == "file":
            return {"filed_to": complaint.addressee_name}
        if step == "appeal":
            return {"language": complaint.language}
        return {}

    def download_view(self, request, object_id, pack_id, kind):
        complaint = self.get_object(request, unquote(object_id))
        if not self.has_view_permission(request, complaint) or kind not in ("pdf", "zip"):
            raise Http404
        pack = complaint.packs.filter(pk=pack_id, status=PackStatus.DONE).first()
        if pack is None:
            raise Http404
        stored = pack.pdf if kind == "pdf" else pack.archive
        content_type = "application/pdf" if kind == "pdf" else "application/zip"
        name = f"complaint-{complaint.pk}.{kind}"
        return stored_file_response(stored, content_type=content_type, as_attachment=True, filename=name)


@admin.action(
    description=gettext_lazy("Draft a complaint from the selected reports"), permissions=["draft_complaint"]
)
def draft_complaint(modeladmin, request, queryset):
    ids = list(
        queryset.filter(status=ReportStatus.VERIFIED).values_list("pk", flat=True)[: MAX_DRAFT_REPORTS + 1]
    )
    if not ids:
        messages.error(
            request, _("A complaint rests on verified reports: none of the selected reports is verified.")
        )
        return None
    if len(ids) > MAX_DRAFT_REPORTS:
        messages.error(request, _("A complaint takes at most %(max)d reports.") % {"max": MAX_DRAFT_REPORTS})
        return None
    query = urlencode({"reports": ",".join(str(pk) for pk in ids)})
    return redirect(f"{reverse('admin:complaints_complaint_add')}?{query}")


def add_draft_action_to_reports() -> None:
    """Offer the action on the incident report list (reports/ sits below complaints/ and cannot
    import it, so complaints/ adds its action to the list's admin)."""
    report_admin = admin.site.get_model_admin(IncidentReport)
    if draft_complaint not in report_admin.actions:
        report_admin.actions = [*report_admin.actions, draft_complaint]
    report_admin.has_draft_complaint_permission = lambda request: request.user.has_perm(DRAFT)
