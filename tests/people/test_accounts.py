"""Sign-ins lock out after repeated failures, and staff can add a code from an authenticator app."""

import re
from base64 import b32encode
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessLog
from django.db.models import F
from django.test import RequestFactory
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from people.accounts import client_ip
from people.models import ObserverToken
from tests.test_config import boot

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"
LOCKED = "Too many failed sign-ins. Try again in 15 minutes, or ask your coordinator."
# The admin's one answer to a wrong password, a missing code and a wrong code.
REFUSED = (
    "Please enter the correct username and password for a staff account, and the code from your "
    "authenticator app if you turned on two-factor sign-in. Note that the fields may be case-sensitive."
)
WRONG_CODE = "The code is wrong or has expired."


def admin_sign_in(client, username: str, password: str = PASSWORD, code: str = "", **extra):
    data = {"username": username, "password": password, "code": code, "next": "/admin/"}
    return client.post("/admin/login/", data, **extra)


def fail_five_times(client, username: str, **extra):
    responses = [admin_sign_in(client, username, "wrong-password", **extra) for _ in range(5)]
    return [response.status_code for response in responses]


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead):06d}"


def wrong_code_for(device: TOTPDevice) -> str:
    return f"{(int(code_for(device)) + 1) % 1_000_000:06d}"


@pytest.fixture
def device(coordinator):
    return TOTPDevice.objects.create(user=coordinator, name="Phone", confirmed=True)


# --- Lockout ---------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_admin_sign_in_even_with_the_right_password(client, coordinator):
    assert fail_five_times(client, "coordinator-a") == [200, 200, 200, 200, 429]
    response = admin_sign_in(client, "coordinator-a")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not signed_in(client)


def test_a_lockout_leaves_other_users_and_the_same_user_elsewhere_alone(client, coordinator, reviewer):
    fail_five_times(client, "coordinator-a")
    assert admin_sign_in(client, "reviewer-a").status_code == 302
    client.logout()
    assert admin_sign_in(client, "coordinator-a", REMOTE_ADDR="198.51.100.9").status_code == 302


def test_sign_in_works_again_after_the_cool_off(client, coordinator):
    fail_five_times(client, "coordinator-a")
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
    response = admin_sign_in(client, "coordinator-a")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert not AccessAttempt.objects.exists()


def test_a_successful_sign_in_starts_the_count_again(client, coordinator):
    for _ in range(4):
        admin_sign_in(client, "coordinator-a", "wrong-password")
    assert admin_sign_in(client, "coordinator-a").status_code == 302
    client.logout()
    assert [admin_sign_in(client, "coordinator-a", "wrong").status_code for _ in range(4)] == [200] * 4
    assert admin_sign_in(client, "coordinator-a").status_code == 302


