"""The settings of the servers and commands the operations tests start as processes of their own:
production's, read from the environment the test gives (database, photo folder, Sentry...), with
static files served from the apps' folders (no collectstatic) and one address that fails on purpose."""

from config.settings import *  # noqa: F403

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True
ROOT_URLCONF = "tests.ops.site_urls"
