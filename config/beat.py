"""Exactly one beat: the scheduler that `celery -A config beat` runs (config/celery.py sets it).

Celery beat has no lock of its own, and two beats send every scheduled task twice. This scheduler
sends only while it holds a lock in Redis (SET NX with an expiry, refreshed on every tick). A beat
started while another holds it stays a standby: it keeps trying, sends nothing, and takes over
once the holder is gone (stopped, or its lock expired because its machine died).
"""

import logging
import os
import socket
import uuid

import redis
from celery.beat import PersistentScheduler
from redis.exceptions import LockError
from redis.lock import Lock

logger = logging.getLogger(__name__)

LOCK_KEY = "baqylau:beat:lock"
# A dead holder's lock expires after this long; the holder refreshes it every third of it.
LOCK_SECONDS = 30


class LockedScheduler(PersistentScheduler):
    """Sends due tasks only while it holds the beat lock; a standby otherwise."""

    def __init__(self, app, *args, **kwargs):
        self.lock_seconds = float(app.conf.get("beat_lock_seconds") or LOCK_SECONDS)
        self.identity = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._lock: Lock | None = None
        self._holding = None
        if not str(app.conf.broker_url or "").startswith(("redis://", "rediss://", "unix://")):
            raise RuntimeError("beat: REDIS_URL must be set: the beat lock and the broker live in Redis")
        super().__init__(app, *args, **kwargs)

    @property
    def lock(self) -> Lock:
        if self._lock is None:
            client = redis.Redis.from_url(self.app.conf.broker_url, socket_timeout=5)
            self._lock = client.lock(LOCK_KEY, timeout=self.lock_seconds, blocking=False)
        return self._lock

    def holds_lock(self) -> bool:
        """Take the lock, or refresh it when held; False while another beat holds it."""
        try:
            if self._holding and self.lock.owned():
                self.lock.reacquire()
                held = True
            else:
                held = self.lock.acquire(blocking=False, token=self.identity)
        except LockError:
            held = False  # expired under this beat: taken again on the next tick if nobody else did
        except redis.RedisError as error:
            logger.warning("beat: cannot reach Redis for the beat lock (%s); sending nothing", error)
            held = False
        self._announce(held)
        return held

    def _announce(self, held: bool) -> None:
        if held == self._holding:
            return
        self._holding = held
        if held:
            logger.info(
                "beat: holding the beat lock %s as %s; sending scheduled tasks", LOCK_KEY, self.identity
            )
        else:
            holder = self._holder()
            logger.warning("beat: standby, the beat lock %s is held by %s; sending nothing", LOCK_KEY, holder)

    def _holder(self) -> str:
        try:
            value = self.lock.redis.get(LOCK_KEY)
        except redis.RedisError:
            return "(unknown: Redis unreachable)"
        return value.decode() if value else "(nobody)"

    def tick(self, *args, **kwargs) -> float:
        refresh = self.lock_seconds / 3
        if not self.holds_lock():
            return refresh
        return min(super().tick(*args, **kwargs), refresh)

    def close(self) -> None:
        super().close()
        if self._holding:
            try:
                self.lock.release()
            except redis.RedisError:  # a LockError too: no longer held
                logger.warning("beat: the beat lock %s was no longer held at shutdown", LOCK_KEY)
            self._holding = False
