"""Export endpoints for the admin, mounted at /admin/reports/exports/ in config/urls.py.

They take the incident report changelist's querystring; see reports/views/exports.py.
"""

from django.urls import path

from reports.views import exports

urlpatterns = [
    path("reports.csv", exports.export_csv, name="reports_export_csv"),
    path("photos/", exports.export_photos, name="reports_export_photos"),
    path("<uuid:job_id>/", exports.export_job, name="reports_export_job"),
    path("<uuid:job_id>/status.json", exports.export_status, name="reports_export_status"),
    path("<uuid:job_id>/download/", exports.export_download, name="reports_export_download"),
]
