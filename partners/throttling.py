"""Each partner key has its own request budget (settings.PARTNER_RATE), counted in the cache, and
may run only so many exports at once (settings.PARTNER_EXPORTS_AT_ONCE).

A request costs what it makes the server do: a page of a list costs 1, a whole-election export
PARTNER_EXPORT_COST and a picture drawn afresh PARTNER_PICTURE_COST, all from the same budget, so a
key cannot make the server read every station and report of an election a hundred times a minute.
With Redis configured the counts are shared by every web process; over budget, or with too many
exports running, the answer is 429 with Retry-After, in the API's one error shape.
"""

import uuid
from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.throttling import SimpleRateThrottle

from partners.models import PartnerKey

# An export still streaming renews its hold on its slot every this many rows, so that a slow one
# keeps it and a process that died mid-export frees it within PARTNER_EXPORT_SLOT_SECONDS.
RENEW_EVERY = 1000
# What a key running too many exports is told to wait before it tries again.
EXPORT_RETRY_SECONDS = 10


def _ident(key: PartnerKey) -> str:
    # The prefix too: a key id reused after a database restore never inherits an old budget.
    return f"{key.pk}-{key.prefix}"


class PartnerKeyThrottle(SimpleRateThrottle):
    scope = "partner"

    def get_rate(self) -> str:
        # Read per request rather than at import, so a changed setting applies at once.
        return settings.PARTNER_RATE

    def allow_request(self, request, view) -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        # A request dearer than the whole budget costs the whole budget, so it can still be made.
        cost_of = getattr(view, "request_cost", None)
        self.cost = min(cost_of(request) if cost_of else 1, self.num_requests)
        self.now = self.timer()
        self.history = [at for at in self.cache.get(self.key, []) if at > self.now - self.duration]
        if len(self.history) + self.cost > self.num_requests:
            return self.throttle_failure()
        # One timestamp per unit of cost, newest first as the base class keeps them.
        self.history[:0] = [self.now] * self.cost
        self.cache.set(self.key, self.history, self.duration)
        return True

    def wait(self) -> float:
        """Until enough of the budget is free again for this request's cost."""
        keep = self.num_requests - self.cost  # entries that may stay in the history
        if len(self.history) <= keep:
            return 0.0
        return max(0.0, self.history[keep] + self.duration - self.now)

    def get_cache_key(self, request, view) -> str | None:
        key = request.auth
        if not isinstance(key, PartnerKey):
            return None
        return self.cache_format % {"scope": self.scope, "ident": _ident(key)}


class TooManyExports(exceptions.Throttled):
    default_code = "too_many_exports"


def _slot_keys(key: PartnerKey) -> list[str]:
    return [f"partner-export:{_ident(key)}:{n}" for n in range(settings.PARTNER_EXPORTS_AT_ONCE)]


def export_slot_take(key: PartnerKey) -> Callable[[], None]:
    """Take one of the key's export slots, or raise 429; returns what frees the slot again.

    Each slot is a cache entry added only if absent (atomic in Redis and in local memory), with an
    expiry: a slot whose process died is free again after PARTNER_EXPORT_SLOT_SECONDS."""
    token = uuid.uuid4().hex
    for slot in _slot_keys(key):
        if cache.add(slot, token, settings.PARTNER_EXPORT_SLOT_SECONDS):
            return _releaser(slot, token)
    raise TooManyExports(
        wait=EXPORT_RETRY_SECONDS,
        detail=_("This key already runs %(count)d exports; try again when one has finished.")
        % {"count": settings.PARTNER_EXPORTS_AT_ONCE},
    )


def _releaser(slot: str, token: str) -> Callable[[], None]:
    def release() -> None:
        # Only our own hold: after an expiry the slot may belong to another export by now.
        if cache.get(slot) == token:
            cache.delete(slot)

    release.slot = slot
    return release


class SlotHeld:
    """The body of a streamed export, holding its slot until the response is closed: at the end,
    when the client goes away mid-way, or when it is never read at all. Django registers `close`
    with the response, and the server calls it whatever happened."""

    def __init__(self, content: Iterable, release: Callable[[], None]):
        self.content, self.release, self.closed = content, release, False

    def __iter__(self) -> Iterator:
        for count, part in enumerate(self.content, start=1):
            if count % RENEW_EVERY == 0:
                cache.touch(self.release.slot, settings.PARTNER_EXPORT_SLOT_SECONDS)
            yield part

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            close = getattr(self.content, "close", None)
            try:
                if close is not None:
                    close()
            finally:
                self.release()
