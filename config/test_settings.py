"""Settings for the test suite: the real ones, with fast password hashing."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_COOKIES = SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False

# Photos written by tests go to a throw-away folder, never into the checkout.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="baqylau-test-media-"))
STORAGES = {**STORAGES, "photos": {**STORAGES["photos"], "OPTIONS": {"location": str(MEDIA_ROOT / "photos")}}}  # noqa: F405
