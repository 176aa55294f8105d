"""Who may read which partner endpoint: the scope matrix, refused keys, budgets, and no CORS."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from partners.keys import key_revoke
from partners.models import PartnerKey, Scope
from people.services import token_issue

pytestmark = pytest.mark.django_db

SCORES, INCIDENTS, PHOTOS, EXPORTS = Scope.values
# Each endpoint (and export) with the scopes it needs together.
ENDPOINTS = {
    "/api/v1/elections/": {SCORES},
    "/api/v1/elections/test-2023/districts/": {SCORES},
    "/api/v1/elections/test-2023/districts/1/": {SCORES},
    "/api/v1/elections/test-2023/stations/": {SCORES},
    "/api/v1/incidents/": {INCIDENTS},
    "/api/v1/elections/test-2023/districts/?format=csv": {SCORES, EXPORTS},
    "/api/v1/elections/test-2023/stations/?format=csv": {SCORES, EXPORTS},
    "/api/v1/incidents/?format=csv": {INCIDENTS, EXPORTS},
    "/api/v1/elections/test-2023/stations.geojson": {SCORES, EXPORTS},
}
MATRIX = [(url, scope) for url in ENDPOINTS for scope in Scope.values]


@pytest.fixture(autouse=True)
def stations(station, make_station):
    make_station("202", district=2)


def key_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def error(response) -> dict:
    return response.json()["error"]


@pytest.mark.parametrize(("url", "scope"), MATRIX)
def test_each_scope_alone_opens_only_what_needs_no_other(partner_api, url, scope):
    response = partner_api(scope).get(url)

    if ENDPOINTS[url] == {scope}:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert error(response)["code"] == "scope_missing"
        named = [name for name in ENDPOINTS[url] if name in error(response)["message"]]
        assert len(named) == 1 and named[0] != scope


@pytest.mark.parametrize("url", ENDPOINTS)
def test_the_scopes_an_endpoint_names_together_open_it(partner_api, url):
    response = partner_api(*ENDPOINTS[url]).get(url)

    assert response.status_code == 200


@pytest.mark.parametrize("url", ENDPOINTS)
def test_without_a_key_it_is_401_with_a_bearer_challenge(api, url):
    response = api.get(url)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="partner-api"'
    assert response["Content-Type"] == "application/json"
    assert error(response)["code"] == "not_authenticated"


@pytest.mark.parametrize("url", ENDPOINTS)
def test_an_observers_token_is_not_a_partner_key(observer, url):
    _token, key = token_issue(user=observer)

    response = key_client(key).get(url)

    assert response.status_code == 401
    assert error(response)["code"] == "key_invalid"


@pytest.mark.parametrize("who", ["observer", "coordinator", "superuser"])
def test_a_signed_in_user_is_no_partner(request, who):
    client = APIClient()
    client.force_login(request.getfixturevalue(who))

    for url in ENDPOINTS:
        response = client.get(url)
        assert response.status_code == 401, url
        assert error(response)["code"] == "not_authenticated"


@pytest.mark.parametrize("url", ENDPOINTS)
def test_expired_and_revoked_keys_are_refused(make_key, url):
    expired, revoked = make_key(*Scope.values), make_key(*Scope.values)
    PartnerKey.objects.filter(prefix=expired.split("_")[1]).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    key_revoke(prefix=revoked.split("_")[1])

    for key, code in ((expired, "key_expired"), (revoked, "key_revoked")):
        response = key_client(key).get(url)
        assert response.status_code == 401
        assert error(response)["code"] == code


def test_an_unknown_key_is_refused(api):
    response = key_client("bqp_00000000_made-up").get("/api/v1/incidents/")

    assert response.status_code == 401
    assert error(response)["code"] == "key_invalid"


def test_a_used_key_records_when(make_key):
    key = make_key(SCORES)
    prefix = key.split("_")[1]
    assert PartnerKey.objects.get(prefix=prefix).last_used_at is None

    key_client(key).get("/api/v1/elections/")

    assert PartnerKey.objects.get(prefix=prefix).last_used_at is not None


@override_settings(PARTNER_RATE="3/min")
def test_a_key_over_its_rate_gets_429_with_retry_after(make_key):
    key = make_key()
    client = key_client(key)
    for _ in range(3):
        assert client.get("/api/v1/elections/").status_code == 200

    response = client.get("/api/v1/incidents/")

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert error(response)["code"] == "throttled"
    # Another key of the same partner has a budget of its own.
    assert key_client(make_key()).get("/api/v1/elections/").status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/elections/", "/api/v1/incidents/"])
def test_no_cors_headers_are_sent_to_another_origin(partner_api, url):
    client = partner_api()

    response = client.get(url, HTTP_ORIGIN="https://news.example")
    preflight = client.options(
        url, HTTP_ORIGIN="https://news.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )

    assert response.status_code == 200
    for answer in (response, preflight):
        assert not [name for name in answer.headers if name.lower().startswith("access-control-")]


def test_the_partner_api_takes_no_writes(partner_api):
    response = partner_api().post("/api/v1/incidents/", {})

    assert response.status_code == 405
    assert error(response)["code"] == "method_not_allowed"
