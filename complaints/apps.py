from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from complaints.forgetting import forget_in_complaints
        from core.signals import observers_forgotten

        observers_forgotten.connect(forget_in_complaints, dispatch_uid="complaints.observers_forgotten")
