import uuid
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from partners.keys import key_create
from partners.models import Partner, Scope
from people.models import Membership, Organization, Role
from reports.services import report_ask, report_reject, report_submit, report_verify
from stations.models import PollingStation
from tests.images import jpeg_bytes

MORNING = datetime.fromisoformat("2023-03-19T09:30:00+06:00")
ALL_SCOPES = list(Scope.values)

# What an observer and a reviewer leave behind that must never reach a partner; each value is
# distinctive enough that finding it anywhere in a response means it leaked.
SECRETS = {
    "username": "zqobserverlogin",
    "first_name": "Zhanargulova",
    "last_name": "Qwertyuiopbek",
    "email": "zq-hidden@observers.example",
    "phone": "+77015559876",
    "latitude": "43.257813",
    "longitude": "76.945627",
    "review_note": "zq-review-note-inside-only",
    "question": "zq-question-to-the-observer",
    "rejection": "zq-rejected-for-good-reason",
    "rejected_text": "zq-a-rejected-account",
    "submitted_text": "zq-an-unreviewed-account",
    "needs_info_text": "zq-an-account-in-question",
    "unshared_text": "zq-an-account-not-shared",
    "organization": "Zq Secret Observers Union",
}


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    """Request budgets live in the cache; each test starts with full ones."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    """A client without any credentials."""
    return APIClient()


@pytest.fixture
def partner(organization):
    return Partner.objects.create(name="Daily Steppe", organization=organization)


@pytest.fixture
def make_key(partner):
    """A new key of `partner` (or another) with these scopes; returns the key as the partner holds it."""

    def make(*scopes: str, days: int = 30, of: Partner | None = None) -> str:
        _row, key = key_create(partner=of or partner, scopes=scopes or ALL_SCOPES, days=days)
        return key

    return make


@pytest.fixture
def partner_api(make_key):
    """A client that sends a new partner key with these scopes (every scope when none given)."""

    def make(*scopes: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(*scopes)}")
        return client

    return make


def photo_upload(color=(200, 30, 30)) -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.jpg", jpeg_bytes(color=color), content_type="image/jpeg")


@pytest.fixture
def secret_observer(make_member, organization, station):
    user = make_member(
        SECRETS["username"],
        organization,
        stations=[station],
        first_name=SECRETS["first_name"],
        last_name=SECRETS["last_name"],
        email=SECRETS["email"],
    )
    Membership.objects.filter(user=user).update(phone=SECRETS["phone"])
    return user


@pytest.fixture
def make_incident(secret_observer, station, make_member):
    """A report filed through the service with the observer's exact position, then reviewed:
    status "verified" (the default), "rejected", "needs_info" or "submitted"."""

    reviewers = {}

    def reviewer_of(report):
        if report.organization_id not in reviewers:
            reviewers[report.organization_id] = make_member(
                f"reviewer-{report.organization_id}", report.organization, role=Role.REVIEWER, is_staff=True
            )
        return reviewers[report.organization_id]

    def make(*, status="verified", user=None, at_station=None, photos=0, minutes=0, **fields):
        report, _created = report_submit(
            observer=user or secret_observer,
            id=uuid.uuid4(),
            station_id=(at_station or station).pk,
            category=fields.pop("category", "ballot_stuffing"),
            phase=fields.pop("phase", "voting"),
            occurred_at=MORNING + timedelta(minutes=minutes),
            latitude=Decimal(SECRETS["latitude"]),
            longitude=Decimal(SECRETS["longitude"]),
            accuracy_m=12,
            photos=[photo_upload((index * 40, 10, 10)) for index in range(photos)],
            **fields,
        )
        by = reviewer_of(report)
        if status == "verified":
            report_verify(report=report, by=by, note=SECRETS["review_note"])
        elif status == "rejected":
            report_reject(report=report, by=by, reason=SECRETS["rejection"])
        elif status == "needs_info":
            report_ask(report=report, by=by, question=SECRETS["question"])
        report.refresh_from_db()
        return report

    return make


def coordinator_of(make_member, organization, username: str):
    from people.roles import ensure_groups

    user = make_member(username, organization, role=Role.COORDINATOR, is_staff=True)
    user.groups.add(ensure_groups()["Coordinator"])
    return user


@pytest.fixture
def unsharing_observer(make_member, make_station):
    """An observer of an organization that keeps its incidents from partners."""
    organization = Organization.objects.create(
        name=SECRETS["organization"], slug="zq-secret", share_with_partners=False
    )
    return make_member("zq-unsharing", organization, stations=[make_station("555", district=3)])


@pytest.fixture
def every_kind(make_incident, unsharing_observer):
    """One report in each state a partner must not see, and one verified report with a photo."""
    make_incident(status="rejected", description=SECRETS["rejected_text"], minutes=1)
    make_incident(status="submitted", description=SECRETS["submitted_text"], minutes=2)
    make_incident(status="needs_info", description=SECRETS["needs_info_text"], minutes=3)
    make_incident(
        user=unsharing_observer,
        at_station=PollingStation.objects.get(number="555"),
        description=SECRETS["unshared_text"],
        minutes=4,
    )
    return make_incident(description="Ballots were added to box 2.", photos=1, minutes=5)


def assert_no_secret_in(text: str) -> None:
    leaked = {name: value for name, value in SECRETS.items() if value.lower() in text.lower()}
    assert leaked == {}
