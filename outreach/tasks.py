"""Sending alerts to the emergency contacts in the background. Each task takes ids and reloads; a
row is claimed before it is sent, and one already delivered is never sent again."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from outreach import delivery
from outreach.models import AlertDelivery

# Rows the beat hands out per minute; the rest wait for the next minute.
DUE_BATCH = 500
# A row younger than this is left to the task queued with it.
GRACE = timedelta(minutes=1)


@shared_task(acks_late=True)
def alert_deliver(delivery_id: int) -> None:
    delivery.delivery_send(delivery_id=delivery_id)


@shared_task(acks_late=True)
def alert_deliveries_due() -> None:
    """The safety net, every minute: what failed, or whose message was lost, is sent again."""
    due = AlertDelivery.objects.filter(
        delivered_at__isnull=True,
        attempts__lt=settings.ALERT_MAX_ATTEMPTS,
        alert__received_at__lt=timezone.now() - GRACE,
    ).order_by("pk")
    for delivery_id in due.values_list("pk", flat=True)[:DUE_BATCH]:
        alert_deliver.delay(delivery_id)
