"""The demo organization's roster on the day: who was trained and accredited (three with a photo of
the document), phone numbers to call, three sampled stations whose observers never arrived, and a
few calls already marked on the missing list. Running it again changes nothing."""

import io
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from people.models import Assignment, Membership, Organization, Role
from roster.missing import missing_entries
from roster.models import Outcome, RecontactCall
from roster.services import recontact_call_record
from stations.models import Election

TRAINED_ON = date(2023, 3, 11)
TRAINED = 15  # of the organization's first observers; the others missed the training
ACCREDITED = 12
WITH_PHOTO = 3
SILENT = 3
CALLS = (
    (Outcome.UNREACHABLE, "Phone switched off; try again at 09:00."),
    (Outcome.REACHED, "On the way: the bus was late. Arrives by 09:30."),
)


def seed_roster(*, election: Election, organization: Organization, reviewer) -> str:
    members = list(
        Membership.objects.filter(organization=organization, role=Role.OBSERVER)
        .select_related("user")
        .order_by("user__username")
    )
    prepared = sum(prepare(member, index) for index, member in enumerate(members))
    silent = silent_observers(election, organization)
    calls = mark_calls(election, organization, reviewer)
    return (
        f"Roster: {prepared} observers given training, accreditation or a phone; {silent} sampled "
        f"stations whose observers never arrived; {calls} calls marked on the missing list."
    )


def prepare(member: Membership, index: int) -> bool:
    """Training, accreditation and a phone for the first observers; False when already done."""
    if member.trained_on or member.accreditation_number or index >= TRAINED:
        return False
    member.trained_on = TRAINED_ON
    member.phone = member.phone or f"+7 701 555 {index:04d}"
    if index < ACCREDITED:
        member.accreditation_number = f"ЦИК-2023-{1000 + index}"
    if index < WITH_PHOTO:
        member.accreditation_photo.save(f"{member.pk}.jpg", ContentFile(document_image(index)), save=False)
    member.save()
    return True


def document_image(index: int) -> bytes:
    image = Image.new("RGB", (640, 420), (236, 232, 220))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 620, 400), outline=(40, 60, 120), width=6)
    draw.text((60, 60), f"Accreditation No. {1000 + index}", fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def silent_observers(election: Election, organization: Organization) -> int:
    """Observers assigned to sampled stations nobody else covers, who never check in."""
    User = get_user_model()
    if User.objects.filter(username="silent1").exists():
        return SILENT
    taken = Assignment.objects.filter(station__election=election).values("station_id")
    stations = list(
        election.stations.filter(in_sample=True)
        .exclude(pk__in=taken)
        .order_by("district__number", "pk")[:SILENT]
    )
    password = make_password(None)
    for index, station in enumerate(stations, start=1):
        user = User.objects.create(
            username=f"silent{index}", first_name="Silent", last_name=f"Observer {index}", password=password
        )
        membership = Membership.objects.create(
            user=user, organization=organization, role=Role.OBSERVER, phone=f"+7 702 555 {index:04d}"
        )
        Assignment.objects.create(membership=membership, station=station)
    return len(stations)


def mark_calls(election: Election, organization: Organization, reviewer) -> int:
    """Calls on the first missing stations at arrival, once, at the times a reviewer would make them."""
    if RecontactCall.objects.filter(election=election, organization=organization).exists():
        return 0
    entries = missing_entries(organization_id=organization.pk, election=election)
    arrival = [entry for entry in entries if entry.stage == "arrival"][: len(CALLS)]
    zone = ZoneInfo(election.timezone)
    for minute, (entry, (outcome, note)) in enumerate(zip(arrival, CALLS, strict=False)):
        recontact_call_record(
            by=reviewer,
            organization=organization,
            election=election,
            station=entry.station,
            stage=entry.stage,
            outcome=outcome,
            note=note,
            at=datetime.combine(election.date, time(8, 20 + 5 * minute), tzinfo=zone),
        )
    return min(len(arrival), len(CALLS))
