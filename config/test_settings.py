"""Settings for the test suite: the real ones, with fast password hashing."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key")

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_COOKIES = SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False

# Photos written by tests go to a throw-away folder, never into the checkout.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="baqylau-test-media-"))
STORAGES = {**STORAGES, "photos": {**STORAGES["photos"], "OPTIONS": {"location": str(MEDIA_ROOT / "photos")}}}  # noqa: F405

# Two test runs against one PostgreSQL server each need a database of their own:
# TEST_DATABASE_NAME=test_mine pytest … names it (the default is Django's test_<name>).
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}  # noqa: F405

# The dashboard's figures describe the data as it is at every load (tests/console/test_recent.py
# tries the figures kept while data changes with a value of its own).
RECENT_FIGURES_SECONDS = 0

# Static files straight from the apps' folders under their plain names: the tests need no
# collectstatic (tests/test_static.py and tests/e2e/test_deploy_offline.py collect into a temporary
# folder and switch to the production storage themselves).
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
