"""A coordinator turns on two-factor sign-in from the admin, then needs the app's code to sign in."""

import re
from base64 import b32decode

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-only"


def sign_in(page, base_url: str, username: str, code: str = "") -> None:
    page.goto(f"{base_url}/admin/")
    expect(page).to_have_title(re.compile("Log in"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_code", code)
    page.click("input[type=submit]")


def code(key: bytes, *, steps_ahead: int = 0) -> str:
    return f"{totp(key, drift=steps_ahead):06d}"


def test_a_coordinator_enrols_an_authenticator_app_and_signs_in_with_its_code(live_server, laptop_page):
    get_user_model().objects.create_user("coordinator", password=PASSWORD, is_staff=True)
    page = laptop_page
    sign_in(page, live_server.url, "coordinator")
    expect(page.locator("#site-name")).to_have_text("Baqylau administration")

    page.get_by_role("link", name="Two-factor sign-in").click()
    expect(page.locator("#totp-qr svg")).to_be_visible()
    key = b32decode(page.locator("#totp-secret").inner_text().replace(" ", ""))
    page.fill("#id_code", code(key))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator(".messagelist")).to_contain_text("Two-factor sign-in is on.")
    assert TOTPDevice.objects.get(user__username="coordinator").confirmed

    page.get_by_role("button", name="Log out").click()
    sign_in(page, live_server.url, "coordinator")
    expect(page.locator(".errornote")).to_contain_text("code from your authenticator app")

    # The enrolment used this time step's code, and a code is accepted only once: take the next one.
    sign_in(page, live_server.url, "coordinator", code(key, steps_ahead=1))
    expect(page).to_have_title(re.compile("Site administration"))
    page.get_by_role("link", name="Two-factor sign-in").click()
    expect(page.locator("#two-factor-on")).to_be_visible()
