"""The review page of one incident report: what a reviewer weighs, and the panel to act on it.

Every field is read-only. The panel's forms post to a separate URL that calls one review service
each, with the version of the report the page showed: a decision based on an outdated page is
refused with the service's message and nothing changes.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError, NotFound
from people.selectors import scoped_for_staff
from reports.admin.forms import ReviewForm
from reports.models import IncidentReport, ReportPhoto
from reports.services import (
    report_ask,
    report_claim,
    report_redact,
    report_reject,
    report_release,
    report_reopen,
    report_set_severity,
    report_verify,
)
from reports.services.review import REVIEWABLE, REVIEWED
from reports.taxonomy import Severity

STEPS = {
    "claim": lambda report, by, data: report_claim(report=report, by=by),
    "release": lambda report, by, data: report_release(report=report, by=by),
    "verify": lambda report, by, data: report_verify(
        report=report, by=by, note=data["note"], expected_version=data["version"]
    ),
    "reject": lambda report, by, data: report_reject(
        report=report, by=by, reason=data["note"], expected_version=data["version"]
    ),
    "ask": lambda report, by, data: report_ask(
        report=report, by=by, question=data["note"], expected_version=data["version"]
    ),
    "severity": lambda report, by, data: report_set_severity(
        report=report, by=by, severity=data["severity"], reason=data["note"], expected_version=data["version"]
    ),
    "reopen": lambda report, by, data: report_reopen(
        report=report, by=by, reason=data["note"], expected_version=data["version"]
    ),
    "redact": lambda report, by, data: report_redact(
        report=report, by=by, text=data["text"], expected_version=data["version"]
    ),
}
DONE = {
    "claim": gettext_lazy("You are reviewing this report now; others see that it is taken."),
    "release": gettext_lazy("The report is released for another reviewer."),
    "verify": gettext_lazy("The report is verified."),
    "reject": gettext_lazy("The report is rejected."),
    "ask": gettext_lazy("The question is sent to the observer; the report waits for the answer."),
    "severity": gettext_lazy("The severity is changed."),
    "reopen": gettext_lazy("The report is back in the review queue."),
    "redact": gettext_lazy("The description partners see is saved; the original stays for staff."),
}
# After these the reviewer is done with the report for now: back to the list, not to a page
# whose opening would take the report again.
BACK_TO_LIST = ("release", "ask")


@dataclass
class PhotoRow:
    photo: ReportPhoto
    duplicate_of: list[IncidentReport] = field(default_factory=list)
    matches_elsewhere: bool = False


def claim_if_free(report: IncidentReport, by) -> IncidentReport:
    """Take a reviewable report that nobody holds, so that no one else works it unknowingly."""
    held = report.claimed_by_id is not None and report.claimed_until > timezone.now()
    if report.status not in REVIEWABLE or held:
        return report
    try:
        return report_claim(report=report, by=by)
    except ApplicationError:
        return report  # another reviewer took it a moment ago; the page shows who


def photo_evidence(report: IncidentReport, user) -> tuple[list[PhotoRow], list[IncidentReport], bool]:
    """The report's photos with the other reports holding the same bytes.

    Only reports the user may see are named; for the others the page says that a match exists.
    Returns (photo rows, visible duplicate reports, whether a match lies outside the user's reach).
    """
    photos = list(report.photos.order_by("received_at"))
    matches = defaultdict(set)
    for sha256, report_id in (
        ReportPhoto.objects.filter(sha256__in={photo.sha256 for photo in photos})
        .exclude(report_id=report.pk)
        .values_list("sha256", "report_id")
    ):
        matches[sha256].add(report_id)
    matched_ids = set().union(*matches.values())
    visible = {
        other.pk: other
        for other in scoped_for_staff(IncidentReport.objects.filter(pk__in=matched_ids), user)
        .select_related("station", "observer")
        .order_by("occurred_at")
    }
    rows = [
        PhotoRow(
            photo,
            duplicate_of=[visible[pk] for pk in visible if pk in matches[photo.sha256]],
            matches_elsewhere=any(pk not in visible for pk in matches[photo.sha256]),
        )
        for photo in photos
    ]
    return rows, list(visible.values()), bool(matched_ids - visible.keys())


class ReviewPageMixin:
    """The change page of IncidentReportAdmin and the URL its review panel posts to."""

    change_form_template = "admin/reports/incidentreport/change_form.html"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "status",
                    "claim",
                    "evidence_level",
                    "category",
                    "severity",
                    "phase",
                    "occurred_at",
                    "received_at",
                    "reviewed_at",
                    "version",
                ]
            },
        ),
        (gettext_lazy("Place"), {"fields": ["election", "station_text", "station_address", "position"]}),
        (gettext_lazy("Report"), {"fields": ["observer_name", "organization", "description", "question"]}),
    ]
    readonly_fields = [name for _title, options in fieldsets for name in options["fields"]]

    def get_urls(self):
        review = path(
            "<path:object_id>/review/",
            self.admin_site.admin_view(self.review_view),
            name="reports_incidentreport_review",
        )
        return [review, *super().get_urls()]

    @admin.display(description=gettext_lazy("claim"))
    def claim(self, report):
        if report.claimed_by_id is None or report.claimed_until <= timezone.now():
            return _("nobody is reviewing it")
        return _("%(user)s is reviewing it until %(time)s") % {
            "user": report.claimed_by.get_username(),
            "time": date_format(timezone.localtime(report.claimed_until), "TIME_FORMAT"),
        }

    @admin.display(description=gettext_lazy("station"))
    def station_text(self, report):
        return str(report.station)

    @admin.display(description=gettext_lazy("address"))
    def station_address(self, report):
        return report.station.address or "—"

    @admin.display(description=gettext_lazy("position"))
    def position(self, report):
        # Numbers only: no map link, so the observer's position never reaches a third-party server.
        if report.latitude is None:
            return _("not sent")
        text = f"{report.latitude}, {report.longitude}"
        if report.accuracy_m is not None:
            text += " " + _("(± %(metres)d m)") % {"metres": report.accuracy_m}
        return text

    @admin.display(description=gettext_lazy("observer"))
    def observer_name(self, report):
        return report.observer.get_username()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        report = self.get_object(request, unquote(object_id))
        if not self.has_view_permission(request, report):
            raise PermissionDenied
        if request.method == "GET" and self.has_review_permission(request, report):
            report = claim_if_free(report, request.user)
        context = {**(extra_context or {}), **self.review_context(request, report)}
        return super().change_view(request, object_id, form_url, context)

    def review_context(self, request, report: IncidentReport) -> dict:
        photos, duplicates, matches_elsewhere = photo_evidence(report, request.user)
        held = report.claimed_by_id is not None and report.claimed_until > timezone.now()
        corroborating = scoped_for_staff(IncidentReport.objects.corroborating(report), request.user)
        return {
            "can_review": self.has_review_permission(request, report),
            "can_reopen": self.has_reopen_permission(request, report) and report.status in REVIEWED,
            "reviewable": report.status in REVIEWABLE,
            "claim_held_by_me": held and report.claimed_by_id == request.user.pk,
            "claim_held_by_other": held and report.claimed_by_id != request.user.pk,
            "claim_text": self.claim(report),
            "version": report.version,
            "severities": Severity.choices,
            "current_severity": report.severity,
            "photo_rows": photos,
            "duplicates": duplicates,
            "matches_elsewhere": matches_elsewhere,
            "corroborating": corroborating.select_related("station", "observer").order_by("occurred_at"),
            "events": report.events.select_related("actor"),
        }

    def review_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        report = self.get_object(request, unquote(object_id))
        if not (self.has_view_permission(request, report) and self.has_review_permission(request, report)):
            raise PermissionDenied
        change_url = reverse("admin:reports_incidentreport_change", args=[report.pk])
        form = ReviewForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return redirect(change_url)
        step = form.cleaned_data["step"]
        if step == "reopen" and not self.has_reopen_permission(request, report):
            raise PermissionDenied
        try:
            STEPS[step](report, request.user, form.cleaned_data)
        except NotFound:
            raise Http404 from None
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect(change_url)
        messages.success(request, DONE[step])
        if step in BACK_TO_LIST:
            return redirect("admin:reports_incidentreport_changelist")
        return redirect(change_url)
