"""Carrying a new alert to the organization's emergency contacts: an e-mail (Django's mail, the SMTP
server of the settings) and a signed JSON POST to each contact's webhook URL.

One AlertDelivery row per contact and channel is written with the alert, in its transaction; once it
commits, a Celery task sends each row, and the beat's sweep (outreach.tasks.alert_deliveries_due)
sends again what failed or whose message was lost, up to ALERT_MAX_ATTEMPTS. Without a broker the
rows go out from a background thread of the process, so the observer's request never waits on a
mail server. The emergency contacts are the organization's own people: they see the observer's
name, phone and position, which partners never do.

Unlike partners' webhooks, an emergency contact's URL is set by the organization's coordinator and
may well be on the organization's own network, so private addresses are allowed here; like them, no
proxy from the environment and no redirect is followed.
"""

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connections, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.signing import signature
from outreach.models import Alert, AlertDelivery, Channel, EmergencyContact

logger = logging.getLogger(__name__)

EVENT = "alert.raised"
USER_AGENT = "Baqylau-Alerts/1"
ERROR_LENGTH = 200


def alert_deliveries_queue(alert: Alert) -> list[int]:
    """A row per active contact and channel of the alert's organization, sent after the commit."""
    contacts = EmergencyContact.objects.filter(organization_id=alert.organization_id, active=True)
    rows = []
    for contact in contacts:
        if contact.email:
            rows.append(AlertDelivery(alert=alert, contact=contact, channel=Channel.EMAIL))
        if contact.webhook_url:
            rows.append(AlertDelivery(alert=alert, contact=contact, channel=Channel.WEBHOOK))
    ids = [row.pk for row in AlertDelivery.objects.bulk_create(rows)]
    send_after_commit(ids)
    return ids


def send_after_commit(delivery_ids: list[int]) -> None:
    from outreach.tasks import alert_deliver

    if not delivery_ids:
        return
    if alert_deliver.app.conf.task_always_eager and settings.WEBHOOK_SEND_IN_THREAD:
        ids = list(delivery_ids)
        transaction.on_commit(lambda: _send_in_thread(ids))
        return
    for delivery_id in delivery_ids:
        alert_deliver.delay_on_commit(delivery_id)


def _send_in_thread(delivery_ids: list[int]) -> threading.Thread:
    def send() -> None:
        try:
            for delivery_id in delivery_ids:
                try:
                    delivery_send(delivery_id=delivery_id)
                except Exception:
                    # The row stays undelivered for the sweep; the others still go out.
                    logger.exception("Alert delivery %s failed to send.", delivery_id)
        finally:
            connections.close_all()

    thread = threading.Thread(target=send, name="alert-send", daemon=True)
    thread.start()
    return thread


def delivery_send(*, delivery_id: int) -> AlertDelivery | None:
    """Send one row once more, unless it went out already or used up its attempts."""
    claimed = AlertDelivery.objects.filter(
        pk=delivery_id, delivered_at__isnull=True, attempts__lt=settings.ALERT_MAX_ATTEMPTS
    ).update(attempts=F("attempts") + 1)
    if not claimed:
        return None
    delivery = AlertDelivery.objects.select_related(
        "contact", "alert__membership__user", "alert__organization", "alert__station__district"
    ).get(pk=delivery_id)
    send = _send_email if delivery.channel == Channel.EMAIL else _send_webhook
    error = send(delivery)
    if error:
        logger.warning("Alert delivery %s failed: %s", delivery_id, error)
        delivery.last_error = error[:ERROR_LENGTH]
        delivery.save(update_fields=["last_error"])
    else:
        delivery.delivered_at = timezone.now()
        delivery.last_error = ""
        delivery.save(update_fields=["delivered_at", "last_error"])
    return delivery


def payload(alert: Alert) -> dict[str, Any]:
    """What the contacts are told: who, where, what, and when."""
    user = alert.membership.user
    station = alert.station
    return {
        "event": EVENT,
        "id": str(alert.pk),
        "organization": alert.organization.slug,
        "observer": {
            "username": user.get_username(),
            "name": user.get_full_name(),
            "phone": alert.membership.phone,
        },
        "station": None
        if station is None
        else {
            "id": station.pk,
            "number": station.number,
            "name": station.name,
            "address": station.address,
            "district": station.district.number,
        },
        "kind": alert.kind,
        "note": alert.note,
        "at": alert.at.isoformat(),
        "latitude": None if alert.latitude is None else str(alert.latitude),
        "longitude": None if alert.longitude is None else str(alert.longitude),
    }


def _email_text(alert: Alert) -> tuple[str, str]:
    data = payload(alert)
    observer = data["observer"]["name"] or data["observer"]["username"]
    subject = _("Alert: %(kind)s — %(observer)s") % {"kind": alert.get_kind_display(), "observer": observer}
    lines = [
        _("An observer asks for help."),
        "",
        _("Observer: %(name)s (%(username)s)") % {"name": observer, "username": data["observer"]["username"]},
        _("Phone: %(phone)s") % {"phone": data["observer"]["phone"] or "—"},
        _("Reason: %(kind)s") % {"kind": alert.get_kind_display()},
        _("Time: %(at)s") % {"at": data["at"]},
    ]
    if alert.station is not None:
        lines.append(
            _("Station: %(number)s, %(address)s")
            % {"number": alert.station.number, "address": alert.station.address}
        )
    if data["latitude"] is not None:
        lines.append(_("Position: %(lat)s, %(lon)s") % {"lat": data["latitude"], "lon": data["longitude"]})
    if alert.note:
        lines += ["", alert.note]
    lines += ["", _("Acknowledge it in the admin, under Messages and alerts → Alerts.")]
    return subject, "\n".join(lines)


def _send_email(delivery: AlertDelivery) -> str:
    # The organization's staff read it; the site's language is theirs.
    with translation.override(settings.LANGUAGE_CODE):
        subject, text = _email_text(delivery.alert)
    message = EmailMessage(subject=subject, body=text, to=[delivery.contact.email])
    try:
        message.send()
    except OSError as exc:  # smtplib's errors are OSErrors, and so are the socket's
        return str(exc) or type(exc).__name__
    return ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _send_webhook(delivery: AlertDelivery) -> str:
    body = json.dumps(payload(delivery.alert), separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Baqylau-Event": EVENT,
        "X-Baqylau-Delivery": str(delivery.alert_id),
        "X-Baqylau-Timestamp": timestamp,
        "X-Baqylau-Signature": signature(delivery.contact.webhook_secret, timestamp, body),
    }
    url = delivery.contact.webhook_url
    if not url.startswith(("http://", "https://")):
        return _("The URL must start with http:// or https://.")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - checked above
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())
    try:
        with opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        exc.close()
        return f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return str(getattr(exc, "reason", exc)) or type(exc).__name__
    return "" if 200 <= status < 300 else f"HTTP {status}"
