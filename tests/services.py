"""Where the real services a test needs live, and what to do when one does not answer.

On a newcomer's laptop a missing Redis or Chromium skips the tests that need it, with the
reason; in CI (REQUIRE_SERVICES=1) the same absence fails the run, so nothing passes by skipping.
"""

import os
import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") == "1"
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))


def unavailable(reason: str):
    """Skip, or fail when the run promised that every service is there."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def port_answers(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False
