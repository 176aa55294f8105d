"""Figures that take a second or two to compute and that election night changes every second.

The coordinator dashboard's report figures and its count board are aggregates over every report,
count and copy of an election. They used to be cached under a key that changes with the data, which
is right on a quiet day and useless at the close, when reports and protocol copies arrive several
times a second: every load of the dashboard computed them afresh, in 1 to 2 seconds with a million
reports.

Here each set of figures is kept under a key of its own, with the state of the data it was computed
for and when. A reader gets:

- the figures computed for the data as it is now (`current`), when nothing changed since;
- otherwise the last figures computed, and how old they are, as long as they are younger than
  settings.RECENT_FIGURES_SECONDS; once they are older, the first reader starts a refresh in a
  thread of its own process and every reader keeps getting the last figures until it is done (one
  refresh at a time for each key, across all web nodes, by a lock in the cache);
- the figures computed in its own request when none were ever kept, or when the setting is 0 (the
  figures then always describe the data as it is, at any cost: the behaviour before).

So no reader waits for the aggregates once they have been computed, and the page says how old the
figures are.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache

from core.background import start_thread

logger = logging.getLogger(__name__)
# Figures nobody asked for in this long are dropped from the cache.
KEEP_SECONDS = 6 * 3600
# A refresh that has not finished in this long (its process died) no longer holds the lock.
LOCK_SECONDS = 300


@dataclass(frozen=True)
class Recent:
    value: Any
    computed_at: datetime
    current: bool  # computed for the data as it is now
    refreshing: bool = False  # a refresh was started by this read or is under way


def recent_figures(key: str, state: str, compute: Callable[[], Any]) -> Recent:
    """The figures kept under `key`, computed by `compute()` for the data in `state` (any text that
    changes when the data does), as the module's description says."""
    kept = cache.get(key)
    if kept is not None and kept["state"] == state:
        return Recent(kept["value"], kept["at"], current=True)
    if kept is None or settings.RECENT_FIGURES_SECONDS == 0:
        return store(key, state, compute())
    age = (datetime.now(UTC) - kept["at"]).total_seconds()
    refreshing = cache.get(lock_key(key)) is not None
    if age >= settings.RECENT_FIGURES_SECONDS and cache.add(lock_key(key), time.time(), LOCK_SECONDS):
        start_thread("recent-figures", lambda: refresh(key, state, compute))
        refreshing = True
    return Recent(kept["value"], kept["at"], current=False, refreshing=refreshing)


def store(key: str, state: str, value: Any) -> Recent:
    computed = Recent(value, datetime.now(UTC), current=True)
    cache.set(key, {"state": state, "at": computed.computed_at, "value": value}, KEEP_SECONDS)
    return computed


def refresh(key: str, state: str, compute: Callable[[], Any]) -> None:
    """Compute and keep the figures (in a background thread); a failure is logged and the last
    figures stay."""
    try:
        store(key, state, compute())
    except Exception:
        logger.exception("The figures kept under %s could not be refreshed; the last ones stay.", key)
    finally:
        cache.delete(lock_key(key))


def lock_key(key: str) -> str:
    return f"{key}:refreshing"
