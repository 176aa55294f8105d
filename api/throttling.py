"""Each observer's token has two request budgets, counted in the cache: a burst (settings.
OBSERVER_BURST_RATE, for an outbox that empties after hours offline) and a sustained rate
(settings.OBSERVER_SUSTAINED_RATE, for a phone stuck in a loop).

With Redis configured the counts are shared by every web process. Over budget the answer is 429
with Retry-After in the API's one error shape; the phone's outbox waits and sends again, keeping
every item. A browser session (the observer's pages calling the API) is counted per user.
"""

import math

from django.conf import settings
from django.utils.translation import ngettext
from rest_framework import exceptions
from rest_framework.throttling import SimpleRateThrottle

from people.models import ObserverToken


class _ObserverThrottle(SimpleRateThrottle):
    setting = ""

    def get_rate(self) -> str:
        # Read per request rather than at import, so a changed setting applies at once.
        return getattr(settings, self.setting)

    def allow_request(self, request, view) -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str | None:
        token = request.auth
        if isinstance(token, ObserverToken):
            # Part of the hash too: a token id reused after a database restore starts afresh.
            ident = f"token-{token.pk}-{token.key_hash[:12]}"
        elif request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ObserverBurstThrottle(_ObserverThrottle):
    scope = "observer_burst"
    setting = "OBSERVER_BURST_RATE"


class ObserverSustainedThrottle(_ObserverThrottle):
    scope = "observer_sustained"
    setting = "OBSERVER_SUSTAINED_RATE"


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
