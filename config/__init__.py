"""Configuration only: settings (one env-driven file), URLs, the Celery app and the health check. It
stands at the top: it may import any app, and no app imports it.
"""

from config.celery import app as celery_app

__all__ = ["celery_app"]
