"""Partners register, list and delete their webhook endpoints with their key: the scope matrix."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from partners.keys import key_revoke
from partners.models import PartnerKey
from people.services import token_issue
from webhooks.models import WebhookEndpoint
from webhooks.services import MAX_ENDPOINTS_PER_PARTNER

pytestmark = pytest.mark.django_db

URL = "/api/v1/webhooks/"
BOTH = ["incident.verified", "district.band_changed"]


@pytest.fixture(autouse=True)
def generous_rate(settings):
    settings.PARTNER_RATE = "10000/min"


def error(response) -> dict:
    return response.json()["error"]


def register(client, url, events=BOTH):
    return client.post(URL, {"url": url, "events": events}, format="json")


def test_a_partner_registers_an_endpoint_and_sees_its_secret_once(partner_api, partner_key, receiver):
    client = partner_api(partner_key[1])
    created = register(client, receiver.url)
    assert created.status_code == 201
    body = created.json()
    endpoint = WebhookEndpoint.objects.get()
    assert body["secret"] == endpoint.secret
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert (body["id"], body["url"], body["events"], body["active"]) == (
        endpoint.pk,
        receiver.url,
        BOTH,
        True,
    )

    listed = client.get(URL)
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [endpoint.pk]
    assert "secret" not in listed.json()["results"][0]
    assert endpoint.secret not in listed.content.decode()


@pytest.mark.parametrize(
    ("scopes", "events", "status"),
    [
        (["incidents:read"], ["incident.verified"], 201),
        (["scores:read"], ["district.band_changed"], 201),
        (["incidents:read", "scores:read"], BOTH, 201),
        (["scores:read"], ["incident.verified"], 400),
        (["incidents:read"], ["district.band_changed"], 400),
        (["incidents:read"], BOTH, 400),
        (["exports:read", "photos:read"], ["incident.verified"], 400),
    ],
)
def test_each_event_needs_its_scope_in_the_registering_key(
    partner_api, make_key, partner, receiver, scopes, events, status
):
    _row, key = make_key(partner, scopes=scopes)
    response = register(partner_api(key), receiver.url, events)
    assert response.status_code == status
    if status == 400:
        assert error(response)["code"] == "invalid"
        assert "lacks" in error(response)["fields"]["events"][0]
        assert WebhookEndpoint.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"events": BOTH}, "url"),
        ({"url": "http://127.0.0.1:9/h"}, "events"),
        ({"url": "http://127.0.0.1:9/h", "events": []}, "events"),
        ({"url": "http://127.0.0.1:9/h", "events": ["report.created"]}, "events"),
        ({"url": "http://127.0.0.1:9/h", "events": "incident.verified"}, "events"),
        ({"url": "ftp://127.0.0.1/h", "events": BOTH}, "url"),
        ({"url": "x" * 2001, "events": BOTH}, "url"),
    ],
)
def test_a_bad_registration_is_a_400_naming_the_field(partner_api, partner_key, body, field):
    response = partner_api(partner_key[1]).post(URL, body, format="json")
    assert response.status_code == 400
    assert field in error(response)["fields"]


def test_a_private_address_is_refused_at_registration(settings, partner_api, partner_key):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    response = register(partner_api(partner_key[1]), "http://127.0.0.1:8000/hook")
    assert response.status_code == 400
    assert "private or reserved" in error(response)["fields"]["url"][0]


def test_a_partner_may_register_only_so_many_endpoints(partner_api, partner_key, receiver):
    client = partner_api(partner_key[1])
    for n in range(MAX_ENDPOINTS_PER_PARTNER):
        assert register(client, f"{receiver.url}/{n}").status_code == 201
    response = register(client, receiver.url)
    assert response.status_code == 400
    assert str(MAX_ENDPOINTS_PER_PARTNER) in error(response)["message"]


def test_without_a_usable_partner_key_nothing_is_registered_or_listed(
    partner_api, make_key, partner, receiver, observer, reviewer
):
    revoked_row, revoked = make_key(partner)
    key_revoke(prefix=revoked_row.prefix)
    expired_row, expired = make_key(partner)
    PartnerKey.objects.filter(pk=expired_row.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    _token, observer_token = token_issue(user=observer)
    staff = APIClient()
    staff.force_login(reviewer)
    clients = {
        "anonymous": APIClient(),
        "revoked": partner_api(revoked),
        "expired": partner_api(expired),
        "observer token": partner_api(observer_token),
        "staff session": staff,
        "unknown key": partner_api("bqp_00000000_nothing"),
    }
    for who, client in clients.items():
        for response in (client.get(URL), register(client, receiver.url)):
            assert response.status_code == 401, who
            assert set(response.json()) == {"error"}, who
    assert WebhookEndpoint.objects.count() == 0


def test_a_partner_deletes_its_own_endpoint_but_another_partners_is_not_found(
    partner_api, partner_key, make_key, other_partner, receiver
):
    mine = partner_api(partner_key[1])
    theirs = partner_api(make_key(other_partner)[1])
    own_id = register(mine, receiver.url).json()["id"]
    other_id = register(theirs, receiver.url).json()["id"]

    assert [row["id"] for row in mine.get(URL).json()["results"]] == [own_id]
    for missing in (other_id, 999999, 2**70):
        response = mine.delete(f"{URL}{missing}/")
        assert response.status_code == 404
        assert error(response)["code"] == "not_found"
    assert WebhookEndpoint.objects.filter(pk=other_id).exists()

    assert mine.delete(f"{URL}{own_id}/").status_code == 204
    assert not WebhookEndpoint.objects.filter(pk=own_id).exists()
    assert mine.delete(f"{URL}{own_id}/").status_code == 404


@pytest.mark.parametrize("rows", [1, MAX_ENDPOINTS_PER_PARTNER])
def test_the_list_takes_the_same_queries_for_one_endpoint_and_for_many(
    partner_api, partner_key, receiver, django_assert_num_queries, rows
):
    client = partner_api(partner_key[1])
    for n in range(rows):
        register(client, f"{receiver.url}/{n}")
    with django_assert_num_queries(2):  # the key, the endpoints
        response = client.get(URL)
    assert len(response.json()["results"]) == rows
