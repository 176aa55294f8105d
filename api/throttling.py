"""Each observer's token has two request budgets, counted in the cache: a burst (settings.
OBSERVER_BURST_RATE, for an outbox that empties after hours offline) and a sustained rate
(settings.OBSERVER_SUSTAINED_RATE, for a phone stuck in a loop).

With Redis configured the counts are shared by every web process. Over budget the answer is 429
with Retry-After in the API's one error shape; the phone's outbox waits and sends again, keeping
every item. A browser session (the observer's pages calling the API) is counted per user.
"""

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import ngettext
from rest_framework import exceptions
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from people.models import ObserverToken

# (scope, the setting that holds its rate); the scope names the cache key, as DRF's throttles do.
BUDGETS = (("observer_burst", "OBSERVER_BURST_RATE"), ("observer_sustained", "OBSERVER_SUSTAINED_RATE"))


def parse_rate(rate: str) -> tuple[int, int]:
    """A rate as (requests, seconds): 60/min is (60, 60), as DRF reads it (config.env.env_rate checked it)."""
    requests, period = rate.split("/")
    return int(requests), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


class ObserverThrottle(BaseThrottle):
    """Both budgets of a token, each a sliding log of its requests' times as DRF's
    SimpleRateThrottle keeps it (same keys, same counting, same waits), read from the cache in one
    round trip and written back in one, rather than two each: every call of a phone pays for them.

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
