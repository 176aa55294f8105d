# ruff: noqa: RUF001 (the messages are Russian text)
"""The demo's messages and safety alerts for Citizen Watch: three messages sent through the outreach
services (one to every observer and read by all, one to a district read by some, one to two chosen
observers and unread), two alerts raised on election day (one resolved with its notes, one still
open at the top of the admin) and the organization's duty desk as emergency contact.

The contact is added after the alerts, so the seed sends no e-mail. Run again, it finds the
messages there and adds nothing.
"""

import uuid
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from outreach.models import Audience, EmergencyContact, Message, MessageDelivery
from outreach.services import alert_acknowledge, alert_raise, alert_resolve, message_send
from people.models import Assignment, Membership, Organization, Role
from stations.models import Election

# Fixed ids: a second run recognises its alerts.
RESOLVED_ALERT = uuid.UUID("6f1c2b3a-0d4e-4f5a-8b6c-7d8e9f0a1b2c")
OPEN_ALERT = uuid.UUID("7a2d3c4b-1e5f-4a6b-9c7d-8e9f0a1b2c3d")
DUTY_DESK = "duty@citizen-watch.example.org"


def seed_outreach(*, election: Election, organization: Organization, coordinator: AbstractBaseUser) -> str:
    if Message.objects.filter(organization=organization).exists():
        return f"{organization.name}: messages and alerts already there."
    observers = list(
        Membership.objects.filter(organization=organization, role=Role.OBSERVER)
        .select_related("user")
        .order_by("user__username")
    )
    if len(observers) < 2:
        return f"{organization.name}: too few observers for the demo's messages."
    sent = _messages(organization=organization, coordinator=coordinator, observers=observers)
    _alerts(election=election, observers=observers, coordinator=coordinator)
    EmergencyContact.objects.get_or_create(
        organization=organization, name="Дежурный штаб (demo)", defaults={"email": DUTY_DESK}
    )
    return f"{organization.name}: {sent} messages, 2 safety alerts (1 open), 1 emergency contact."


def _messages(*, organization: Organization, coordinator, observers: list[Membership]) -> int:
    everyone = message_send(
        organization=organization,
        author=coordinator,
        subject="Напоминание: явка к 7:00",
        body=(
            "Будьте на участке к 7:00, до открытия. Отметьтесь в приложении по прибытии и сфотографируйте "
            "пустые опечатанные урны.\n\nЕсли вас не пускают — нажмите «Мне нужна помощь»."
        ),
        audience=Audience.ORGANIZATION,
    )
    MessageDelivery.objects.filter(message=everyone).update(
        received_at=everyone.sent_at, read_at=timezone.now()
    )

    station = Assignment.objects.filter(membership__in=observers).select_related("station__district").first()
    district = station.station.district
    moved = message_send(
        organization=organization,
        author=coordinator,
        subject=f"Округ {district.number}: подсчёт переносится",
        body=(
            "Окружная комиссия сообщила, что приём протоколов начнётся в 22:00, а не в 21:00. "
            "Оставайтесь на участке до выдачи копии протокола."
        ),
        audience=Audience.DISTRICT,
        district=district,
    )
    # Read by half of them: the admin lists the others, whom to call.
    deliveries = list(MessageDelivery.objects.filter(message=moved).order_by("pk"))
    half = [d.pk for d in deliveries[: max(1, len(deliveries) // 2)]]
    MessageDelivery.objects.filter(pk__in=half).update(received_at=moved.sent_at, read_at=timezone.now())

    message_send(
        organization=organization,
        author=coordinator,
        subject="Замена на участке",
        body=(
            "Вы назначены резервом: завтра в 6:30 позвоните координатору, он скажет, на какой участок ехать."
        ),
        audience=Audience.PEOPLE,
        people=observers[-2:],
    )
    return 3


def _alerts(*, election: Election, observers: list[Membership], coordinator) -> None:
    zone = ZoneInfo(election.timezone)
    day = election.date

    def at(hour: int, minute: int) -> datetime:
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)

    def station_of(membership: Membership):
        return (
            Assignment.objects.filter(membership=membership)
            .order_by("pk")
            .values_list("station_id", flat=True)[0]
        )

    removed, _created = alert_raise(
        observer=observers[0].user,
        id=RESOLVED_ALERT,
        station_id=station_of(observers[0]),
        kind="removed",
        note="Председатель УИК попросил полицию вывести меня с участка во время подсчёта.",
        at=min(at(20, 40), timezone.now()),
        latitude=Decimal("43.238949"),
        longitude=Decimal("76.889709"),
    )
    if removed.status == "open":
        alert_acknowledge(alert=removed, by=coordinator, note="Позвонили, выехал юрист.")
        alert_resolve(
            alert=removed,
            by=coordinator,
            note="Наблюдателя вернули на участок в 21:15; жалоба в ТИК подана.",
        )
    alert_raise(
        observer=observers[1].user,
        id=OPEN_ALERT,
        station_id=station_of(observers[1]),
        kind="threatened",
        note="Неизвестный мужчина у входа требует удалить фотографии.",
        at=min(at(21, 5), timezone.now()),
    )
