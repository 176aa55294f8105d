"""The coordinators' review list of incident reports: filters, thumbnails, bulk verify and reject.

The change page with the review panel is in reports/admin/review.py.
"""

from zoneinfo import ZoneInfo

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.db.models import Exists, OuterRef, Prefetch
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.errors import ApplicationError
from people.admin.mixins import OrganizationFilter, OrganizationScopedAdmin
from reports.admin.forms import RejectSelectedForm
from reports.admin.paging import (
    EXACT_COUNT_UP_TO,
    EstimatedCountPaginator,
    facets_affordable,
    report_list_queryset,
    search_reports,
)
from reports.admin.review import ReviewPageMixin
from reports.exports import can_export
from reports.models import Evidence, IncidentReport, ReportPhoto
from reports.services import report_reject, report_verify

FAILURES_SHOWN = 20
REVIEW = "reports.review_incidentreport"
REOPEN = "reports.reopen_incidentreport"


class HasPhotosFilter(admin.SimpleListFilter):
    title = gettext_lazy("photos")
    parameter_name = "has_photos"

    def lookups(self, request, model_admin):
        return [("yes", gettext_lazy("With photos")), ("no", gettext_lazy("Without photos"))]

    def queryset(self, request, queryset):
        has_photos = Exists(ReportPhoto.objects.filter(report_id=OuterRef("pk")))
        if self.value() == "yes":
            return queryset.filter(has_photos)
        if self.value() == "no":
            return queryset.filter(~has_photos)
        return queryset


class ReportChangeList(ChangeList):
    def get_results(self, request):
        super().get_results(request)
        if self.add_facets and not facets_affordable(self.root_queryset):
            # Each count reads every report in scope: on election night that is seconds per filter.
            self.add_facets = False
            messages.info(
                request,
                _("Counts are shown only while there are at most %(count)s reports.")
                % {"count": number_format(EXACT_COUNT_UP_TO, force_grouping=True)},
            )
        # The page's thumbnails in one query, whatever the page size.
        self.result_list = self.result_list.prefetch_related(
            Prefetch("photos", queryset=ReportPhoto.objects.only("id", "report_id").order_by("received_at"))
        )


def age_text(delta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return _("%(minutes)d min") % {"minutes": minutes}
    if minutes < 48 * 60:
        return _("%(hours)d h") % {"hours": minutes // 60}
    return _("%(days)d d") % {"days": minutes // (24 * 60)}


@admin.register(IncidentReport)
class IncidentReportAdmin(ReviewPageMixin, OrganizationScopedAdmin):
    list_display = [
        "station_number",
        "district",
        "category",
        "severity_short",
        "phase",
        "status",
        "evidence_level",
        "thumbnails",
        "age",
        "corroboration_count",
        "duplicate_count",
    ]
    list_filter = [
        "election",
        "station__region",
        "station__district",
        "category",
        "severity",
        "status",
        "phase",
        ("organization", OrganizationFilter),
        HasPhotosFilter,
    ]
    date_hierarchy = "occurred_at"
    search_fields = ["=station__number", "description"]
    search_help_text = gettext_lazy("A station number, or words of the description.")
    ordering = ["-occurred_at"]
    list_select_related = ["station", "station__district", "organization"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    actions = ["verify_selected", "reject_selected"]

    def get_queryset(self, request):
        return report_list_queryset(super().get_queryset(request).with_evidence().with_duplicate_photos())

    def get_search_results(self, request, queryset, search_term):
        return search_reports(queryset, search_term), False

    def get_changelist(self, request, **kwargs):
        return ReportChangeList

    def changelist_view(self, request, extra_context=None):
        # The export links only for a user whose role allows exports in one of their organizations.
        context = {**(extra_context or {}), "can_export": can_export(request.user)}
        return super().changelist_view(request, extra_context=context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # read-only: every change goes through the review services

    def has_delete_permission(self, request, obj=None):
        return False

    # Per report, the role held in its organization decides: a reviewer there who coordinates
    # elsewhere reviews it but does not reopen it.
    def has_review_permission(self, request, obj=None) -> bool:
        return self.role_permits(request, REVIEW, obj)

    def has_reopen_permission(self, request, obj=None) -> bool:
        return self.role_permits(request, REOPEN, obj)

    @admin.display(description=gettext_lazy("station"), ordering="station__number")
    def station_number(self, report):
        return report.station.number

    @admin.display(description=gettext_lazy("district"), ordering="station__district__number")
    def district(self, report):
        return report.station.district

    @admin.display(description=gettext_lazy("severity"), ordering="severity")
    def severity_short(self, report):
        return format_html('<span title="{}">S{}</span>', report.get_severity_display(), report.severity)

    @admin.display(description=gettext_lazy("evidence"), ordering="evidence")
    def evidence_level(self, report):
        return Evidence(report.evidence).label

    @admin.display(description=gettext_lazy("photos"))
    def thumbnails(self, report):
        return format_html_join(
            "",
            '<img src="{}" alt="{}" loading="lazy" height="40" class="report-thumbnail"> ',
            (
                (reverse("observe:photo_thumbnail", args=[photo.pk]), _("photo"))
                for photo in report.photos.all()
            ),
        )

    @admin.display(description=gettext_lazy("age"), ordering="-occurred_at")
    def age(self, report):
        return format_html(
            '<time datetime="{}">{}</time>',
            report.occurred_at.isoformat(),
            age_text(timezone.now() - report.occurred_at),
        )

    @admin.display(description=gettext_lazy("corroborations"), ordering="corroborations")
    def corroboration_count(self, report):
        return report.corroborations

    @admin.display(description=gettext_lazy("duplicate photos"), ordering="duplicate_photos")
    def duplicate_count(self, report):
        return report.duplicate_photos or ""

    # --- Bulk review ----------------------------------------------------------------------------

    @admin.action(description=gettext_lazy("Verify selected reports"), permissions=["review"])
    def verify_selected(self, request, queryset):
        self._review_each(
            request,
            queryset,
            lambda report: report_verify(report=report, by=request.user),
            lambda count: ngettext("%d report verified.", "%d reports verified.", count) % count,
        )

    @admin.action(description=gettext_lazy("Reject selected reports (with a reason)"), permissions=["review"])
    def reject_selected(self, request, queryset):
        form = RejectSelectedForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            self._review_each(
                request,
                queryset,
                lambda report: report_reject(report=report, by=request.user, reason=reason),
                lambda count: ngettext("%d report rejected.", "%d reports rejected.", count) % count,
            )
            return None  # back to the list
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reject reports"),
            "opts": self.opts,
            "reports": queryset.select_related("station"),
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/reports/incidentreport/reject_selected.html", context)

    def _review_each(self, request, queryset, step, done) -> None:
        """Apply one service step to each report; say which succeeded and why the others did not."""
        succeeded, failures = 0, []
        queryset = self.permitted_rows(request, queryset, REVIEW)
        for report in queryset.select_related("station", "election").order_by("occurred_at"):
            try:
                step(report)
            except ApplicationError as exc:
                at = report.occurred_at.astimezone(ZoneInfo(report.election.timezone))
                failures.append(f"{report} ({at:%H:%M}): {exc.message}")
            else:
                succeeded += 1
        if succeeded:
            self.message_user(request, done(succeeded), messages.SUCCESS)
        for failure in failures[:FAILURES_SHOWN]:
            self.message_user(request, failure, messages.ERROR)
        if len(failures) > FAILURES_SHOWN:
            hidden = len(failures) - FAILURES_SHOWN
            self.message_user(request, _("…and %(count)d more refused.") % {"count": hidden}, messages.ERROR)
