"""The settings of a node started by tests/nodes: the test settings, but with the photo store and
MEDIA_ROOT as production reads them from the environment (BAQYLAU_S3_*, DJANGO_MEDIA_ROOT), which
the test settings replace with a throw-away folder of their own."""

from config import settings as production
from config.test_settings import *  # noqa: F403

MEDIA_ROOT = production.MEDIA_ROOT
STORAGES = {**STORAGES, "default": production.STORAGES["default"], "photos": production.STORAGES["photos"]}  # noqa: F405
