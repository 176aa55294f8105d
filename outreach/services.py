"""Writing messages and alerts: sending a message to its audience, receipts, raising an alert from the
phone, and a coordinator's acknowledgement and resolution. Bad input raises ApplicationError naming
the field; someone else's message or alert raises NotFound."""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError, NotFound
from core.intake import FUTURE_TOLERANCE, check_choice, new_row_id, single_insert
from core.review import MAX_NOTE
from outreach.delivery import alert_deliveries_queue
from outreach.models import (
    MAX_BODY,
    MAX_SUBJECT,
    Alert,
    AlertKind,
    AlertStatus,
    Audience,
    Message,
    MessageDelivery,
)
from people.models import Membership, Organization, Role
from people.observer_stations import MAX_ID
from people.selectors import station_get_for_observer
from stations.models import District, PollingStation

# Messages ---------------------------------------------------------------------------------------


def message_recipients(
    *,
    organization: Organization,
    audience: str,
    district: District | None = None,
    stations: Iterable[PollingStation] = (),
    people: Iterable[Membership] = (),
) -> QuerySet[Membership]:
    """The organization's observers whom the audience names, each once."""
    observers = Membership.objects.filter(organization=organization, role=Role.OBSERVER)
    if audience == Audience.DISTRICT:
        observers = observers.filter(assignments__station__district=district)
    elif audience == Audience.STATIONS:
        observers = observers.filter(assignments__station__in=[s.pk for s in stations])
    elif audience == Audience.PEOPLE:
        observers = observers.filter(pk__in=[m.pk for m in people])
    return observers.distinct()


def message_check(
    *,
    organization: Organization,
    subject: str,
    body: str,
    audience: str,
    district: District | None = None,
    stations: Iterable[PollingStation] = (),
    people: Iterable[Membership] = (),
) -> list[int]:
    """The ids of the memberships the message would go to, or ApplicationError naming the field."""
    stations, people = list(stations), list(people)
    if not subject.strip():
        raise ApplicationError(_("Give the message a subject."), field="subject")
    if len(subject) > MAX_SUBJECT:
        raise ApplicationError(
            _("The subject is longer than %(max)d characters.") % {"max": MAX_SUBJECT}, field="subject"
        )
    if not body.strip():
        raise ApplicationError(_("Write the message."), field="body")
    if len(body) > MAX_BODY:
        raise ApplicationError(
            _("The message is longer than %(max)d characters.") % {"max": MAX_BODY}, field="body"
        )
    check_choice(audience, Audience, "audience")
    if audience == Audience.DISTRICT and district is None:
        raise ApplicationError(_("Choose the district."), field="district")
    if audience == Audience.STATIONS and not stations:
        raise ApplicationError(_("Choose at least one station."), field="stations")
    if audience == Audience.PEOPLE and not people:
        raise ApplicationError(_("Choose at least one observer."), field="people")
    if audience == Audience.PEOPLE and any(
        m.organization_id != organization.pk or m.role != Role.OBSERVER for m in people
    ):
        raise ApplicationError(_("Choose observers of this organization only."), field="people")
    recipients = list(
        message_recipients(
            organization=organization, audience=audience, district=district, stations=stations, people=people
        ).values_list("pk", flat=True)
    )
    if not recipients:
        raise ApplicationError(_("No observer of the organization matches this audience."), field="audience")
    return recipients


@transaction.atomic
def message_send(
    *,
    organization: Organization,
    author: AbstractBaseUser | None,
    subject: str,
    body: str,
    audience: str,
    district: District | None = None,
    stations: Iterable[PollingStation] = (),
    people: Iterable[Membership] = (),
) -> Message:
    """Send a message now: one delivery row per observer of the audience, fixed at this moment."""
    stations, people = list(stations), list(people)
    recipients = message_check(
        organization=organization,
        subject=subject,
        body=body,
        audience=audience,
        district=district,
        stations=stations,
        people=people,
    )
    message = Message.objects.create(
        organization=organization,
        author=author,
        subject=subject.strip(),
        body=body.strip(),
        audience=audience,
        district=district if audience == Audience.DISTRICT else None,
        sent_at=timezone.now(),
    )
    if audience == Audience.STATIONS:
        message.stations.set(stations)
    if audience == Audience.PEOPLE:
        message.people.set(people)
    MessageDelivery.objects.bulk_create(
        [MessageDelivery(message=message, membership_id=pk) for pk in recipients], batch_size=1000
    )
    return message


def messages_mark_received(deliveries: Iterable[MessageDelivery]) -> None:
    """The phone fetched these copies: stamp the first time only."""
    fresh = [d.pk for d in deliveries if d.received_at is None]
    if fresh:
        now = timezone.now()
        MessageDelivery.objects.filter(pk__in=fresh, received_at__isnull=True).update(received_at=now)
        for delivery in deliveries:
            if delivery.received_at is None:
                delivery.received_at = now


