"""`manage.py check --deploy` refuses a production database that still holds demo credentials: the
demo partner key and the demo password are printed by `make run` and written in the README, so anyone
can use them. Documented in docs/deployment.md ("Demo credentials").
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError

from demo.partner_keys import demo_key_prefix
from partners.models import PartnerKey


@register(Tags.security, deploy=True)
def demo_credentials(app_configs=None, **kwargs) -> list:
    try:
        return [*_demo_partner_key(), *_staff_with_demo_password()]
    except DatabaseError as exc:
        return [
            Warning(
                f"The database could not be read to look for demo credentials ({exc}).",
                hint="Run `manage.py migrate`, then `manage.py check --deploy` again.",
                id="baqylau.W001",
            )
        ]


def _demo_partner_key() -> list:
    key = settings.DEMO_PARTNER_KEY
    found = PartnerKey.objects.filter(prefix=demo_key_prefix(key), key_hash=PartnerKey.hash_key(key))
    if not found.usable().exists():
        return []
    return [
        Error(
            "The demo partner key is in the database: anyone who read the README can use it.",
            hint=f"Revoke it: `manage.py revoke_partner_key {demo_key_prefix(key)}` (or load no demo data).",
            id="baqylau.E001",
        )
    ]


def _staff_with_demo_password() -> list:
    """Staff accounts whose password is the demo password (one hash check per active staff account)."""
    staff = get_user_model().objects.filter(is_active=True, is_staff=True).order_by("pk")
    weak = [user.get_username() for user in staff if check_password(settings.DEMO_PASSWORD, user.password)]
    if not weak:
        return []
    return [
        Error(
            f"Staff accounts with the demo password: {', '.join(weak)}.",
            hint="Set a new password for each (`manage.py changepassword NAME`) or deactivate them.",
            id="baqylau.E002",
        )
    ]