def test_the_observer_sign_in_page_locks_out_the_same_way(client, observer):
    wrong = {"username": "observer-a", "password": "wrong-password"}
    statuses = [client.post("/observe/login/", wrong).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    response = client.post("/observe/login/", {"username": "observer-a", "password": PASSWORD})
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not signed_in(client)


def test_the_token_endpoint_refuses_a_locked_out_observer_with_429_in_the_api_error_shape(client, observer):
    def ask(password):
        body = {"username": "observer-a", "password": password}
        return client.post("/api/v1/auth/token/", body, content_type="application/json")

    assert [ask("wrong-password").status_code for _ in range(4)] == [400] * 4
    fifth = ask("wrong-password")
    right = ask(PASSWORD)
    assert (fifth.status_code, right.status_code) == (429, 429)
    assert right.json() == {"error": {"code": "locked_out", "message": LOCKED}}
    assert not ObserverToken.objects.exists()


def test_forged_forwarded_addresses_do_not_escape_the_lockout_behind_the_proxy(client, coordinator, settings):
    settings.BEHIND_PROXY = True
    for number in range(5):
        admin_sign_in(client, "coordinator-a", "wrong", HTTP_X_FORWARDED_FOR=f"6.6.6.{number}, 203.0.113.7")
    response = admin_sign_in(client, "coordinator-a", HTTP_X_FORWARDED_FOR="6.6.6.99, 203.0.113.7")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def fail_from_many_addresses(client, username: str, addresses: int, per_address: int = 2) -> list[int]:
    return [
        admin_sign_in(client, username, "wrong-password", REMOTE_ADDR=f"198.51.100.{number}").status_code
        for number in range(addresses)
        for _ in range(per_address)
    ]


def test_guesses_at_one_account_from_many_addresses_lock_it_at_the_higher_limit(
    client, coordinator, settings
):
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 8
    assert fail_from_many_addresses(client, "coordinator-a", addresses=4) == [200] * 7 + [429]
    response = admin_sign_in(client, "coordinator-a", REMOTE_ADDR="203.0.113.50")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not signed_in(client)


def test_the_token_endpoint_refuses_an_account_guessed_at_from_many_addresses(client, observer, settings):
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 8
    for number in range(8):
        body = {"username": "observer-a", "password": "wrong-password"}
        client.post(
            "/api/v1/auth/token/", body, content_type="application/json", REMOTE_ADDR=f"198.51.100.{number}"
        )
    body = {"username": "observer-a", "password": PASSWORD}
    right = client.post(
        "/api/v1/auth/token/", body, content_type="application/json", REMOTE_ADDR="203.0.113.50"
    )
    assert right.status_code == 429
    assert right.json() == {"error": {"code": "locked_out", "message": LOCKED}}
    assert not ObserverToken.objects.exists()


def test_below_the_account_limit_a_new_address_still_signs_in(client, coordinator, reviewer, settings):
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 8
    fail_from_many_addresses(client, "coordinator-a", addresses=7, per_address=1)
    assert admin_sign_in(client, "reviewer-a", REMOTE_ADDR="198.51.100.1").status_code == 302
    client.logout()
    assert admin_sign_in(client, "coordinator-a", REMOTE_ADDR="203.0.113.50").status_code == 302


def test_an_account_locked_from_many_addresses_opens_again_after_the_cool_off(client, coordinator, settings):
    settings.LOGIN_USERNAME_FAILURE_LIMIT = 8
    fail_from_many_addresses(client, "coordinator-a", addresses=4)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
    assert admin_sign_in(client, "coordinator-a", REMOTE_ADDR="203.0.113.50").status_code == 302


def test_the_account_limit_is_twenty_by_default(settings):
    assert settings.LOGIN_USERNAME_FAILURE_LIMIT == 20


@pytest.mark.parametrize(
    ("behind_proxy", "forwarded", "expected"),
    [
        (False, "203.0.113.7", "127.0.0.1"),
        (True, "203.0.113.7", "203.0.113.7"),
        (True, "6.6.6.6, 203.0.113.7", "203.0.113.7"),
        (True, "not-an-address", "127.0.0.1"),
        (True, None, "127.0.0.1"),
    ],
)
def test_the_client_address_comes_from_the_proxy_only_behind_the_proxy(
    settings, behind_proxy, forwarded, expected
):
    settings.BEHIND_PROXY = behind_proxy
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", **headers)) == expected


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("BAQYLAU_LOGIN_FAILURE_LIMIT", "0", "BAQYLAU_LOGIN_FAILURE_LIMIT must be at least 1"),
        ("BAQYLAU_LOGIN_COOLOFF_MINUTES", "soon", "BAQYLAU_LOGIN_COOLOFF_MINUTES must be a whole number"),
        (
            "BAQYLAU_LOGIN_USERNAME_FAILURE_LIMIT",
            "4",
            "BAQYLAU_LOGIN_USERNAME_FAILURE_LIMIT must be at least 5",
        ),
        ("BAQYLAU_REQUIRE_2FA_FOR_STAFF", "maybe", "BAQYLAU_REQUIRE_2FA_FOR_STAFF must be true or false"),
    ],
)
def test_a_bad_sign_in_setting_stops_start_up(variable, value, expected):
    result = boot({variable: value})
    assert result.returncode != 0
    assert expected in result.stderr


# --- Two-factor sign-in to the admin ---------------------------------------------------------


def test_a_staff_user_with_an_app_cannot_sign_in_to_the_admin_without_a_code(client, device):
    response = admin_sign_in(client, "coordinator-a")
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert not signed_in(client)


def test_a_staff_user_with_an_app_cannot_sign_in_with_a_wrong_code(client, device):
    response = admin_sign_in(client, "coordinator-a", code=wrong_code_for(device))
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert not signed_in(client)


def test_a_staff_user_with_an_app_signs_in_with_the_right_code(client, device):
    response = admin_sign_in(client, "coordinator-a", code=code_for(device))
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_code_signs_in_only_once(client, device):
    code = code_for(device)
    assert admin_sign_in(client, "coordinator-a", code=code).status_code == 302
    client.logout()
    response = admin_sign_in(client, "coordinator-a", code=code)
    assert REFUSED in response.content.decode()
    assert not signed_in(client)


