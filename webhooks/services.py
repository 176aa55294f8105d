"""Registering endpoints, queueing events into the outbox, and sending each delivery once.

Queueing is set-based: one event becomes one INSERT for every endpoint that may receive it, and
the unique (endpoint, event id) makes a repeated event a no-op. Sending claims the row with one
conditional UPDATE (pending, due, and no live lease), so two workers never send one row at once and
a delivered row is never sent again. A worker that dies mid-send leaves a lease that expires; the
beat then sends the row again with the same event id, which receivers de-duplicate on.
"""

import json
import logging
import random
import secrets
import threading
import uuid
from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.background import start_thread
from core.errors import ApplicationError
from integrity.signals import BandChange
from partners.models import Partner, PartnerKey
from reports.models import IncidentReport
from webhooks import payloads, transport
from webhooks.models import EVENT_SCOPES, DeliveryStatus, Event, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

MAX_ENDPOINTS_PER_PARTNER = 10
SECRET_START = "whsec_"  # noqa: S105 - the visible start of every secret, not a secret
# Stable event ids: the same change always yields the same id, so it is queued at most once.
EVENT_NAMESPACE = uuid.UUID("5b0f7f0e-4a59-4d8e-9a53-3f4d1a8c2b61")


def lease() -> timedelta:
    """How long a claimed row is left to its worker: well past the longest send."""
    return timedelta(seconds=max(60, 3 * settings.WEBHOOK_TIMEOUT_SECONDS))


def retry_delay(attempts: int) -> timedelta:
    """Exponential back-off after `attempts` failed sends, capped, with jitter so that many
    deliveries to one recovering receiver do not all arrive in the same second."""
    base = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1)
    capped = min(base, settings.WEBHOOK_RETRY_MAX_SECONDS)
    return timedelta(seconds=capped * random.uniform(0.5, 1.0))  # noqa: S311 - jitter, not a secret


def event_id(*parts) -> uuid.UUID:
    return uuid.uuid5(EVENT_NAMESPACE, ":".join(str(part) for part in parts))


# Registration ----------------------------------------------------------------------------------


@transaction.atomic
def endpoint_create(*, key: PartnerKey, url: str, events: Sequence[str]) -> tuple[WebhookEndpoint, str]:
    """A new endpoint of the key's partner; returns it with its secret, which is never shown again."""
    wanted = list(dict.fromkeys(events))
    if not wanted:
        raise ApplicationError(_("Subscribe to at least one event."), field="events")
    for event in wanted:
        scope = EVENT_SCOPES[Event(event)]
        if not key.has_scope(scope):
            raise ApplicationError(
                _("The event %(event)s needs a key with the scope %(scope)s; this key lacks it.")
                % {"event": event, "scope": scope},
                field="events",
            )
    problem = transport.url_problem(url)
    if problem:
        raise ApplicationError(problem, field="url")
    partner = Partner.objects.select_for_update().get(pk=key.partner_id)
    if partner.webhook_endpoints.count() >= MAX_ENDPOINTS_PER_PARTNER:
        raise ApplicationError(
            _("A partner may register at most %(count)d endpoints; delete one first.")
            % {"count": MAX_ENDPOINTS_PER_PARTNER}
        )
    secret = SECRET_START + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint.objects.create(partner=partner, url=url, events=wanted, secret=secret)
    return endpoint, secret


def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """The partner removes an endpoint; its outbox goes with it, so nothing more is sent there."""
    endpoint.delete()


@transaction.atomic
def endpoint_disable(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Stop sending to an endpoint; what was waiting for it fails with the reason."""
    if endpoint.active:
        endpoint.active, endpoint.disabled_at = False, timezone.now()
        endpoint.save(update_fields=["active", "disabled_at"])
        endpoint.deliveries.filter(status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.FAILED, last_error=_("The endpoint was disabled.")
        )
    return endpoint


@transaction.atomic
def delivery_requeue(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a failed delivery again from its first attempt, with the same event id and body."""
    if delivery.status != DeliveryStatus.FAILED:
        raise ApplicationError(_("Only a failed delivery can be queued again."))
    if not delivery.endpoint.active:
        raise ApplicationError(_("The endpoint is disabled; nothing can be sent to it."))
    WebhookDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), leased_until=None
    )
    deliveries_send_after_commit([delivery.pk])
    delivery.refresh_from_db()
    return delivery


