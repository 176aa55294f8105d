"""Reading messages and alerts: an observer's own, the counts a coordinator reads per message, the
open alerts of the admin's banner, and the per-district count partners may see."""

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q, QuerySet

from outreach.models import Alert, AlertStatus, Message, MessageDelivery
from people.models import Membership
from stations.models import District, Election


def deliveries_for_observer(user: AbstractBaseUser) -> QuerySet[MessageDelivery]:
    """The observer's copies of messages, newest first, each with its message."""
    return (
        MessageDelivery.objects.filter(membership__user=user)
        .select_related("message", "membership__organization")
        .order_by("-message__sent_at", "-message_id")
    )


def unread_count(user: AbstractBaseUser) -> int:
    return MessageDelivery.objects.filter(membership__user=user, read_at__isnull=True).count()


def messages_with_counts(messages: QuerySet[Message]) -> QuerySet[Message]:
    """Each message with how many it went to, how many phones fetched it, and how many read it."""
    return messages.annotate(
        recipients=Count("deliveries"),
        received=Count("deliveries", filter=Q(deliveries__received_at__isnull=False)),
        read=Count("deliveries", filter=Q(deliveries__read_at__isnull=False)),
    )


def unread_by(message: Message) -> QuerySet[Membership]:
    """The recipients who have not opened the message: whom to call."""
    return (
        Membership.objects.filter(
            message_deliveries__message=message, message_deliveries__read_at__isnull=True
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )


def alerts_for_observer(user: AbstractBaseUser) -> QuerySet[Alert]:
    return Alert.objects.filter(membership__user=user).order_by("-at")


def open_alerts(organization_ids) -> list[Alert]:
    """Open alerts of these organizations (None: all), newest first, in one query."""
    alerts = Alert.objects.filter(status=AlertStatus.OPEN)
    if organization_ids is not None:
        alerts = alerts.filter(organization_id__in=organization_ids)
    return list(alerts.select_related("membership__user", "station", "organization").order_by("-at")[:20])


def alert_counts_by_district(election: Election) -> QuerySet[District]:
    """Every district of the election with the alerts raised at its stations, all and still open,
    over every organization: one grouped query. A count is all partners may know of alerts."""
    return (
        District.objects.filter(election=election)
        .annotate(
            alerts=Count("stations__alerts"),
            open_alerts=Count("stations__alerts", filter=~Q(stations__alerts__status=AlertStatus.RESOLVED)),
        )
        .only("id", "number", "name")
    )
