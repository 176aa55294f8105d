"""Partners and keys in the admin: coordinators of their own organizations, the key shown once."""

import re

import pytest

from partners.models import Partner, PartnerKey
from people.models import Role
from people.roles import ensure_groups
from tests.partners.conftest import coordinator_of

pytestmark = pytest.mark.django_db

KEYS = "/admin/partners/partnerkey/"
PARTNERS = "/admin/partners/partner/"


@pytest.fixture
def coordinator_a(make_member, organization):
    return coordinator_of(make_member, organization, "coord-a")


@pytest.fixture
def theirs(other_organization):
    """A partner of another organization, with a key."""
    from partners.keys import key_create

    partner = Partner.objects.create(name="Their Wire", organization=other_organization)
    key, _secret = key_create(partner=partner, scopes=["scores:read"], days=5)
    return partner, key


@pytest.fixture
def admin_a(client, coordinator_a):
    client.force_login(coordinator_a)
    return client


def test_a_coordinator_lists_only_their_organizations_partners_and_keys(admin_a, partner, theirs, make_key):
    make_key("scores:read")
    partners = admin_a.get(PARTNERS).content.decode()
    keys = admin_a.get(KEYS).content.decode()

    assert "Daily Steppe" in partners and "Their Wire" not in partners
    assert partner.keys.get().prefix in keys and theirs[1].prefix not in keys


def test_another_organizations_partner_and_key_are_404(admin_a, theirs):
    partner, key = theirs

    assert admin_a.get(f"{PARTNERS}{partner.pk}/change/").status_code == 404
    assert admin_a.get(f"{KEYS}{key.pk}/change/").status_code == 404


def test_a_coordinator_registers_a_partner_for_their_organization_only(
    admin_a, organization, other_organization
):
    refused = admin_a.post(f"{PARTNERS}add/", {"name": "Sneaky", "organization": other_organization.pk})
    assert refused.status_code == 200 and not Partner.objects.filter(name="Sneaky").exists()

    response = admin_a.post(f"{PARTNERS}add/", {"name": "Radio Azattyq", "organization": organization.pk})

    assert response.status_code == 302
    assert Partner.objects.get(name="Radio Azattyq").organization == organization


def test_a_new_key_is_shown_once_and_stored_only_as_its_hash(admin_a, partner, coordinator_a, client):
    form = admin_a.get(f"{KEYS}add/").content.decode()
    assert 'type="checkbox" name="scopes" value="photos:read"' in form

    response = admin_a.post(f"{KEYS}add/", {"partner": partner.pk, "scopes": ["incidents:read"], "days": 7})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = re.search(r'value="(bqp_[^"]+)"', response.content.decode()).group(1)
    row = PartnerKey.objects.get()
    assert (row.partner, row.scopes, row.created_by) == (partner, ["incidents:read"], coordinator_a)
    assert row.key_hash == PartnerKey.hash_key(secret) and secret not in row.key_hash
    assert round((row.expires_at - row.created_at).total_seconds() / 86400) == 7
    for page in (KEYS, f"{KEYS}{row.pk}/change/"):
        assert secret not in admin_a.get(page).content.decode()
    assert client.get("/api/v1/incidents/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200


def test_a_key_needs_a_scope_and_sensible_days(admin_a, partner):
    for data in (
        {"scopes": [], "days": 7},
        {"scopes": ["scores:read"], "days": 0},
        {"scopes": ["x"], "days": 7},
    ):
        response = admin_a.post(f"{KEYS}add/", {"partner": partner.pk, **data})
        assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not PartnerKey.objects.exists()


def test_a_key_of_another_organizations_partner_cannot_be_made(admin_a, theirs):
    response = admin_a.post(f"{KEYS}add/", {"partner": theirs[0].pk, "scopes": ["scores:read"], "days": 7})

    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert PartnerKey.objects.count() == 1


def test_the_revoke_action_stops_the_key_at_once(admin_a, make_key, client, theirs):
    secret = make_key("scores:read")
    row = PartnerKey.objects.get(prefix=secret.split("_")[1])

    response = admin_a.post(
        KEYS, {"action": "revoke", "_selected_action": [row.pk, theirs[1].pk]}, follow=True
    )

    assert "1 key revoked." in response.content.decode()
    row.refresh_from_db()
    theirs[1].refresh_from_db()
    assert row.revoked_at is not None and theirs[1].revoked_at is None
    assert client.get("/api/v1/elections/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_keys_are_never_deleted(admin_a, make_key):
    make_key()
    row = PartnerKey.objects.get()

    assert admin_a.get(f"{KEYS}{row.pk}/delete/").status_code == 403


def test_a_reviewer_has_no_say_over_partners(client, make_member, organization, partner):
    reviewer = make_member("rev-a", organization, role=Role.REVIEWER, is_staff=True)
    reviewer.groups.add(ensure_groups()["Reviewer"])
    client.force_login(reviewer)

    assert client.get(PARTNERS).status_code == 403
    assert client.get(KEYS).status_code == 403


def test_a_superuser_sees_every_partner(client, superuser, partner, theirs):
    client.force_login(superuser)

    page = client.get(PARTNERS).content.decode()

    assert "Daily Steppe" in page and "Their Wire" in page


@pytest.mark.parametrize("page", [PARTNERS, KEYS])
def test_the_admin_lists_read_as_many_queries_for_one_row_as_for_twenty(admin_a, organization, page):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from partners.keys import key_create

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_a.get(page).status_code == 200
        return len(captured)

    partner = Partner.objects.create(name="P0", organization=organization)
    key_create(partner=partner, scopes=["scores:read"], days=5)
    one = queries()
    for n in range(1, 20):
        key_create(
            partner=Partner.objects.create(name=f"P{n}", organization=organization),
            scopes=["scores:read"],
            days=5,
        )

    assert queries() == one
