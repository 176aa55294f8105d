from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from api import urls as observer_api
from config.health import healthz, livez, readyz
from config.metrics_state import metrics
from console.views.dashboard import dashboard
from console.views.district import district_dashboard
from core.api_errors import NotFoundView
from people import accounts, local_time
from webhooks import urls as webhook_urls

# The one admin site, with the login form that asks for a two-factor code once a user has an app.
admin.site.site_header = admin.site.site_title = _("Baqylau administration")
admin.site.login_form = accounts.AdminLoginForm

# Everything under /api/v1/ shares the namespace "api": the observers' routes, the partners', the
# webhooks', and for any other address a 404 in the API's error shape.
api_v1 = [
    *observer_api.urlpatterns,
    path("", include("partners.urls")),
    *webhook_urls.urlpatterns,
    re_path(r"", NotFoundView.as_view(), name="not_found"),
]

# Organizations and their people moved from the reports app to people: old admin bookmarks still
# lead there.
MOVED_ADMIN = {"people": "organization|membership|assignment|observertoken"}

# A database that does not answer gets 503 with Retry-After, not a 500 (core/unavailable.py).
handler500 = "core.unavailable.server_error"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="observe:stations", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("livez", livez, name="livez"),
    path("metrics", metrics, name="metrics"),  # Prometheus; 404 unless allowed (config/scrape_access.py)
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/two-factor/", admin.site.admin_view(accounts.two_factor), name="admin_two_factor"),
    path("admin/time-zone/", admin.site.admin_view(local_time.time_zone_page), name="admin_time_zone"),
    path("admin/dashboard/", admin.site.admin_view(dashboard), name="admin_dashboard"),
    path(
        "admin/dashboard/district/<int:district_id>/",
        admin.site.admin_view(district_dashboard),
        name="admin_dashboard_district",
    ),
    path("admin/dashboard/", include("console.urls")),
    path("admin/reports/exports/", include("reports.admin_urls")),
    *[
        re_path(
            rf"^admin/reports/(?P<model>{models})/(?P<rest>.*)$",
            RedirectView.as_view(url=f"/admin/{app}/%(model)s/%(rest)s", query_string=True),
        )
        for app, models in MOVED_ADMIN.items()
    ],
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api_schema"), name="api_redoc"),
    path("api/v1/", include((api_v1, "api"))),
    path("observe/", include("api.pages.urls")),
]
