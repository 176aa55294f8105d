from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Observation reports")

    def ready(self) -> None:
        from django.contrib import admin

        from reports.roles import ensure_groups

        # The admin's start page leads coordinators to their dashboard.
        admin.site.index_template = "admin/reports/index.html"

        # After every migrate, so that new permissions reach the staff groups in every deployment.
        post_migrate.connect(ensure_groups, sender=self, dispatch_uid="reports.ensure_groups")
