"""Each observer's token has two request budgets, counted in the cache: a burst (settings.
OBSERVER_BURST_RATE, for an outbox that empties after hours offline) and a sustained rate
(settings.OBSERVER_SUSTAINED_RATE, for a phone stuck in a loop).

With Redis configured the counts are shared by every web process, and both budgets are counted in
Redis itself, by one script, in one round trip: each budget is a sorted set of its requests' times,
so nothing is read back, decoded, re-encoded and written, and two requests at once cannot both take
the last place. Over budget the answer is 429 with Retry-After in the API's one error shape; the
phone's outbox waits and sends again, keeping every item. A browser session (the observer's pages
calling the API) is counted per user.
"""

import logging
import math
import time
import uuid
import weakref

import redis
from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.utils.translation import ngettext
from rest_framework import exceptions
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from people.models import ObserverToken

logger = logging.getLogger(__name__)
# A Redis client per cache (each thread has its own cache object); it shares the cache's connections.
_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# (scope, the setting that holds its rate); the scope names the cache key, as DRF's throttles do.
BUDGETS = (("observer_burst", "OBSERVER_BURST_RATE"), ("observer_sustained", "OBSERVER_SUSTAINED_RATE"))
# KEYS: one sorted set per budget. ARGV: now, a member name unique to this request, then each
# budget's requests and seconds. Each budget drops the times that left its period; one that is full
# answers its wait (DRF's: what is left of the oldest time's period, shared among the places that
# then come free; "none" when nothing can be said), one with room counts the request. Redis would
# cut a number to an integer on its way out: the waits come back as text.
SLIDING_LOG = """
local now, member, waits, admitted = tonumber(ARGV[1]), ARGV[2], {}, {}
for i, key in ipairs(KEYS) do
  local requests, period = tonumber(ARGV[1 + 2 * i]), tonumber(ARGV[2 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - period)
  local count = redis.call('ZCARD', key)
  if count >= requests then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2]
    local remaining = oldest and period - (now - tonumber(oldest)) or period
    local free = requests - count + 1
    table.insert(waits, free > 0 and tostring(remaining / free) or 'none')
  else
    table.insert(admitted, {key, period})
  end
end
for _, budget in ipairs(admitted) do
  redis.call('ZADD', budget[1], now, member)
  redis.call('EXPIRE', budget[1], budget[2])
end
return waits
"""


def parse_rate(rate: str) -> tuple[int, int]:
    """A rate as (requests, seconds): 60/min is (60, 60), as DRF reads it (config.env.env_rate checked it)."""
    requests, period = rate.split("/")
    return int(requests), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


class ObserverThrottle(BaseThrottle):
    """Both budgets of a token, each a sliding log of its requests' times counted as DRF's
    SimpleRateThrottle counts them (same keys, same counting, same waits). In Redis, one script
    call (SLIDING_LOG); in another cache (one process, no Redis), the logs are read in one call and
    written back in one: every call of a phone pays for them.

    As with DRF's throttles side by side, a request refused by one budget still counts against a
    budget that let it through.
    """

    cache_format = SimpleRateThrottle.cache_format
    timer = time.time

    def allow_request(self, request, view) -> bool:
        ident = self.ident_of(request)
        if ident is None:
            return True
        now = self.timer()
        # Read per request rather than at import, so a changed setting applies at once.
        budgets = [(scope, *parse_rate(getattr(settings, name))) for scope, name in BUDGETS]
        keys = {scope: self.cache_format % {"scope": scope, "ident": ident} for scope, _n, _d in budgets}
        if isinstance(backend := caches["default"], RedisCache):
            self.waits = self.count_in_redis(backend, keys, budgets, now)
            return not self.waits
        stored = cache.get_many(keys.values())
        self.waits, changed = [], {}
        for scope, requests, duration in budgets:
            history = [moment for moment in stored.get(keys[scope], []) if moment > now - duration]
            if len(history) >= requests:
                self.waits.append(self.wait_for(history, requests, duration, now))
            else:
                changed[keys[scope]] = [now, *history]
        if changed:
            # One expiry for all: the longest period; each history is cut to its own period when read.
            cache.set_many(changed, max(duration for _scope, _n, duration in budgets))
        return not self.waits

    @staticmethod
    def count_in_redis(backend: RedisCache, keys: dict, budgets: list, now: float) -> list[float | None]:
        """Both budgets counted by Redis in one call; a Redis that does not answer lets the request
        through, as core.cache does for the other budgets (nothing is known to be over)."""
        names = [backend.make_and_validate_key(f"{keys[scope]}:log") for scope, _n, _d in budgets]
        limits = [number for _scope, requests, duration in budgets for number in (requests, duration)]
        try:
            client = _clients.get(backend)
            if client is None:
                # Django builds a new client (and its table of ~170 reply parsers) for every call.
                client = _clients[backend] = backend._cache.get_client(names[0], write=True)
            # Sent by its digest (EVALSHA), and whole only the first time a Redis is asked.
            waits = client.register_script(SLIDING_LOG)(keys=names, args=[now, uuid.uuid4().hex, *limits])
        except redis.RedisError as exc:
            logger.warning("The cache did not answer (%s); the request budgets are not counted.", exc)
            return []
        return [None if wait == b"none" else float(wait) for wait in waits]

    @staticmethod
    def ident_of(request) -> str | None:
        token = request.auth
        if isinstance(token, ObserverToken):
            # Part of the hash too: a token id reused after a database restore starts afresh.
            return f"token-{token.pk}-{token.key_hash[:12]}"
        if request.user.is_authenticated:
            return f"user-{request.user.pk}"
        return None

    @staticmethod
    def wait_for(history: list[float], requests: int, duration: int, now: float) -> float | None:
        """DRF's: the time left until the oldest request counted leaves the period, shared among
        the requests that will then be free."""
        remaining = duration - (now - history[-1]) if history else duration
        free = requests - len(history) + 1
        return remaining / free if free > 0 else None

    def wait(self) -> float | None:
        waits = [wait for wait in self.waits if wait is not None]
        return max(waits) if waits else None


class ObserverThrottled(exceptions.Throttled):
    """The 429 an observer's phone gets: DRF's, in words that say nothing is lost."""

    def __init__(self, wait: float | None) -> None:
        seconds = max(1, math.ceil(wait or 1))
        message = ngettext(
            "Too many requests from this phone; it will send again in %(seconds)d second. "
            "Nothing waiting to be sent is lost.",
            "Too many requests from this phone; it will send again in %(seconds)d seconds. "
            "Nothing waiting to be sent is lost.",
            seconds,
        ) % {"seconds": seconds}
        super().__init__(detail=message, code="throttled")
        # Set after: DRF would otherwise add its own sentence. The Retry-After header reads it.
        self.wait = seconds
