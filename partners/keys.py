"""Creating and revoking partner keys.

A key reads `bqp_<prefix>_<secret>`: the prefix is stored in clear and shown in lists so that a
partner and a coordinator can tell keys apart; the whole key is stored only as its SHA-256.
"""

import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError, NotFound
from partners.models import Partner, PartnerKey, Scope

KEY_START = "bqp_"
MAX_DAYS = 3660


def scopes_clean(scopes: Iterable[str]) -> list[str]:
    """The scopes in their canonical order, or a clear error naming the unknown ones."""
    wanted = {scope.strip() for scope in scopes if scope.strip()}
    unknown = sorted(wanted - set(Scope.values))
    if unknown:
        raise ApplicationError(
            _("Unknown scope: %(scopes)s. Known scopes: %(known)s.")
            % {"scopes": ", ".join(unknown), "known": ", ".join(Scope.values)},
            field="scopes",
        )
    if not wanted:
        raise ApplicationError(_("Give the key at least one scope."), field="scopes")
    return [scope for scope in Scope.values if scope in wanted]


@transaction.atomic
def key_create(
    *, partner: Partner, scopes: Iterable[str], days: int, by: AbstractBaseUser | None = None
) -> tuple[PartnerKey, str]:
    """A new key for `partner`; returns the row and the key, which is never available again."""
    if not 1 <= days <= MAX_DAYS:
        raise ApplicationError(_("A key lasts between 1 and %(max)s days.") % {"max": MAX_DAYS}, field="days")
    clean = scopes_clean(scopes)
    while True:
        prefix = secrets.token_hex(4)
        if not PartnerKey.objects.filter(prefix=prefix).exists():
            break
    key = f"{KEY_START}{prefix}_{secrets.token_urlsafe(32)}"
    row = PartnerKey.objects.create(
        partner=partner,
        prefix=prefix,
        key_hash=PartnerKey.hash_key(key),
        scopes=clean,
        created_by=by,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return row, key


def key_revoke(*, prefix: str) -> PartnerKey:
    """Revoke the key with this prefix at once; revoking twice keeps the first time."""
    key = PartnerKey.objects.filter(prefix=prefix.strip()).first()
    if key is None:
        raise NotFound(_("No partner key has the prefix %(prefix)s.") % {"prefix": prefix})
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key
