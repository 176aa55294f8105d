import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import ExifTags, Image

from complaints.models import Addressee, ComplaintTemplate, DeadlineFrom, DeadlineRule, Language
from people.models import Role
from people.roles import ensure_groups
from reports.services import report_submit, report_verify
from tests.images import jpeg_bytes

MORNING = datetime(2023, 3, 19, 9, 15, tzinfo=UTC)
KAZAKH_LETTERS = "ә ғ қ ң ө ұ ү һ і"  # noqa: RUF001 - the Kazakh letters themselves

BODY = """To the {addressee}
From: {complainant}

COMPLAINT about violations at polling station No. {station_number} ({station_name}, {station_address}),
district {district}, {election}.

{observer_count} independent observers of {organization} saw:
{facts}

Legal basis: {legal_basis}

I ask: {requested_action}

Evidence:
{evidence_list}

{previous_complaint}
Date: {date}"""


def photo_upload(color=(200, 30, 30), taken="2023:03:19 15:10:00") -> SimpleUploadedFile:
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = taken
    return SimpleUploadedFile("photo.jpg", jpeg_bytes(color=color, exif=exif), content_type="image/jpeg")


@pytest.fixture
def reviewer(reviewer):
    reviewer.groups.add(ensure_groups()["Reviewer"])
    return reviewer


@pytest.fixture
def coordinator(coordinator):
    coordinator.groups.add(ensure_groups()["Coordinator"])
    return coordinator


@pytest.fixture
def submit(coordinator):
    """An observer's report, verified by the organization's coordinator unless told otherwise."""

    def make(observer, station, *, minutes=0, category="ballot_stuffing", verify=True, **fields):
        report, _ = report_submit(
            observer=observer,
            id=uuid.uuid4(),
            station_id=station.pk,
            category=category,
            phase="voting",
            occurred_at=MORNING + timedelta(minutes=minutes),
            **fields,
        )
        if verify:
            report_verify(report=report, by=coordinator)
            report.refresh_from_db()
        return report

    return make


@pytest.fixture
def second_observer(make_member, organization, station):
    return make_member(
        "observer-a2", organization, stations=[station], first_name="Aigerim", last_name="Nurlanova"
    )


@pytest.fixture
def observer(make_member, organization, station):
    return make_member(
        "observer-a", organization, stations=[station], first_name="Dana", last_name="Seitkali"
    )


@pytest.fixture
def station_reports(submit, observer, second_observer, station):
    """Two verified reports of the station by two observers, one with two photos."""
    first = submit(
        observer,
        station,
        description=f"Extra ballots dropped into box 2 ({KAZAKH_LETTERS})",
        photos=[photo_upload(), photo_upload((0, 90, 200), taken="2023:03:19 15:12:00")],
    )
    second = submit(
        second_observer, station, minutes=20, category="multiple_voting", description="Same voters twice"
    )
    return [first, second]


@pytest.fixture
def make_template(organization, election):
    def make(*, addressee_kind=Addressee.PRECINCT, language=Language.ENGLISH, **fields):
        fields.setdefault("title", "Complaint")
        fields.setdefault("body", BODY)
        fields.setdefault("legal_basis", "Articles 20 and 49 of the Constitutional Law on Elections")
        fields.setdefault("requested_action", "Annul the results of the station and recount the ballots.")
        fields.setdefault("deadline_rule", DeadlineRule.DAYS)
        fields.setdefault("deadline_amount", 5)
        fields.setdefault("deadline_from", DeadlineFrom.FILING)
        return ComplaintTemplate.objects.create(
            organization=organization,
            election=election,
            addressee_kind=addressee_kind,
            language=language,
            **fields,
        )

    return make


@pytest.fixture
def templates(make_template):
    return {kind: make_template(addressee_kind=kind) for kind in Addressee.values}


@pytest.fixture
def consent(organization):
    from people.models import Membership

    def give(user):
        Membership.objects.filter(user=user, organization=organization).update(
            complaint_consent_at=timezone.now()
        )

    return give


@pytest.fixture
def other_coordinator(make_member, other_organization):
    user = make_member("coordinator-b", other_organization, role=Role.COORDINATOR, is_staff=True)
    user.groups.add(ensure_groups()["Coordinator"])
    return user
