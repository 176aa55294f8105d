from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Partner webhooks")

    def ready(self) -> None:
        from integrity.signals import district_bands_changed
        from reports.signals import report_verified
        from webhooks import receivers

        report_verified.connect(receivers.on_report_verified, dispatch_uid="webhooks.report_verified")
        district_bands_changed.connect(
            receivers.on_district_bands_changed, dispatch_uid="webhooks.district_bands_changed"
        )
