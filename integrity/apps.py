from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "integrity"
    verbose_name = _("Integrity scores")

    def ready(self) -> None:
        from core.signals import evidence_changed
        from integrity.receivers import on_evidence_changed

        evidence_changed.connect(on_evidence_changed, dispatch_uid="integrity.evidence_changed")
