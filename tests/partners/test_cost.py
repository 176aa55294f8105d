"""What a request costs a partner key: a page of a list 1, a whole-election export or a picture
drawn afresh more, from the same budget; and one key streams at most two exports at once."""

import pytest
from django.core.cache import cache

from tests.partners.test_forensics import FINGERPRINT, tested  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

STATIONS = "/api/v1/elections/test-2023/stations/"
GEOJSON = "/api/v1/elections/test-2023/stations.geojson"
INCIDENTS = "/api/v1/incidents/"


@pytest.fixture
def budget(settings):
    settings.PARTNER_RATE = "15/min"
    settings.PARTNER_EXPORT_COST = 10
    settings.PARTNER_PICTURE_COST = 10


def read(response) -> bytes:
    """Read a streamed export to its end, as a client does; the response is then closed."""
    return b"".join(response.streaming_content)


def test_it_charges_a_whole_election_export_more_than_a_page(partner_api, budget, election, station):
    client = partner_api()
    read(client.get(STATIONS, {"format": "csv"}))
    for _ in range(5):
        assert client.get(STATIONS).status_code == 200

    refused = client.get(STATIONS)

    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert 0 < int(refused["Retry-After"]) <= 60


def test_it_refuses_an_export_the_budget_left_cannot_pay_and_says_how_long_to_wait(
    partner_api, budget, election, station
):
    client = partner_api()
    for _ in range(6):
        assert client.get(INCIDENTS).status_code == 200

    refused = client.get(INCIDENTS, {"format": "csv"})

    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/json"
    assert 0 < int(refused["Retry-After"]) <= 60
    # A page still fits in what is left.
    assert client.get(INCIDENTS).status_code == 200


def test_it_charges_a_picture_fully_only_when_it_is_drawn_afresh(partner_api, budget, tested):  # noqa: F811
    client = partner_api("scores:read")
    assert client.get(FINGERPRINT).status_code == 200  # drawn: 10
    for _ in range(5):
        assert client.get(FINGERPRINT).status_code == 200  # from the cache: 1 each
    assert client.get(FINGERPRINT).status_code == 429

    cache.clear()  # a fresh budget, and no picture kept
    client.get(FINGERPRINT)
    assert client.get(FINGERPRINT, {"district": 4}).status_code == 429  # another picture: 10 more


def test_it_lets_one_key_stream_only_two_exports_at_once(partner_api, election, station):
    client = partner_api()
    first = client.get(STATIONS, {"format": "csv"})
    second = client.get(GEOJSON)
    assert (first.status_code, second.status_code) == (200, 200)

    third = client.get(INCIDENTS, {"format": "csv"})

    assert third.status_code == 429
    assert third.json()["error"]["code"] == "too_many_exports"
    assert int(third["Retry-After"]) > 0
    # Another key has slots of its own; a list page is no export.
    assert partner_api().get(INCIDENTS, {"format": "csv"}).status_code == 200
    assert client.get(INCIDENTS).status_code == 200
    # Once one export has been read to its end, its slot is free again.
    read(first)
    assert client.get(INCIDENTS, {"format": "csv"}).status_code == 200


# Closing a response ends its request, which closes the database connection: no test transaction.
@pytest.mark.django_db(transaction=True)
def test_an_export_closed_before_it_was_read_frees_its_slot(partner_api, election, station):
    client = partner_api()
    for _ in range(2):
        client.get(STATIONS, {"format": "csv"}).close()  # as the server does when the client leaves

    assert client.get(GEOJSON).status_code == 200
