"""Django's Redis cache, answering "nothing cached" while Redis is down instead of failing requests.

Everything Baqylau keeps in the cache may be lost: request budgets (api/, partners/), dashboards and
pictures kept for a minute, the marks that coalesce score recomputes. Redis stopped on election day
must cost no more than that. With Django's own backend it costs the observers' reports: the request
budget is read on every API request, the read raises, and the phone gets a 500.

Here a call that fails with a Redis error logs a warning and answers as an empty cache would: a
read misses, a write is dropped, `add` succeeds (nothing is known to hold the key), `incr` finds no
key. Request budgets are therefore not enforced, and cached pages are computed afresh, until Redis
is back. Short socket timeouts keep a Redis that does not answer at all from holding requests.
"""

import logging

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)
# Redis answers in milliseconds on a private network: seconds of silence mean it is gone.
SOCKET_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2}


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        options = {**SOCKET_OPTIONS, **params.get("OPTIONS", {})}
        super().__init__(server, {**params, "OPTIONS": options})

    def _or(self, fallback, call, *args):
        try:
            return call(*args)
        except redis.RedisError as exc:
            logger.warning("The cache did not answer (%s); %s goes on without it.", exc, call.__name__)
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(True, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._or(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._or(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._or(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._or(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._or({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._or(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        value = self._or(missing, super().incr, key, delta, version)
        if value is missing:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Django's contract: the keys that could not be stored.
        return self._or(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        self._or(None, super().delete_many, keys, version)

    def clear(self):
        return self._or(False, super().clear)
