"""The card's QR code in a real browser: its link signs the phone in, once, without the code ever
reaching the server in a URL or a Referer, and under the Content Security Policy."""

import time

import pytest
from playwright.sync_api import expect

from people.codes import codes_issue
from people.models import Membership, ObserverToken, SignInCode

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WRONG = "This sign-in code is wrong, already used or expired."


def wait_until(condition, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return condition()


def watch(page) -> tuple[list[str], list[str]]:
    """What the page sent (URLs and Referers) and what it complained of (policy, script errors)."""
    sent: list[str] = []
    complaints: list[str] = []
    page.on("request", lambda request: sent.extend([request.url, request.headers.get("referer", "")]))
    page.on(
        "console",
        lambda message: (
            complaints.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: complaints.append(str(error)))
    return sent, complaints


def test_the_cards_link_signs_the_phone_in_once_and_never_again(browser, live_server, observer):
    (issued,) = codes_issue(memberships=Membership.objects.filter(user=observer), by=None)
    link = f"{live_server.url}/observe/login/#code={issued.code}"

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="en-US", service_workers="allow"
    )
    page = phone.new_page()
    sent, complaints = watch(page)
    page.goto(link)

    expect(page.get_by_role("heading", name="My stations")).to_be_visible()
    assert "#code" not in page.url
    assert wait_until(lambda: ObserverToken.objects.filter(user=observer).exists())
    assert SignInCode.objects.get().used_at is not None
    assert not [value for value in sent if issued.code in value]
    assert complaints == []
    phone.close()

    another = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = another.new_page()
    page.goto(link)

    expect(page.get_by_text(WRONG)).to_be_visible()
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    assert "#code" not in page.url
    assert ObserverToken.objects.filter(user=observer).count() == 1
    another.close()


def test_a_code_typed_by_hand_signs_in(browser, live_server, observer):
    (issued,) = codes_issue(memberships=Membership.objects.filter(user=observer), by=None)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/observe/login/")

    page.fill("#id_sign_in_code", issued.grouped.lower())
    page.get_by_role("button", name="Use the code").click()

    expect(page.get_by_role("heading", name="My stations")).to_be_visible()
    context.close()
