"""Partners' webhook endpoints and the outbox of deliveries to them.

An event becomes one `WebhookDelivery` row per endpoint that may receive it, with its payload built
at that moment. The row is the outbox: a task sends it, a retry or the beat sends it again while it
is pending, and it is never sent once delivered. The same event is never queued twice for one
endpoint: its id is derived from what happened, and (endpoint, event id) is unique.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import Partner, Scope


class Event(models.TextChoices):
    INCIDENT_VERIFIED = "incident.verified", _("An incident was verified")
    DISTRICT_BAND_CHANGED = "district.band_changed", _("A district's band changed")


# The scope a partner must hold, in a usable key, to receive each event.
EVENT_SCOPES = {
    Event.INCIDENT_VERIFIED: Scope.INCIDENTS_READ,
    Event.DISTRICT_BAND_CHANGED: Scope.SCORES_READ,
}


class WebhookEndpointQuerySet(models.QuerySet):
    def active(self) -> "WebhookEndpointQuerySet":
        return self.filter(active=True)


class WebhookEndpoint(models.Model):
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="webhook_endpoints", verbose_name=_("partner")
    )
    url = models.URLField(_("URL"), max_length=2000)
    # Kept in clear because every delivery is signed with it; shown to the partner once, at creation.
    secret = models.CharField(max_length=80, editable=False)
    events = models.JSONField(_("events"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("failed attempts in a row"), default=0)

    objects = WebhookEndpointQuerySet.as_manager()

    class Meta:
        ordering = ["partner__name", "created_at", "id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        constraints = [
            models.CheckConstraint(
                condition=Q(active=True, disabled_at__isnull=True)
                | Q(active=False, disabled_at__isnull=False),
                name="webhook_endpoint_disabled_iff_inactive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner}: {self.url}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")


class WebhookDeliveryQuerySet(models.QuerySet):
    def due(self, now=None) -> "WebhookDeliveryQuerySet":
        """Pending, due, and not being sent by a worker right now (or that worker's lease expired)."""
        now = now or timezone.now()
        return self.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now).filter(
            Q(leased_until__isnull=True) | Q(leased_until__lte=now)
        )


class WebhookDelivery(models.Model):
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    event_id = models.UUIDField(_("event id"), default=uuid.uuid4)
    event_type = models.CharField(_("event"), max_length=32, choices=Event.choices)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    # Set by the worker that claimed the row: no other worker sends it until then.
    leased_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_delivery_once_per_event"),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="webhook_delivery_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(event_type__in=Event.values), name="webhook_delivery_event_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=DeliveryStatus.DELIVERED) | Q(delivered_at__isnull=False),
                name="webhook_delivery_delivered_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} → {self.endpoint_id} ({self.status})"
