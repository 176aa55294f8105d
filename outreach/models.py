"""Messages from coordinators to observers, with one delivery row per recipient, and observers'
safety alerts with the emergency contacts that receive them."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.review import MAX_NOTE
from people.models import Membership, Organization
from stations.models import District, PollingStation

MAX_SUBJECT = 200
MAX_BODY = 5000


class Audience(models.TextChoices):
    ORGANIZATION = "organization", _("All observers of the organization")
    DISTRICT = "district", _("Observers of a district")
    STATIONS = "stations", _("Observers of chosen stations")
    PEOPLE = "people", _("Chosen observers")


class Message(models.Model):
    """What a coordinator tells observers. Its recipients are fixed when it is sent, as delivery
    rows: an observer assigned later does not receive an old message, and the counts stay true."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=MAX_SUBJECT)
    body = models.TextField(_("message"), max_length=MAX_BODY)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    district = models.ForeignKey(
        District,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("district"),
    )
    stations = models.ManyToManyField(
        PollingStation, blank=True, related_name="+", verbose_name=_("stations")
    )
    people = models.ManyToManyField(Membership, blank=True, related_name="+", verbose_name=_("observers"))
    sent_at = models.DateTimeField(_("sent"))

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.CheckConstraint(condition=Q(audience__in=Audience.values), name="message_audience_valid"),
        ]

    def __str__(self) -> str:
        return self.subject


class MessageDelivery(models.Model):
    """One observer's copy of a message: when their phone fetched it and when they opened it."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="message_deliveries")
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["message", "membership"]
        verbose_name = _("message delivery")
        verbose_name_plural = _("message deliveries")
        constraints = [
            models.UniqueConstraint(fields=["message", "membership"], name="message_delivery_unique"),
        ]
        # The observer's list and unread badge read from this one index, newest message first.
        indexes = [models.Index(fields=["membership", "-message"], name="delivery_membership_idx")]

    def __str__(self) -> str:
        return f"{self.message} → {self.membership.user}"


class AlertKind(models.TextChoices):
    REMOVED = "removed", _("Removed from the station")
    DETAINED = "detained", _("Detained")
    THREATENED = "threatened", _("Threatened")
    INJURED = "injured", _("Injured")
    OTHER = "other", _("Other")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("open")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    RESOLVED = "resolved", _("resolved")


class Alert(models.Model):
    """An observer asks for help. The id comes from the phone, so a retry finds the same alert.

    The roster reads open alerts per observer (`membership.alerts`), and forgetting a mission's
    observers clears `note`, `latitude` and `longitude`: keep these names."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("observer")
    )
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="alerts")
    station = models.ForeignKey(
        PollingStation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="alerts",
        verbose_name=_("station"),
    )
    kind = models.CharField(_("reason"), max_length=16, choices=AlertKind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    note = models.TextField(_("note"), max_length=MAX_NOTE, blank=True)
    at = models.DateTimeField(_("time"))
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledgement_note = models.TextField(_("acknowledgement note"), max_length=MAX_NOTE, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution_note = models.TextField(_("resolution note"), max_length=MAX_NOTE, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AlertKind.values), name="alert_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=AlertStatus.values), name="alert_status_valid"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="alert_latitude_in_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="alert_longitude_in_range",
            ),
        ]
        indexes = [
            # The banner on every admin page: open alerts of the user's organizations.
            models.Index(fields=["organization", "status"], name="alert_org_status_idx"),
            models.Index(fields=["membership", "status"], name="alert_membership_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.membership.user}, {self.at:%Y-%m-%d %H:%M})"


class EmergencyContact(models.Model):
    """Who is told at once of every new alert of the organization: by e-mail, by a signed webhook,
    or both. The webhook's body is signed with `webhook_secret` like partners' webhooks."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="emergency_contacts"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    webhook_url = models.URLField(_("webhook URL"), max_length=500, blank=True)
    webhook_secret = models.CharField(
        _("webhook secret"),
        max_length=128,
        blank=True,
        help_text=_("Key of the HMAC-SHA256 signature in the X-Baqylau-Signature header."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["organization", "name"]
        verbose_name = _("emergency contact")
        verbose_name_plural = _("emergency contacts")
        constraints = [
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(webhook_url=""), name="emergency_contact_has_channel"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    WEBHOOK = "webhook", _("webhook")


class AlertDelivery(models.Model):
    """One alert sent to one contact by one channel: sent once, retried until it went out."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    contact = models.ForeignKey(EmergencyContact, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)

    class Meta:
        ordering = ["alert", "pk"]
        verbose_name = _("alert delivery")
        verbose_name_plural = _("alert deliveries")
        constraints = [
            models.UniqueConstraint(fields=["alert", "contact", "channel"], name="alert_delivery_unique"),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="alert_delivery_channel_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.alert_id} → {self.contact} ({self.channel})"
