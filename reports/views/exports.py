"""Admin exports of the incident report list: a streamed CSV, and a ZIP of photos built in the background.

The CSV and the photo request take the report changelist's own querystring and rebuild exactly
the list the admin shows. They do so through the registered ModelAdmin (`admin.site._registry`):
its list filters, search and ordering apply here as they do on the changelist, so a change to
IncidentReportAdmin's filters changes the exports with it. On top of whatever the ModelAdmin
allows, every export is cut down to the user's own organizations.
"""

import csv
import logging
from functools import wraps

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpResponseRedirect, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core.errors import ApplicationError, NotFound
from core.storage import stored_file_response
from people.selectors import scoped_for_staff
from reports import exports, photo_exports
from reports.models import ExportJob, IncidentReport, ReportPhoto
from reports.models.exports import ExportStatus
from stations.models import Election

logger = logging.getLogger(__name__)

CSV_BATCH_ROWS = 500


def export_permission_required(view):
    """Anonymous users go to the admin login; signed-in users without the permission get 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not exports.can_export(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return never_cache(wrapped)


def changelist_reports(request) -> QuerySet[IncidentReport]:
    """The reports the admin changelist shows for this querystring, within the user's organizations.

    May raise IncorrectLookupParameters, as the changelist itself does for a broken querystring.
    """
    model_admin = admin.site._registry[IncidentReport]
    changelist = model_admin.get_changelist_instance(request)
    # Only where the user's role exports: a reviewer here who coordinates elsewhere exports nothing here.
    return scoped_for_staff(
        changelist.get_queryset(request), request.user, permission=exports.EXPORT_PERMISSION
    )


def back_to_changelist():
    return HttpResponseRedirect(reverse("admin:reports_incidentreport_changelist") + "?e=1")


class Echo:
    """A file-like object whose write hands the line back, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def csv_stream(rows):
    """CSV text in batches of rows, after a BOM so that Excel reads it as UTF-8."""
    writer = csv.writer(Echo())
    yield "\ufeff"
    batch = []
    for row in rows:
        batch.append(writer.writerow(row))
        if len(batch) >= CSV_BATCH_ROWS:
            yield "".join(batch)
            batch.clear()
    if batch:
        yield "".join(batch)


def export_filename(reports: QuerySet, extension: str) -> str:
    slugs = list(
        Election.objects.filter(Exists(reports.order_by().filter(election=OuterRef("pk"))))
        .order_by("slug")
        .values_list("slug", flat=True)[:2]
    )
    name = slugs[0] if len(slugs) == 1 else "reports"
    return f"{name}-{timezone.now():%Y%m%d-%H%M%S}.{extension}"


@require_GET
@export_permission_required
def export_csv(request):
    try:
        reports = changelist_reports(request)
    except IncorrectLookupParameters:
        return back_to_changelist()
    organizations = exports.identity_organization_ids(request.user)
    with_identity = organizations is None or bool(organizations)
    logger.info(
        "CSV export by user %s (identity: %s): %s", request.user.pk, with_identity, request.GET.urlencode()
    )
    rows = exports.reports_csv_rows(
        reports, with_identity=with_identity, identity_organizations=organizations
    )
    response = StreamingHttpResponse(csv_stream(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(reports, "csv")}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    # Tell a buffering proxy to pass rows on as they come rather than wait for the end.
    response["X-Accel-Buffering"] = "no"
    return response


@require_http_methods(["GET", "POST"])
@export_permission_required
def export_photos(request):
    """GET shows what the ZIP will hold; POST (same querystring) asks for it."""
    try:
        reports = changelist_reports(request)
    except IncorrectLookupParameters:
        return back_to_changelist()
    error = ""
    if request.method == "POST":
        report_ids = reports.values_list("pk", flat=True)[: photo_exports.MAX_ZIP_REPORTS + 1]
        try:
            job = photo_exports.export_photos_request(
                user=request.user, report_ids=list(report_ids), query=request.GET.urlencode()
            )
        except ApplicationError as exc:
            error = exc.message
        else:
            return redirect("reports_export_job", job_id=job.pk)
    context = {
        **admin.site.each_context(request),
        "title": _("Export the photos of these reports"),
        "opts": IncidentReport._meta,
        "report_count": reports.count(),
        "photo_count": ReportPhoto.objects.filter(report__in=reports).count(),
        "max_reports": photo_exports.MAX_ZIP_REPORTS,
        "query": request.GET.urlencode(),
        "error": error,
    }
    return render(request, "admin/reports/export_photos.html", context, status=400 if error else 200)


def _job_or_404(request, job_id) -> ExportJob:
    try:
        return photo_exports.export_job_get_for_user(user=request.user, job_id=job_id)
    except NotFound:
        raise Http404 from None


@require_GET
@export_permission_required
def export_job(request, job_id):
    job = _job_or_404(request, job_id)
    context = {
        **admin.site.each_context(request),
        "title": _("Photo export"),
        "opts": IncidentReport._meta,
        "job": job,
        "in_progress": job.status in (ExportStatus.QUEUED, ExportStatus.RUNNING),
    }
    return render(request, "admin/reports/export_job.html", context)


@require_GET
@export_permission_required
def export_status(request, job_id):
    job = _job_or_404(request, job_id)
    return JsonResponse(
        {
            "id": str(job.pk),
            "status": job.status,
            "done": job.progress_done,
            "total": job.progress_total,
            "percent": job.percent,
            "error": job.error,
            "expires_at": job.expires_at.isoformat(),
            "download": reverse("reports_export_download", args=[job.pk]) if job.downloadable else None,
        }
    )


@require_GET
@export_permission_required
def export_download(request, job_id):
    job = _job_or_404(request, job_id)
    if not job.downloadable:
        raise Http404
    filename = f"photos-{job.created_at:%Y%m%d-%H%M%S}.zip"
    response = stored_file_response(
        job.file, as_attachment=True, filename=filename, content_type="application/zip"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
