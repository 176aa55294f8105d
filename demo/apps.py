from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    name = "demo"
    verbose_name = _("Demo election")

    def ready(self) -> None:
        # Registers the deploy check that refuses demo credentials in production.
        from demo import checks  # noqa: F401
