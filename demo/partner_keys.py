"""The demo partner of "Majilis 2023 (demo)": every scope, and a fixed key printed by seed_demo.

Keys are stored only as their SHA-256, so a seed that runs again could not print a random key it
made before; the demo key is therefore fixed (settings.DEMO_PARTNER_KEY), public like the demo
password, and for demo data only.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from partners.keys import MAX_DAYS
from partners.models import Partner, PartnerKey, Scope
from people.models import Organization

DEMO_PARTNER = "demo-partner"


def demo_key_prefix(key: str) -> str:
    return key.split("_")[1]


def ensure_demo_partner(*, organization: Organization) -> PartnerKey:
    """The demo partner and its key; running it again changes nothing (a revoked key stays revoked)."""
    partner, _ = Partner.objects.get_or_create(
        name=DEMO_PARTNER, defaults={"organization": organization, "contact": "demo data only"}
    )
    key = settings.DEMO_PARTNER_KEY
    row, _ = PartnerKey.objects.update_or_create(
        prefix=demo_key_prefix(key),
        defaults={"partner": partner, "key_hash": PartnerKey.hash_key(key), "scopes": list(Scope.values)},
        create_defaults={
            "partner": partner,
            "key_hash": PartnerKey.hash_key(key),
            "scopes": list(Scope.values),
            "expires_at": timezone.now() + timedelta(days=MAX_DAYS),
        },
    )
    return row
