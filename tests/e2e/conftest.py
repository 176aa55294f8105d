import os

import pytest

from tests.services import CHROMIUM, unavailable

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium to run the browser tests)")
    # Playwright's synchronous API runs an event loop in this thread; Django's ORM calls made by
    # the test itself (never by the live server's threads) are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import expect, sync_playwright

    # Assertions wait as long as actions do: a loaded CI machine can take seconds to flush an outbox.
    expect.set_options(timeout=30_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def laptop_page(browser):
    context = browser.new_context(viewport=LAPTOP, locale="en-US")
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_page(browser):
    """A phone-sized page whose context runs service workers, as an observer's browser does."""
    context = browser.new_context(viewport=PHONE, locale="en-US", service_workers="allow", has_touch=True)
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()
