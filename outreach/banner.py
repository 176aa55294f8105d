"""Who sees which open alerts at the top of the admin's pages (config/templates/admin/base_site.html
loads them from AlertAdmin's "open" view with outreach/static/outreach/open_alerts.js)."""

from outreach.models import Alert, AlertStatus
from people.models import Role

SHOWN = 10


def open_alerts_for(user) -> list[Alert]:
    """The open alerts of the organizations where `user` reviews or coordinates, newest first, one
    more than are shown (to say there are more), in one query."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return []
    alerts = Alert.objects.filter(status=AlertStatus.OPEN)
    if not user.is_superuser:
        # One membership per user and organization: the join repeats no alert.
        alerts = alerts.filter(
            organization__memberships__user=user,
            organization__memberships__role__in=[Role.REVIEWER, Role.COORDINATOR],
        )
    return list(alerts.select_related("membership__user", "station").order_by("-at")[: SHOWN + 1])
