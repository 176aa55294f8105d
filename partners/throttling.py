"""Each partner key has its own request budget (settings.PARTNER_RATE), counted in the cache.

With Redis configured the count is shared by every web process; over budget the answer is 429
with Retry-After, in the API's one error shape.
"""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from partners.models import PartnerKey


class PartnerKeyThrottle(SimpleRateThrottle):
    scope = "partner"

    def get_rate(self) -> str:
        # Read per request rather than at import, so a changed setting applies at once.
        return settings.PARTNER_RATE

    def allow_request(self, request, view) -> bool:
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str | None:
        key = request.auth
        if not isinstance(key, PartnerKey):
            return None
        # The prefix too: a key id reused after a database restore never inherits an old budget.
        return self.cache_format % {"scope": self.scope, "ident": f"{key.pk}-{key.prefix}"}
