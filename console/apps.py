from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    name = "console"
    verbose_name = _("Coordinator console")

    def ready(self) -> None:
        from django.contrib import admin

        # The admin's start page leads coordinators to their dashboard.
        admin.site.index_template = "console/index.html"
