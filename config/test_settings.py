"""Settings for the test suite: the real ones, with fast password hashing."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_COOKIES = SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
