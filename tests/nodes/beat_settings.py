"""The test settings with a beat that ticks in seconds: a short lock and a schedule sent every second
(tests/nodes/test_one_beat.py)."""

from datetime import timedelta

from config.test_settings import *  # noqa: F403

CELERY_BEAT_LOCK_SECONDS = 3
CELERY_BEAT_SCHEDULE = {
    "nodes-test-every-second": {"task": "celery.backend_cleanup", "schedule": timedelta(seconds=1)},
}