def message_mark_read(*, user: AbstractBaseUser, message_id: int) -> MessageDelivery:
    """The observer opened the message; opening it again changes nothing. Not theirs: NotFound."""
    if not 0 < message_id <= MAX_ID:
        raise NotFound(_("No such message among yours."))
    delivery = (
        MessageDelivery.objects.filter(message_id=message_id, membership__user=user)
        .select_related("message")
        .first()
    )
    if delivery is None:
        raise NotFound(_("No such message among yours."))
    if delivery.read_at is None:
        now = timezone.now()
        delivery.read_at = now
        delivery.received_at = delivery.received_at or now
        delivery.save(update_fields=["read_at", "received_at"])
    return delivery


# Alerts -----------------------------------------------------------------------------------------


def _alert_membership(user: AbstractBaseUser, station_id) -> tuple[Membership, PollingStation | None]:
    """Whose alert it is: the membership the observer reports for at the station, or, without a
    station (detained on the way), their only observer membership."""
    if station_id is not None:
        station, organization_id = station_get_for_observer(user=user, station_id=station_id)
        membership = Membership.objects.get(user=user, organization_id=organization_id, role=Role.OBSERVER)
        return membership, station
    memberships = list(Membership.objects.filter(user=user, role=Role.OBSERVER)[:2])
    if not memberships:
        raise NotFound(_("You observe for no organization."), field="station")
    if len(memberships) > 1:
        raise ApplicationError(
            _("You observe for several organizations: say at which station you are."), field="station"
        )
    return memberships[0], None


def _check_alert(*, kind: str, note: str, at: datetime, latitude, longitude) -> None:
    check_choice(kind, AlertKind, "kind")
    if len(note) > MAX_NOTE:
        raise ApplicationError(
            _("The note is longer than %(max)d characters.") % {"max": MAX_NOTE}, field="note"
        )
    if timezone.is_naive(at):
        raise ApplicationError(_("Give the time with its time zone."), field="at")
    if at > timezone.now() + FUTURE_TOLERANCE:
        raise ApplicationError(_("This time is in the future; check the phone's clock."), field="at")
    if (latitude is None) != (longitude is None):
        raise ApplicationError(_("Give both latitude and longitude, or neither."), field="latitude")
    if latitude is not None and not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ApplicationError(_("The position is out of range."), field="latitude")


def _existing_alert(pk, user: AbstractBaseUser) -> Alert | None:
    """The alert a retried request already created; someone else's id is refused."""
    new_row_id(Alert, pk)
    existing = Alert.objects.filter(pk=pk).select_related("membership").first()
    if existing is not None and existing.membership.user_id != user.pk:
        raise ApplicationError(_("This id is already in use; the app must generate a new one."), field="id")
    return existing


def alert_raise(
    *,
    observer: AbstractBaseUser,
    id,
    station_id=None,
    kind: str,
    note: str = "",
    at: datetime,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> tuple[Alert, bool]:
    """An observer asks for help. Returns (alert, created); the emergency contacts are told once
    the alert is stored, by e-mail and webhook (outreach.delivery)."""
    if existing := _existing_alert(id, observer):
        return existing, False
    membership, station = _alert_membership(observer, station_id)
    _check_alert(kind=kind, note=note, at=at, latitude=latitude, longitude=longitude)
    try:
        with transaction.atomic():
            with single_insert():
                alert = Alert.objects.create(
                    id=id,
                    membership=membership,
                    organization_id=membership.organization_id,
                    station=station,
                    kind=kind,
                    note=note,
                    at=at,
                    latitude=latitude,
                    longitude=longitude,
                )
            alert_deliveries_queue(alert)
    except IntegrityError:
        # The same request arrived twice at once; the other one won.
        return Alert.objects.get(pk=id, membership__user=observer), False
    return alert, True


def alert_acknowledge(*, alert: Alert, by: AbstractBaseUser, note: str = "") -> Alert:
    """Someone of the organization is on it; the observer's contacts may be called."""
    if alert.status != AlertStatus.OPEN:
        raise ApplicationError(_("Only an open alert can be acknowledged."))
    if len(note) > MAX_NOTE:
        raise ApplicationError(
            _("The note is longer than %(max)d characters.") % {"max": MAX_NOTE}, field="note"
        )
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = by
    alert.acknowledgement_note = note
    alert.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "acknowledgement_note"])
    return alert


def alert_resolve(*, alert: Alert, by: AbstractBaseUser, note: str) -> Alert:
    """The observer is safe, or the matter is in other hands: say how, for the record."""
    if alert.status == AlertStatus.RESOLVED:
        raise ApplicationError(_("This alert is resolved already."))
    if not note.strip():
        raise ApplicationError(_("Say how the alert was resolved."), field="resolution_note")
    if len(note) > MAX_NOTE:
        raise ApplicationError(
            _("The note is longer than %(max)d characters.") % {"max": MAX_NOTE}, field="resolution_note"
        )
    now = timezone.now()
    alert.status = AlertStatus.RESOLVED
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, by
    alert.resolved_at = now
    alert.resolved_by = by
    alert.resolution_note = note.strip()
    alert.save(
        update_fields=[
            "status",
            "acknowledged_at",
            "acknowledged_by",
            "resolved_at",
            "resolved_by",
            "resolution_note",
        ]
    )
    return alert
