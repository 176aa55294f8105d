"""Observers' one-time sign-in codes: issued by a coordinator, printed on the observer's card, typed
on /observe/ or opened from the card's QR code, and traded once for a signed-in phone.

A code is 12 characters from an alphabet without look-alikes, so that it survives being read off
paper in a dim polling station; only its SHA-256 is stored, as for the phones' tokens. Wrong codes
count towards the same lockout as wrong passwords (django-axes, people.accounts).
"""

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import NotFound
from people.models import Membership, ObserverToken, Role, SignInCode

# No 0/O/Q/D, 1/I/L, 2/Z, 5/S, 8/B, U/V: what remains cannot be misread on a printed card.
ALPHABET = "34679ACEFGHJKMNPRTWXY"
CODE_LENGTH = 12
GROUP = 4
# One answer for a mistyped, used, revoked or expired code: a guesser learns nothing from it, and
# the observer knows whom to ask.
WRONG_SIGN_IN_CODE = _(
    "This sign-in code is wrong, already used or expired. Check it, or ask your coordinator for a new one."
)


@dataclass(frozen=True)
class IssuedCode:
    """A code as issued: the only moment its plain text exists outside the observer's card."""

    membership: Membership
    code: str
    row: SignInCode

    @property
    def grouped(self) -> str:
        return group_code(self.code)


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def group_code(code: str) -> str:
    """ABCD-EFGH-JKMN: groups of four, as printed, for reading aloud and typing."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalize_code(typed: str) -> str:
    """The code as stored, from what a person typed: any case, with or without spaces and dashes."""
    return re.sub(r"[\s\-\u2013\u2014_.]", "", typed).upper()


def may_coordinate(user: AbstractBaseUser, organization_id: int) -> bool:
    if user.is_superuser:
        return True
    return Membership.objects.filter(
        user=user, organization_id=organization_id, role=Role.COORDINATOR
    ).exists()


def codes_issue(
    *, memberships: QuerySet[Membership], by: AbstractBaseUser | None, revoke_tokens: bool = False
) -> list[IssuedCode]:
    """A new code for each observer among `memberships`, in a handful of queries whatever their number.

    Earlier codes of the same memberships stop working. With `revoke_tokens` (a lost phone) the
    observers' phones are signed out too: their tokens are revoked. Only a coordinator of every
    organization concerned may do this (`by` is None for the operator's own management commands);
    members of staff get no codes: they sign in with a password and their authenticator app.
    """
    chosen = list(memberships.filter(role=Role.OBSERVER).select_related("user", "organization"))
    organizations = {membership.organization_id for membership in chosen}
    if by is not None and not all(may_coordinate(by, organization) for organization in organizations):
        raise NotFound()
    now = timezone.now()
    expires_at = now + timedelta(days=settings.SIGN_IN_CODE_DAYS)
    issued = [(membership, new_code()) for membership in chosen]
    with transaction.atomic():
        ids = [membership.pk for membership in chosen]
        SignInCode.objects.filter(
            membership_id__in=ids, used_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=now)
        rows = SignInCode.objects.bulk_create(
            SignInCode(
                membership=membership,
                code_hash=SignInCode.hash_code(code),
                issued_by=by,
                expires_at=expires_at,
            )
            for membership, code in issued
        )
        if revoke_tokens:
            users = [membership.user_id for membership in chosen]
            ObserverToken.objects.filter(user_id__in=users, revoked_at__isnull=True).update(revoked_at=now)
    return [IssuedCode(membership, code, row) for (membership, code), row in zip(issued, rows, strict=True)]


def code_redeem(*, code: str) -> AbstractBaseUser | None:
    """The observer whose usable code this is, marking it used; None for a wrong, used, revoked or
    expired code. The code is spent by one conditional UPDATE, so two phones racing with the same
    card cannot both sign in."""
    normalized = normalize_code(code)
    if len(normalized) != CODE_LENGTH or set(normalized) - set(ALPHABET):
        return None
    found = (
        SignInCode.objects.usable()
        .filter(code_hash=SignInCode.hash_code(normalized))
        .select_related("membership__user")
        .first()
    )
    if found is None:
        return None
    # On the row's own columns, so that the database checks them again under the row's lock.
    unspent = SignInCode.objects.filter(pk=found.pk, used_at__isnull=True, revoked_at__isnull=True)
    if not unspent.update(used_at=timezone.now()):
        return None
    return found.membership.user


def attempt_name(request) -> str:
    """What a code attempt is counted under by the lockout, in place of a username.

    A code names no account, so the failures are counted per address: a guesser is locked out after
    as many wrong codes as wrong passwords, and a mistyped code elsewhere locks out nobody else.
    """
    AxesProxyHandler.update_request(request)
    return f"sign-in code from {request.axes_ip_address}"


def authenticate_with_sign_in_code(request, *, code: str) -> AbstractBaseUser | None:
    """The observer if `code` is theirs and still usable; a wrong one counts as a failed sign-in.

    When the address is locked out, nothing is tried and `request.axes_locked_out` is set, as the
    password sign-in does, so the caller answers with the lockout.
    """
    credentials = {"username": attempt_name(request)}
    if AxesProxyHandler.is_locked(request, credentials):
        request.axes_locked_out = True
        request.axes_credentials = credentials
        return None
    user = code_redeem(code=code)
    if user is None:
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        return None
    # As AXES_RESET_ON_SUCCESS does for passwords: a good code clears the address's earlier typos.
    AccessAttempt.objects.filter(username=credentials["username"]).delete()
    return user
