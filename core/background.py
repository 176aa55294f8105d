"""Work done after the answer, in a thread of this process, where no broker takes it (`make run`,
tests) or where it must not wait for one (refreshing the dashboard's figures)."""

import logging
import threading
from collections.abc import Callable

from django.db import connections

logger = logging.getLogger(__name__)


def start_thread(name: str, work: Callable[[], None]) -> threading.Thread:
    """Run `work` in a daemon thread named `name`. Its database connections are its own and are
    closed when it ends, never the request's; an exception is logged, not raised, since whoever
    started it has answered already."""

    def run() -> None:
        try:
            work()
        except Exception:
            logger.exception("The background work %s failed.", name)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread
