"""Sending partners' webhooks in the background. Each task takes ids, reloads, and may run twice:
a delivery is claimed before it is sent, so a second run of the same message sends nothing."""

from celery import shared_task
from django.utils import timezone

from webhooks import services
from webhooks.models import WebhookDelivery

# Deliveries the beat hands out per minute; the rest wait for the next minute.
DUE_BATCH = 1000


@shared_task(acks_late=True)
def webhook_deliver(delivery_id: int) -> None:
    services.delivery_send(delivery_id=delivery_id)


@shared_task(acks_late=True)
def webhook_deliveries_due() -> None:
    """The safety net, every minute: send what is due, whatever message was lost or worker died."""
    due = WebhookDelivery.objects.due(timezone.now()).order_by("next_attempt_at", "pk")
    for delivery_id in due.values_list("pk", flat=True)[:DUE_BATCH]:
        webhook_deliver.delay(delivery_id)