def test_wrong_codes_count_towards_the_lockout(client, device):
    statuses = [
        admin_sign_in(client, "coordinator-a", code=wrong_code_for(device)).status_code for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    device.throttle_reset()
    assert admin_sign_in(client, "coordinator-a", code=code_for(device)).status_code == 429


def test_a_staff_user_without_an_app_signs_in_to_the_admin_with_the_password(client, coordinator):
    response = admin_sign_in(client, "coordinator-a")
    assert response.status_code == 302
    page = client.get("/admin/")
    assert page.status_code == 200
    assert "Baqylau administration" in page.content.decode()
    assert 'href="/admin/two-factor/">Two-factor sign-in</a>' in page.content.decode()


def test_a_session_from_before_the_app_was_added_does_not_open_the_admin(client, coordinator):
    assert (
        client.post("/observe/login/", {"username": "coordinator-a", "password": PASSWORD}).status_code == 302
    )
    TOTPDevice.objects.create(user=coordinator, name="Phone", confirmed=True)
    response = client.get("/admin/stations/election/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/login/?next=/admin/stations/election/"
    assert not signed_in(client)


def test_the_two_factor_page_of_an_enrolled_user_shows_no_secret(client, device):
    admin_sign_in(client, "coordinator-a", code=code_for(device))
    page = client.get("/admin/two-factor/").content.decode()
    assert 'id="two-factor-on"' in page
    assert "otpauth://" not in page


def test_only_the_staff_can_open_the_two_factor_page(client, observer):
    client.force_login(observer)
    response = client.get("/admin/two-factor/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert not TOTPDevice.objects.exists()


def test_a_superuser_removes_a_users_device_and_a_coordinator_cannot(client, device, superuser):
    url = f"/admin/otp_totp/totpdevice/{device.pk}/delete/"
    assert admin_sign_in(client, "coordinator-a", code=code_for(device)).status_code == 302
    assert client.post(url, {"post": "yes"}).status_code == 403
    client.logout()
    client.force_login(superuser)
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.exists()


# --- Enrolment -------------------------------------------------------------------------------


def test_the_enrolment_page_shows_the_same_key_as_text_and_as_a_qr_code_until_confirmed(client, coordinator):
    client.force_login(coordinator)
    first, second = (client.get("/admin/two-factor/").content.decode() for _ in range(2))
    pending = TOTPDevice.objects.get(user=coordinator, confirmed=False)
    secret = b32encode(pending.bin_key).decode()
    shown = [
        re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
        for page in (first, second)
    ]
    assert shown == [secret, secret]
    assert pending.config_url.replace("&", "&amp;") in first
    assert "<svg" in first


def test_enrolment_with_a_wrong_code_leaves_the_device_unconfirmed(client, coordinator):
    client.force_login(coordinator)
    client.get("/admin/two-factor/")
    pending = TOTPDevice.objects.get(user=coordinator)
    response = client.post("/admin/two-factor/", {"code": wrong_code_for(pending)})
    assert WRONG_CODE in response.content.decode()
    pending.refresh_from_db()
    assert not pending.confirmed


def test_with_two_factor_required_a_staff_user_without_an_app_is_sent_to_enrolment(
    client, coordinator, settings
):
    settings.REQUIRE_2FA_FOR_STAFF = True
    response = admin_sign_in(client, "coordinator-a", follow=True)
    assert response.redirect_chain[-1] == ("/admin/two-factor/", 302)
    assert "otpauth://" in response.content.decode()
    assert client.get("/admin/stations/election/")["Location"] == "/admin/two-factor/"


def test_with_two_factor_required_enrolling_with_the_right_code_opens_the_admin(
    client, coordinator, settings
):
    settings.REQUIRE_2FA_FOR_STAFF = True
    admin_sign_in(client, "coordinator-a")
    client.get("/admin/two-factor/")
    pending = TOTPDevice.objects.get(user=coordinator)
    response = client.post("/admin/two-factor/", {"code": code_for(pending)})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    pending.refresh_from_db()
    assert pending.confirmed
    assert client.get("/admin/").status_code == 200


def test_a_successful_sign_in_leaves_no_record_of_where_it_came_from(client, coordinator):
    assert admin_sign_in(client, "coordinator-a").status_code == 302
    assert not AccessLog.objects.exists()
    assert not AccessAttempt.objects.exists()
