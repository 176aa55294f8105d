"""Bearer tokens for the observer's phone: its outbox keeps sending after the session cookie expires."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from people.models import ObserverToken
from people.selectors import token_get_by_hash
from people.services import token_mark_used

# Often enough to see which phones are still in use, rarely enough not to write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "bearer"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("The Authorization header must be: Bearer <token>."), code="token_invalid"
            )
        # Header bytes arrive as Latin-1; a key that is not ASCII simply matches no token.
        return self.authenticate_key(parts[1].decode("latin-1"))

    def authenticate_key(self, key: str):
        token = token_get_by_hash(ObserverToken.hash_key(key))
        if token is None or not token.is_usable:
            raise self.refusal(token)
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            token_mark_used(token=token, now=now, resolution=LAST_USED_RESOLUTION)
        return token.user, token

    @staticmethod
    def refusal(token: ObserverToken | None) -> exceptions.AuthenticationFailed:
        """Why a key is not usable. The phone keeps its outbox in every case; the message says so."""
        if token is not None and token.revoked_at is None and token.expires_at <= timezone.now():
            return exceptions.AuthenticationFailed(
                _("Your sign-in has expired; sign in again. Nothing waiting to be sent is lost."),
                code="token_expired",
            )
        if token is not None and token.revoked_at is not None:
            return exceptions.AuthenticationFailed(
                _("This phone was signed out; sign in again. Nothing waiting to be sent is lost."),
                code="token_revoked",
            )
        return exceptions.AuthenticationFailed(
            _("This sign-in is not valid; sign in again. Nothing waiting to be sent is lost."),
            code="token_invalid",
        )

    def authenticate_header(self, request) -> str:
        # Without a challenge DRF would answer 403 to a request that simply carries no credentials.
        return 'Bearer realm="api"'
