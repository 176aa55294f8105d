"""Partners read a count of alerts per district, and nothing else of them."""

import pytest

from partners.keys import key_create
from partners.models import Partner
from tests.outreach.conftest import alert_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner_client(organization, client):
    partner = Partner.objects.create(name="Daily Ledger", organization=organization)
    _row, key = key_create(partner=partner, scopes=("scores:read",), days=30)
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client


def test_partners_see_a_count_per_district_and_no_detail(
    partner_client, election, observer, station, bearer, make_station, coordinator
):
    make_station("301", district=3)
    client = bearer(observer)
    for kind in ("detained", "threatened"):
        client.post("/api/v1/alerts/", alert_body(station, kind=kind, note="Secret note"), format="json")

    answer = partner_client.get(f"/api/v1/elections/{election.slug}/alerts/")

    assert answer.status_code == 200, answer.content
    rows = {row["number"]: row for row in answer.json()["results"]}
    assert rows[1]["alerts"] == 2 and rows[1]["open"] == 2
    assert rows[3]["alerts"] == 0
    text = answer.content.decode()
    for private in ("Secret note", "detained", "observer-a", "51.12"):
        assert private not in text
