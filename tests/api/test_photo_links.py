"""The photo links in the observer API's answers work with the credentials the API took: the phone's
bearer token, as well as a browser session."""

import io
import uuid

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from PIL import Image

from tests.api.conftest import photo_file
from tests.api.test_counts import PROTOCOLS, protocol


def fetch(client, address: str):
    response = client.get(address)
    content = b"".join(response.streaming_content) if response.status_code == 200 else b""
    return response, content


@pytest.fixture
def sent_photo(bearer, observer, make_report) -> dict:
    """A photo the phone added to its report with its token, as the API answered it."""
    report = make_report()
    response = bearer(observer).post(
        f"/api/v1/reports/{report.id}/photos/",
        {"id": str(uuid.uuid4()), "photo": photo_file()},
        format="multipart",
    )
    assert response.status_code == 201
    return response.json()


def test_the_owners_token_fetches_the_photo_and_its_thumbnail_from_the_api_links(
    bearer, observer, sent_photo
):
    phone = bearer(observer)

    for address in (sent_photo["url"], sent_photo["thumbnail_url"]):
        response, content = fetch(phone, address)

        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert "Authorization" in response["Vary"]
        assert Image.open(io.BytesIO(content)).format == "JPEG"


@pytest.mark.parametrize("who", ["reviewer", "coordinator"])
def test_the_staff_of_the_observers_organization_fetch_the_photo_with_a_token(
    request, bearer, sent_photo, who
):
    response, _content = fetch(bearer(request.getfixturevalue(who)), sent_photo["url"])

    assert response.status_code == 200


@pytest.mark.parametrize("who", ["other_observer", "unassigned_observer"])
def test_another_observers_token_gets_404_for_the_photo(request, bearer, sent_photo, who):
    client = bearer(request.getfixturevalue(who))

    for address in (sent_photo["url"], sent_photo["thumbnail_url"]):
        assert client.get(address).status_code == 404


def test_a_token_that_is_not_valid_gets_401_in_the_api_error_shape(api, sent_photo):
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")

    response = api.get(sent_photo["url"])

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_invalid"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_without_any_credentials_the_photo_link_sends_to_sign_in(api, sent_photo):
    path = sent_photo["url"].removeprefix("http://testserver")

    response = api.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={path}"


def test_the_owners_token_fetches_the_protocol_photo_from_the_api_links(bearer, observer, station, contests):
    phone = bearer(observer)
    body = phone.post(PROTOCOLS, protocol(station), format="multipart").json()

    for address in (body["photo"]["url"], body["photo"]["thumbnail_url"]):
        response, content = fetch(phone, address)

        assert response.status_code == 200
        assert Image.open(io.BytesIO(content)).format == "JPEG"


def test_another_observers_token_gets_404_for_the_protocol_photo(
    bearer, observer, other_observer, station, contests
):
    body = bearer(observer).post(PROTOCOLS, protocol(station), format="multipart").json()

    assert bearer(other_observer).get(body["photo"]["url"]).status_code == 404
