from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RosterConfig(AppConfig):
    name = "roster"
    verbose_name = _("Roster")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from people.local_time import remember_zones

        # The staff who run the day see local time (people/local_time.py): what decides their
        # zone is read at sign-in, so that no admin page pays a query for it.
        user_logged_in.connect(remember_zones, dispatch_uid="people.local_time.remember_zones")
