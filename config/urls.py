from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from config import accounts
from config.health import healthz
from reports.views.dashboard import dashboard
from reports.views.district import district_dashboard

# The one admin site, with the login form that asks for a two-factor code once a user has an app.
admin.site.site_header = admin.site.site_title = _("Baqylau administration")
admin.site.login_form = accounts.AdminLoginForm

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="observe:stations", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/two-factor/", admin.site.admin_view(accounts.two_factor), name="admin_two_factor"),
    path("admin/dashboard/", admin.site.admin_view(dashboard), name="admin_dashboard"),
    path(
        "admin/dashboard/district/<int:district_id>/",
        admin.site.admin_view(district_dashboard),
        name="admin_dashboard_district",
    ),
    path("admin/reports/exports/", include("reports.admin_urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api_schema"), name="api_docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api_schema"), name="api_redoc"),
    path("api/v1/", include("api.urls")),
    path("observe/", include("reports.urls")),
]
