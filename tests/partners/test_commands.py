"""python manage.py create_partner_key and revoke_partner_key, for operators."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from partners.models import Partner, PartnerKey

pytestmark = pytest.mark.django_db


def run(name: str, *args: str) -> str:
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def printed_key(output: str) -> str:
    return re.search(r"bqp_\S+", output).group(0)


def test_it_registers_a_new_partner_with_the_only_organization_and_prints_the_key_once(organization):
    output = run(
        "create_partner_key",
        "--partner",
        "Daily Steppe",
        "--scopes",
        "scores:read,exports:read",
        "--days",
        "30",
    )

    key = printed_key(output)
    row = PartnerKey.objects.get()
    assert row.partner.name == "Daily Steppe" and row.partner.organization == organization
    assert row.scopes == ["scores:read", "exports:read"]
    assert f"Prefix: {row.prefix}" in output and row.expires_at.date().isoformat() in output
    assert row.key_hash == PartnerKey.hash_key(key)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/elections/").status_code == 200


def test_with_several_organizations_a_new_partner_needs_one_named(organization, other_organization):
    with pytest.raises(CommandError, match="--organization SLUG"):
        run("create_partner_key", "--partner", "Wire", "--scopes", "scores:read", "--days", "5")
    with pytest.raises(CommandError, match="No organization has the slug nowhere"):
        run(
            "create_partner_key",
            "--partner",
            "Wire",
            "--scopes",
            "scores:read",
            "--days",
            "5",
            "--organization",
            "nowhere",
        )

    run(
        "create_partner_key",
        "--partner",
        "Wire",
        "--scopes",
        "scores:read",
        "--days",
        "5",
        "--organization",
        "another-watch",
    )

    assert Partner.objects.get(name="Wire").organization == other_organization


def test_an_existing_partner_gets_another_key(partner, other_organization):
    run("create_partner_key", "--partner", "Daily Steppe", "--scopes", "incidents:read", "--days", "5")

    assert partner.keys.count() == 1
    with pytest.raises(CommandError, match="registered by honest-count, not another-watch"):
        run(
            "create_partner_key",
            "--partner",
            "Daily Steppe",
            "--scopes",
            "incidents:read",
            "--days",
            "5",
            "--organization",
            "another-watch",
        )


@pytest.mark.parametrize(
    ("scopes", "days", "message"),
    [
        ("scores:write", "5", "Unknown scope: scores:write"),
        (",", "5", "at least one scope"),
        ("scores:read", "0", "between 1 and"),
        ("scores:read", "99999", "between 1 and"),
    ],
)
def test_bad_input_is_a_clear_error_and_creates_nothing(organization, scopes, days, message):
    with pytest.raises(CommandError, match=message):
        run("create_partner_key", "--partner", "Wire", "--scopes", scopes, "--days", days)

    assert not PartnerKey.objects.exists() and not Partner.objects.exists()


def test_without_any_organization_it_says_so(db):
    with pytest.raises(CommandError, match="no organization yet"):
        run("create_partner_key", "--partner", "Wire", "--scopes", "scores:read", "--days", "5")


def test_revoke_by_prefix_or_by_the_whole_key(make_key):
    first, second = make_key(), make_key()
    prefix = first.split("_")[1]

    assert f"Key {prefix} of Daily Steppe revoked" in run("revoke_partner_key", prefix)
    run("revoke_partner_key", second)

    assert PartnerKey.objects.filter(revoked_at__isnull=False).count() == 2
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {first}")
    assert client.get("/api/v1/elections/").json()["error"]["code"] == "key_revoked"


def test_revoking_an_unknown_prefix_is_a_clear_error(db):
    with pytest.raises(CommandError, match="No partner key has the prefix deadbeef"):
        run("revoke_partner_key", "deadbeef")