def deliveries_send_after_commit(delivery_ids: Sequence[int]) -> None:
    """Have the deliveries sent once the transaction commits, never by the request that queued them.

    With a broker, a worker sends each one. Without one (no REDIS_URL) Celery runs a task in the
    caller, so a reviewer's verification would wait on every partner's receiver, up to the timeout
    each: instead one background thread of this process sends them; the request does not wait."""
    from webhooks.tasks import webhook_deliver

    if not delivery_ids:
        return
    if webhook_deliver.app.conf.task_always_eager and settings.WEBHOOK_SEND_IN_THREAD:
        ids = list(delivery_ids)
        transaction.on_commit(lambda: _send_in_thread(ids))
        return
    for delivery_id in delivery_ids:
        webhook_deliver.delay_on_commit(delivery_id)


def _send_in_thread(delivery_ids: list[int]) -> threading.Thread:
    def send() -> None:
        for delivery_id in delivery_ids:
            try:
                delivery_send(delivery_id=delivery_id)
            except Exception:
                # The row stays pending for a later send; one bad row must not keep the others
                # from going out.
                logger.exception("Webhook delivery %s failed to send.", delivery_id)

    return start_thread("webhook-send", send)


# Queueing events -------------------------------------------------------------------------------


def entitled_endpoints(event: Event) -> list[WebhookEndpoint]:
    """Active endpoints subscribed to `event` whose partner holds a usable key with its scope."""
    scope = EVENT_SCOPES[event]
    # Few endpoints, and scopes and events are JSON lists that not every database can search:
    # two queries, then filtered here.
    endpoints = [e for e in WebhookEndpoint.objects.active() if event in e.events]
    keys = PartnerKey.objects.usable().filter(partner_id__in={e.partner_id for e in endpoints})
    entitled = {
        partner_id for partner_id, scopes in keys.values_list("partner_id", "scopes") if scope in scopes
    }
    return [e for e in endpoints if e.partner_id in entitled]


def deliveries_queue(event: Event, events: Iterable[tuple[uuid.UUID, dict]]) -> list[int]:
    """One outbox row per (endpoint, event) in one INSERT, each sent once the transaction commits."""
    events = list(events)
    endpoints = entitled_endpoints(event) if events else []
    if not endpoints:
        return []
    WebhookDelivery.objects.bulk_create(
        (
            WebhookDelivery(endpoint=endpoint, event_id=eid, event_type=event, payload=payload)
            for eid, payload in events
            for endpoint in endpoints
        ),
        ignore_conflicts=True,
    )
    queued = WebhookDelivery.objects.filter(
        endpoint__in=endpoints, event_id__in=[eid for eid, _payload in events], status=DeliveryStatus.PENDING
    ).values_list("pk", flat=True)
    ids = list(queued)
    deliveries_send_after_commit(ids)
    return ids


def incident_verified_queue(*, report_id) -> list[int]:
    """Queue `incident.verified` for a report partners may see: still verified, of an organization
    that shares. A report verified again after a reopen is a new event; the same verification
    announced twice is one."""
    data = payloads.incident_data(report_id)
    if data is None:
        return []
    version, reviewed_at, slug = IncidentReport.objects.filter(pk=report_id).values_list(
        "version", "reviewed_at", "election__slug"
    )[0]
    eid = event_id(Event.INCIDENT_VERIFIED, report_id, version)
    body = payloads.envelope(
        event_id=str(eid),
        event_type=Event.INCIDENT_VERIFIED,
        election_slug=slug,
        at=reviewed_at or timezone.now(),
        data=data,
    )
    return deliveries_queue(Event.INCIDENT_VERIFIED, [(eid, body)])


def band_changes_queue(*, run_id: int, changes: Sequence[BandChange]) -> list[int]:
    """Queue `district.band_changed` for each district whose band a published run moved."""
    scores = payloads.published_scores(run_id, [change.district_id for change in changes])
    events = []
    for change in changes:
        row = scores.get(change.district_id)
        if row is None:
            continue
        eid = event_id(Event.DISTRICT_BAND_CHANGED, run_id, change.district_id)
        body = payloads.envelope(
            event_id=str(eid),
            event_type=Event.DISTRICT_BAND_CHANGED,
            election_slug=row.election.slug,
            at=row.computed_at,
            data=payloads.band_change_data(row, change.before, change.after),
        )
        events.append((eid, body))
    return deliveries_queue(Event.DISTRICT_BAND_CHANGED, events)


