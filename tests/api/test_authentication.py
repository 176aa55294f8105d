import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from people.models import ObserverToken
from people.services import token_issue, token_revoke
from reports.models import CheckIn
from tests.api.conftest import MORNING, error
from tests.people.test_accounts import code_for, wrong_code_for

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"
WRONG_CREDENTIALS = "The username or password is wrong."
EXPIRED = "Your sign-in has expired; sign in again. Nothing waiting to be sent is lost."


def checkin_body(station) -> dict:
    return {"id": str(uuid.uuid4()), "station": station.pk, "kind": "arrival", "at": MORNING.isoformat()}


def test_an_observer_trades_username_and_password_for_a_token(api, observer):
    response = api.post(TOKEN_URL, {"username": "observer-a", "password": "pw-for-tests-only"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["username"] == "observer-a"
    token = ObserverToken.objects.get(user=observer)
    assert token.key_hash == ObserverToken.hash_key(body["token"])
    assert token.prefix == body["token"][:8]
    expires_at = timezone.datetime.fromisoformat(body["expires_at"])
    assert expires_at == token.expires_at
    assert abs(expires_at - (timezone.now() + timedelta(days=14))) < timedelta(minutes=1)


@pytest.mark.parametrize(
    ("username", "password"),
    [("observer-a", "wrong-password"), ("nobody", "pw-for-tests-only"), ("disabled", "pw-for-tests-only")],
)
def test_wrong_credentials_and_a_disabled_account_get_the_same_answer(api, observer, username, password):
    get_user_model().objects.create_user("disabled", password="pw-for-tests-only", is_active=False)

    response = api.post(TOKEN_URL, {"username": username, "password": password}, format="json")

    assert response.status_code == 400
    assert error(response) == {"code": "invalid_credentials", "message": WRONG_CREDENTIALS}
    assert ObserverToken.objects.count() == 0


def test_asking_for_a_token_without_a_password_names_the_missing_field(api, observer):
    response = api.post(TOKEN_URL, {"username": "observer-a"}, format="json")

    assert response.status_code == 400
    assert error(response)["fields"] == {"password": ["This field is required."]}


def test_a_token_from_the_token_endpoint_signs_in_as_bearer(api, observer):
    key = api.post(
        TOKEN_URL, {"username": "observer-a", "password": "pw-for-tests-only"}, format="json"
    ).json()["token"]
    phone = APIClient()
    phone.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    response = phone.get(ME_URL)

    assert response.status_code == 200
    assert response.json()["username"] == "observer-a"
    assert ObserverToken.objects.get(user=observer).last_used_at is not None


def test_last_used_is_written_at_most_once_a_minute(observer):
    token, key = token_issue(user=observer)
    phone = APIClient()
    phone.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    recently = timezone.now() - timedelta(seconds=30)
    ObserverToken.objects.filter(pk=token.pk).update(last_used_at=recently)

    with CaptureQueriesContext(connection) as queries:
        assert phone.get(ME_URL).status_code == 200
    assert not [q for q in queries if q["sql"].startswith("UPDATE")]
    token.refresh_from_db()
    assert token.last_used_at == recently

    ObserverToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    with CaptureQueriesContext(connection) as queries:
        assert phone.get(ME_URL).status_code == 200
    assert len([q for q in queries if q["sql"].startswith("UPDATE")]) == 1
    token.refresh_from_db()
    assert timezone.now() - token.last_used_at < timedelta(seconds=5)


def test_an_expired_token_is_refused_with_sign_in_again(observer):
    token, key = token_issue(user=observer)
    ObserverToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    phone = APIClient()
    phone.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    response = phone.get(ME_URL)

    assert response.status_code == 401
    assert error(response) == {"code": "token_expired", "message": EXPIRED}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused(observer):
    token, key = token_issue(user=observer)
    token_revoke(token=token)
    phone = APIClient()
    phone.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    response = phone.get(ME_URL)

    assert response.status_code == 401
    assert error(response)["code"] == "token_revoked"
    assert "sign in again" in error(response)["message"]


@pytest.mark.parametrize("header", ["Bearer not-a-key-we-issued", "Bearer", "Bearer two parts"])
def test_an_unknown_key_or_a_malformed_header_is_refused(observer, header):
    token_issue(user=observer)
    phone = APIClient()
    phone.credentials(HTTP_AUTHORIZATION=header)

    response = phone.get(ME_URL)

    assert response.status_code == 401
    assert error(response)["code"] == "token_invalid"


def test_a_token_of_a_disabled_account_is_refused(observer):
    _token, key = token_issue(user=observer)
    observer.is_active = False
    observer.save(update_fields=["is_active"])
    phone = APIClient()
    phone.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    assert phone.get(ME_URL).status_code == 401


def test_a_request_without_credentials_gets_401_with_a_bearer_challenge(api):
    response = api.get(ME_URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert error(response) == {
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
    }


def test_bearer_requests_need_no_csrf_token(bearer, observer, station):
    phone = bearer(observer, enforce_csrf_checks=True)

    response = phone.post("/api/v1/checkins/", checkin_body(station), format="json")

    assert response.status_code == 201
    assert CheckIn.objects.count() == 1


def test_a_session_post_without_csrf_token_is_refused(observer, station):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(observer)

    response = browser.post("/api/v1/checkins/", checkin_body(station), content_type="application/json")

    assert response.status_code == 403
    assert error(response)["code"] == "permission_denied"
    assert "CSRF" in error(response)["message"]
    assert CheckIn.objects.count() == 0


def test_a_session_post_with_the_csrf_token_is_accepted(observer, station):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(observer)
    secret = "a" * 32
    browser.cookies["csrftoken"] = secret

    response = browser.post(
        "/api/v1/checkins/", checkin_body(station), content_type="application/json", HTTP_X_CSRFTOKEN=secret
    )

    assert response.status_code == 201
    assert CheckIn.objects.count() == 1


@pytest.mark.parametrize("method", ["get", "post", "options"])
def test_an_unknown_address_under_the_api_answers_404_in_the_api_shape(api, method):
    response = getattr(api, method)("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert error(response) == {"code": "not_found", "message": "Not found."}


def test_a_method_the_endpoint_does_not_take_answers_405_in_the_api_shape(observer_api):
    response = observer_api.delete("/api/v1/me/")

    assert response.status_code == 405
    assert error(response) == {"code": "method_not_allowed", "message": 'Method "DELETE" not allowed.'}


def test_the_token_endpoint_only_takes_post(api):
    assert api.get(TOKEN_URL).status_code == 405


# --- Two-factor codes: a staff user with an authenticator app needs its code for a token too -------


@pytest.fixture
def device(coordinator):
    return TOTPDevice.objects.create(user=coordinator, name="Phone", confirmed=True)


def ask_for_token(api, code: str | None = None, password: str = "pw-for-tests-only"):
    body = {"username": "coordinator-a", "password": password}
    if code is not None:
        body["code"] = code
    return api.post(TOKEN_URL, body, format="json")


@pytest.mark.parametrize("code", [None, "", "wrong"])
def test_a_staff_user_with_an_app_gets_no_token_without_the_right_code(api, device, code):
    response = ask_for_token(api, wrong_code_for(device) if code == "wrong" else code)

    assert response.status_code == 400
    assert error(response) == {"code": "invalid_credentials", "message": WRONG_CREDENTIALS}
    assert ObserverToken.objects.count() == 0


def test_a_missing_code_counts_towards_the_lockout_like_a_wrong_password(api, device):
    assert [ask_for_token(api).status_code for _ in range(4)] == [400] * 4
    assert ask_for_token(api).status_code == 429
    response = ask_for_token(api, code_for(device))
    assert response.status_code == 429
    assert error(response)["code"] == "locked_out"
    assert ObserverToken.objects.count() == 0


def test_a_staff_user_with_an_app_gets_a_token_with_the_right_code(api, device, coordinator):
    response = ask_for_token(api, " ".join([code_for(device)[:3], code_for(device)[3:]]))

    assert response.status_code == 201
    assert ObserverToken.objects.get(user=coordinator).key_hash == ObserverToken.hash_key(
        response.json()["token"]
    )


def test_an_observer_without_an_app_may_send_an_empty_code(api, observer):
    body = {"username": "observer-a", "password": "pw-for-tests-only", "code": ""}

    assert api.post(TOKEN_URL, body, format="json").status_code == 201


def test_a_code_longer_than_any_app_shows_is_refused_by_name(api, device):
    response = ask_for_token(api, "1" * 13)

    assert response.status_code == 400
    assert list(error(response)["fields"]) == ["code"]
    assert ObserverToken.objects.count() == 0
