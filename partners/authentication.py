"""`Authorization: Bearer bqp_…` for partners, and the scope each partner endpoint requires.

Partner keys and observers' phone tokens share the Bearer scheme; partner keys are told apart by
their `bqp_` start, so each authenticator leaves the other's keys alone.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions, permissions

from partners.keys import KEY_START
from partners.models import PartnerKey

# Often enough to tell which keys are in use, rarely enough not to write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class PartnerKeyAuthentication(authentication.BaseAuthentication):
    """Sets request.user to None and request.auth to the PartnerKey: a partner is not a user."""

    keyword = "bearer"

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("The Authorization header must be: Bearer <key>."), code="key_invalid"
            )
        key = parts[1].decode("latin-1")
        if not key.startswith(KEY_START):
            raise exceptions.AuthenticationFailed(_("This is not a partner key."), code="key_invalid")
        row = PartnerKey.objects.select_related("partner").filter(key_hash=PartnerKey.hash_key(key)).first()
        if row is None:
            raise exceptions.AuthenticationFailed(_("This partner key is not valid."), code="key_invalid")
        if row.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This partner key was revoked."), code="key_revoked")
        now = timezone.now()
        if row.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("This partner key has expired."), code="key_expired")
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
            PartnerKey.objects.filter(pk=row.pk).update(last_used_at=now)
            row.last_used_at = now
        return None, row

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="partner-api"'


class HasScope(permissions.BasePermission):
    """The view names its scope in `required_scope`; a key without it gets 403 naming the scope."""

    def has_permission(self, request, view) -> bool:
        key = request.auth
        if not isinstance(key, PartnerKey):
            raise exceptions.NotAuthenticated(_("Send a partner key: Authorization: Bearer <key>."))
        scope = getattr(view, "required_scope", None)
        if scope is None or key.has_scope(scope):
            return True
        raise exceptions.PermissionDenied(
            _("This key lacks the scope %(scope)s.") % {"scope": scope}, code="scope_missing"
        )


def key_scopes(request) -> frozenset[str]:
    """The scopes of the partner key behind a request (empty without one)."""
    key = request.auth
    return frozenset(key.scopes) if isinstance(key, PartnerKey) else frozenset()
