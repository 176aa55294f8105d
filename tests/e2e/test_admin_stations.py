"""A coordinator signs in to the admin of the demo election and imports a station list."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from stations.models import PollingStation

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

GOOD_CSV = (
    "region,district_number,district_name,station_number,name,address,latitude,longitude,registered_voters\n"
    "Astana,1,Astana: Almaty District,90001,School 1,Abai St. 1,51.1,71.4,1200\n"
)
BAD_CSV = (
    "region,district_number,district_name,station_number,name,address,latitude,longitude,registered_voters\n"
    "Astana,1,Astana: Almaty District,90001,School 1,Abai St. 1,51.1,71.4,1200\n"
    "Astana,1,Astana: Almaty District,90002,School 2,Abai St. 2,51.1,71.4,-5\n"
)


def sign_in(page, base_url: str, username: str, password: str = "observe2023") -> None:
    page.goto(f"{base_url}/admin/")
    expect(page).to_have_title(re.compile("Log in"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")


def test_the_demo_coordinator_signs_in_and_imports_stations(live_server, laptop_page, tmp_path):
    call_command("seed_demo", "--allow-demo-in-production", verbosity=0)
    page = laptop_page
    sign_in(page, live_server.url, "coordinator")
    expect(page.get_by_role("link", name="Polling stations", exact=True)).to_be_visible()

    page.get_by_role("link", name="Elections", exact=True).click()
    page.get_by_role("link", name="Majilis 2023 (demo)").click()
    page.get_by_role("link", name="Import stations from CSV").click()

    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_CSV)
    page.set_input_files("input[type=file]", str(bad))
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-errors")).to_contain_text("line 3: registered_voters cannot be negative")
    assert not PollingStation.objects.filter(number="90001").exists()

    good = tmp_path / "good.csv"
    good.write_text(GOOD_CSV)
    page.set_input_files("input[type=file]", str(good))
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".messagelist")).to_contain_text("1 stations read: 1 created, 0 updated.")
    assert PollingStation.objects.get(number="90001").registered_voters == 1200


def test_a_wrong_password_is_refused_and_an_observer_cannot_enter_the_admin(live_server, laptop_page):
    call_command("seed_demo", "--allow-demo-in-production", verbosity=0)
    page = laptop_page
    sign_in(page, live_server.url, "coordinator", "wrong-password")
    expect(page.locator(".errornote")).to_be_visible()
    sign_in(page, live_server.url, "observer1")
    expect(page.locator(".errornote")).to_be_visible()