# Sending ---------------------------------------------------------------------------------------


def body_bytes(payload: dict) -> bytes:
    """The same bytes for the same payload, whatever order the database returns the keys in."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def delivery_claim(delivery_id: int) -> WebhookDelivery | None:
    """Take the row for one send, or None when it is not due, is delivered, or another worker has it."""
    now = timezone.now()
    claimed = (
        WebhookDelivery.objects.due(now)
        .filter(pk=delivery_id)
        .update(leased_until=now + lease(), attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def delivery_send(*, delivery_id: int) -> WebhookDelivery | None:
    """Send one due delivery once and record the outcome; None when there was nothing to send."""
    delivery = delivery_claim(delivery_id)
    if delivery is None:
        return None
    refusal = _refusal(delivery)
    payload = _current_payload(delivery) if not refusal else None
    if payload is None:
        refusal = refusal or _("Partners may no longer see this incident.")
        return _record_failure(delivery, transport.Outcome(None, refusal), final=True, counts=False)
    outcome = transport.post(
        url=delivery.endpoint.url,
        secret=delivery.endpoint.secret,
        event_type=delivery.event_type,
        event_id=str(delivery.event_id),
        body=body_bytes(payload),
    )
    if outcome.ok:
        return _record_success(delivery, outcome)
    return _record_failure(delivery, outcome, final=delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS)


def _current_payload(delivery: WebhookDelivery) -> dict | None:
    """The body as partners may see it at this send: an incident is rendered again, so that a
    reviewer's redaction made after the event was queued is what goes out, and an incident that is
    no longer verified or shared goes nowhere (None)."""
    if delivery.event_type != Event.INCIDENT_VERIFIED:
        return delivery.payload
    report_id = (delivery.payload.get("data") or {}).get("id")
    data = payloads.incident_data(report_id) if report_id else None
    return None if data is None else {**delivery.payload, "data": data}


def _refusal(delivery: WebhookDelivery) -> str:
    """Why a queued delivery may no longer be sent: its endpoint was disabled or its scope is gone."""
    if not delivery.endpoint.active:
        return _("The endpoint was disabled.")
    scope = EVENT_SCOPES[Event(delivery.event_type)]
    keys = PartnerKey.objects.usable().filter(partner_id=delivery.endpoint.partner_id)
    if not any(scope in scopes for scopes in keys.values_list("scopes", flat=True)):
        return _("The partner no longer holds a usable key with the scope %(scope)s.") % {"scope": scope}
    return ""


def _record_success(delivery: WebhookDelivery, outcome: transport.Outcome) -> WebhookDelivery:
    now = timezone.now()
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.DELIVERED,
            delivered_at=now,
            leased_until=None,
            last_status_code=outcome.status_code,
            last_error="",
        )
        WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(consecutive_failures=0)
    delivery.refresh_from_db()
    return delivery


def _record_failure(
    delivery: WebhookDelivery, outcome: transport.Outcome, *, final: bool, counts: bool = True
) -> WebhookDelivery:
    """Record a failed send; `counts` is false when nothing was sent, which says nothing of the receiver."""
    from webhooks.tasks import webhook_deliver

    delay = retry_delay(delivery.attempts)
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.FAILED if final else DeliveryStatus.PENDING,
            next_attempt_at=timezone.now() + delay,
            leased_until=None,
            last_status_code=outcome.status_code,
            last_error=outcome.error[: transport.ERROR_LENGTH],
        )
        if counts:
            WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(
                consecutive_failures=F("consecutive_failures") + 1
            )
    if not final and not webhook_deliver.app.conf.task_always_eager:
        # Without a broker nothing can wait for a countdown: the beat sends the row once it is due.
        try:
            webhook_deliver.apply_async((delivery.pk,), countdown=delay.total_seconds())
        except Exception:
            logger.warning("Retry of webhook delivery %s not queued; the beat will send it.", delivery.pk)
    delivery.refresh_from_db()
    return delivery
