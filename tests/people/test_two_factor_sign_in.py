"""A staff user with an authenticator app needs its code wherever they sign in, and the admin's
answer does not tell a right password with a missing or wrong code from a wrong password."""

import pytest
from axes.models import AccessAttempt
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.people.test_accounts import PASSWORD, admin_sign_in, code_for, signed_in, wrong_code_for

pytestmark = pytest.mark.django_db

OBSERVE_LOGIN = "/observe/login/"


@pytest.fixture
def device(coordinator):
    return TOTPDevice.objects.create(user=coordinator, name="Phone", confirmed=True)


def observe_sign_in(client, username: str, password: str = PASSWORD, code: str | None = None):
    data = {"username": username, "password": password}
    if code is not None:
        data["code"] = code
    return client.post(OBSERVE_LOGIN, data)


def refusal(response) -> list[str]:
    assert response.status_code == 200
    return list(response.context["form"].non_field_errors())


# --- The observer pages ----------------------------------------------------------------------


@pytest.mark.parametrize("code", [None, "", "wrong"])
def test_a_staff_user_with_an_app_gets_no_session_at_the_observer_login_without_the_right_code(
    client, device, code
):
    wrong_password = refusal(observe_sign_in(client, "coordinator-a", "wrong-password"))
    response = observe_sign_in(
        client, "coordinator-a", code=wrong_code_for(device) if code == "wrong" else code
    )
    assert refusal(response) == wrong_password
    assert not signed_in(client)


def test_a_missing_code_at_the_observer_login_counts_towards_the_lockout(client, device):
    statuses = [observe_sign_in(client, "coordinator-a").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert AccessAttempt.objects.get().failures_since_start == 5
    assert observe_sign_in(client, "coordinator-a", code=code_for(device)).status_code == 429


def test_a_staff_user_with_an_app_signs_in_at_the_observer_login_with_the_code(client, device):
    response = observe_sign_in(client, "coordinator-a", code=code_for(device))
    assert response.status_code == 302
    assert signed_in(client)
    # Both factors were shown, so the same session opens the admin without asking again.
    assert client.get("/admin/").status_code == 200


def test_an_observer_without_an_app_signs_in_with_the_password_and_an_empty_code(client, observer):
    response = observe_sign_in(client, "observer-a", code="")
    assert response.status_code == 302
    assert signed_in(client)


def test_the_observer_login_page_offers_the_code_field(client):
    page = client.get(OBSERVE_LOGIN).content.decode()
    assert 'name="code"' in page
    assert 'autocomplete="one-time-code"' in page


# --- The admin -------------------------------------------------------------------------------


def test_the_admin_answers_a_missing_or_wrong_code_as_it_answers_a_wrong_password(client, device):
    wrong_password = refusal(admin_sign_in(client, "coordinator-a", "wrong-password"))
    missing_code = refusal(admin_sign_in(client, "coordinator-a"))
    wrong_code = refusal(admin_sign_in(client, "coordinator-a", code=wrong_code_for(device)))
    assert missing_code == wrong_code == wrong_password
    assert "authenticator app" in wrong_password[0]
    assert not signed_in(client)


def test_a_missing_code_in_the_admin_counts_towards_the_lockout(client, device):
    statuses = [admin_sign_in(client, "coordinator-a").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert admin_sign_in(client, "coordinator-a", code=code_for(device)).status_code == 429
