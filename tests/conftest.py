from dataclasses import dataclass

import pytest
import redis as redis_client
from django.contrib.auth import get_user_model
from django.utils import translation
from rest_framework.test import APIClient

from counts.models import Choice, Contest, ContestKind
from people.services import token_issue
from stations.models import District, Election, PollingStation, Region
from tests.s3 import object_store, s3_server  # noqa: F401 - moto's S3 server and a bucket per test
from tests.services import TEST_REDIS_URL, port_answers, unavailable


@pytest.fixture(autouse=True)
def english():
    """Each test starts in English: a request in another language leaves it active in the thread."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: ids repeat across tests, so a key built from them
    could otherwise hand one test another's cached count, scores or request budget."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def redis_url():
    """A real Redis on loopback, emptied before the test."""
    if not port_answers(TEST_REDIS_URL):
        unavailable(f"no Redis answers at {TEST_REDIS_URL} (start redis-server to run this test)")
    client = redis_client.Redis.from_url(TEST_REDIS_URL)
    client.flushdb()
    client.close()
    return TEST_REDIS_URL


@pytest.fixture
def election(db):
    return Election.objects.create(slug="test-2023", name="Test election 2023", date="2023-03-19")


@pytest.fixture
def make_station(election):
    """Build stations in `election`, creating the region and district on first use."""

    def make(number: str, *, district: int = 1, region: str = "Astana", **fields) -> PollingStation:
        region_row, _ = Region.objects.get_or_create(election=election, name=region)
        district_row, _ = District.objects.get_or_create(
            election=election,
            number=district,
            defaults={"name": f"District {district}", "region": region_row},
        )
        fields.setdefault("registered_voters", 1000)
        return PollingStation.objects.create(
            election=election, number=number, region=region_row, district=district_row, **fields
        )

    return make


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "pw-for-tests-only")


@pytest.fixture
def organization(db):
    from people.models import Organization

    return Organization.objects.create(name="Honest Count", slug="honest-count")


@pytest.fixture
def other_organization(db):
    from people.models import Organization

    return Organization.objects.create(name="Another Watch", slug="another-watch")


@pytest.fixture
def station(make_station):
    return make_station("101", district=1, region="Astana", name="School 5", address="Abai St. 1")


@pytest.fixture
def make_member(db):
    """A user with a role in an organization, optionally assigned to stations."""
    from people.models import Assignment, Membership, Role

    def make(username: str, organization, *, role=Role.OBSERVER, stations=(), roaming=False, **user_fields):
        user = get_user_model().objects.create_user(username, password="pw-for-tests-only", **user_fields)
        membership = Membership.objects.create(
            user=user, organization=organization, role=role, roaming=roaming
        )
        for assigned in stations:
            Assignment.objects.create(membership=membership, station=assigned)
        return user

    return make


@pytest.fixture
def observer(make_member, organization, station):
    """The owner: an observer of `organization` assigned to `station`."""
    return make_member("observer-a", organization, stations=[station])


@pytest.fixture
def other_observer(make_member, other_organization, make_station):
    """An observer of another organization, assigned elsewhere."""
    return make_member("observer-b", other_organization, stations=[make_station("999", district=2)])


@pytest.fixture
def unassigned_observer(make_member, organization):
    return make_member("observer-c", organization)


@pytest.fixture
def reviewer(make_member, organization):
    from people.models import Role

    return make_member("reviewer-a", organization, role=Role.REVIEWER, is_staff=True)


@pytest.fixture
def coordinator(make_member, organization):
    from people.models import Role

    return make_member("coordinator-a", organization, role=Role.COORDINATOR, is_staff=True)


PARTIES = [("amanat", "Amanat"), ("auyl", "Auyl"), ("respublica", "Respublica")]


@dataclass
class Contests:
    party_list: Contest
    smd: Contest


@pytest.fixture
def contests(election, station, make_station) -> Contests:
    """A party list, and candidates standing in district 1 (the station's) and in district 2."""
    elsewhere = make_station("201", district=2)
    party_list = Contest.objects.create(
        election=election, code="party_list", name="Party list", kind=ContestKind.PARTY_LIST
    )
    for position, (code, name) in enumerate(PARTIES, start=1):
        Choice.objects.create(contest=party_list, code=code, name=name, position=position)
    smd = Contest.objects.create(
        election=election, code="smd", name="Single-mandate district", kind=ContestKind.CANDIDATES
    )
    Choice.objects.create(
        contest=smd, code="d1-ivanova", name="A. Ivanova", district=station.district, position=1
    )
    Choice.objects.create(
        contest=smd, code="d1-seitkali", name="B. Seitkali", district=station.district, position=2
    )
    Choice.objects.create(
        contest=smd, code="d2-omarov", name="C. Omarov", district=elsewhere.district, position=1
    )
    return Contests(party_list=party_list, smd=smd)


@pytest.fixture
def signed_in(request):
    """A client signed in with a session as a user, or the user of the named fixture (None: anonymous)."""

    def make(who) -> APIClient:
        client = APIClient()
        if isinstance(who, str):
            who = request.getfixturevalue(who)
        if who is not None:
            client.force_login(who)
        return client

    return make


@pytest.fixture
def observer_api(observer):
    client = APIClient()
    client.force_login(observer)
    return client


@pytest.fixture
def bearer():
    """A client that sends only `Authorization: Bearer <key>` for a new token of `user`."""

    def make(user, *, enforce_csrf_checks: bool = False) -> APIClient:
        _token, key = token_issue(user=user)
        client = APIClient(enforce_csrf_checks=enforce_csrf_checks)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client

    return make
