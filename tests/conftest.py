import pytest
import redis as redis_client
from django.contrib.auth import get_user_model
from django.utils import translation

from stations.models import District, Election, PollingStation, Region
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
    from reports.models import Organization

    return Organization.objects.create(name="Honest Count", slug="honest-count")


@pytest.fixture
def other_organization(db):
    from reports.models import Organization

    return Organization.objects.create(name="Another Watch", slug="another-watch")


@pytest.fixture
def station(make_station):
    return make_station("101", district=1, region="Astana", name="School 5", address="Abai St. 1")


@pytest.fixture
def make_member(db):
    """A user with a role in an organization, optionally assigned to stations."""
    from reports.models import Assignment, Membership, Role

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
    from reports.models import Role

    return make_member("reviewer-a", organization, role=Role.REVIEWER, is_staff=True)


@pytest.fixture
def coordinator(make_member, organization):
    from reports.models import Role

    return make_member("coordinator-a", organization, role=Role.COORDINATOR, is_staff=True)
