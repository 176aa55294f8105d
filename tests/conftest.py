import pytest
import redis as redis_client
from django.contrib.auth import get_user_model

from stations.models import District, Election, PollingStation, Region
from tests.services import TEST_REDIS_URL, port_answers, unavailable


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
