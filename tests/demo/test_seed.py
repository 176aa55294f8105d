from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db.models import F, Max, Sum

from demo import election as demo
from stations.models import District, Election, PollingStation, Region

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--allow-demo-in-production", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {
        "elections": Election.objects.count(),
        "regions": Region.objects.count(),
        "districts": list(District.objects.values_list("number", "name", "region__name")),
        "stations": PollingStation.objects.count(),
        "last_change": PollingStation.objects.aggregate(Max("updated_at"))["updated_at__max"],
        "users": list(get_user_model().objects.order_by("username").values_list("username", "password")),
    }


def test_it_builds_the_real_regions_and_districts_with_synthetic_stations():
    seed()
    election = Election.objects.get(slug=demo.DEMO_SLUG)
    assert election.name == "Majilis 2023 (demo)"
    assert str(election.date) == "2023-03-19"
    assert election.regions.count() == 20
    assert election.districts.count() == 29
    assert election.stations.count() == 10_146
    assert election.stations.aggregate(total=Sum("registered_voters"))["total"] == 12_032_550
    district_regions = dict(election.districts.values_list("number", "region__name"))
    assert district_regions[1] == district_regions[2] == "Astana"
    assert district_regions[3] == district_regions[4] == district_regions[5] == "Almaty (city)"
    assert district_regions[11] == district_regions[12] == "Almaty Region"
    assert district_regions[19] == "Karaganda Region"
    assert district_regions[28] == "Ulytau Region"


def test_published_regional_figures_are_kept():
    seed()
    atyrau = Region.objects.get(name="Atyrau Region")
    assert atyrau.stations.count() == 269
    assert atyrau.stations.aggregate(total=Sum("registered_voters"))["total"] == 412_165
    assert Region.objects.get(name="Kyzylorda Region").stations.count() == 373
    assert Region.objects.get(name="North Kazakhstan Region").stations.count() == 631


def test_every_station_sits_in_its_districts_region_with_plausible_figures():
    seed()
    assert not PollingStation.objects.exclude(region=F("district__region")).exists()
    assert not PollingStation.objects.filter(registered_voters__lt=50).exists()
    assert not PollingStation.objects.filter(latitude__isnull=True).exists()
    kazakhstan = PollingStation.objects.filter(latitude__range=(40.5, 55.5), longitude__range=(46.4, 87.4))
    assert kazakhstan.count() == PollingStation.objects.count()


def test_the_generated_stations_are_the_same_on_every_run():
    assert demo.demo_station_rows() == demo.demo_station_rows()
    assert demo.demo_station_rows(seed=1) != demo.demo_station_rows()


def test_running_it_twice_changes_nothing():
    seed()
    before = snapshot()
    output = seed()
    assert snapshot() == before
    assert "(0 created, 0 updated)" in output


def test_it_creates_the_demo_accounts_and_prints_them(settings):
    settings.DEMO_PASSWORD = "another-demo-password"
    output = seed()
    coordinator = authenticate(username="coordinator", password="another-demo-password")
    reviewer = authenticate(username="reviewer", password="another-demo-password")
    assert coordinator is not None and coordinator.is_staff and not coordinator.is_superuser
    assert reviewer is not None and reviewer.is_staff
    assert coordinator.has_perm("stations.add_pollingstation")
    assert not reviewer.has_perm("stations.add_pollingstation")
    assert reviewer.has_perm("stations.view_pollingstation")
    for number in (1, 20):
        observer = authenticate(username=f"observer{number}", password="another-demo-password")
        assert observer is not None and not observer.is_staff
    assert not get_user_model().objects.filter(username="observer26").exists()
    assert "another-demo-password" in output
    assert "coordinator" in output and "observer20" in output


def test_if_empty_leaves_an_existing_database_alone():
    Election.objects.create(slug="real", name="A real election", date="2024-01-01")
    output = seed("--if-empty")
    assert "not rebuilt" in output
    assert not Election.objects.filter(slug=demo.DEMO_SLUG).exists()
    assert "observe2023" in output


def test_the_demo_coordinator_can_open_the_station_list_and_the_reviewer_cannot_import(client):
    seed()
    election = Election.objects.get(slug=demo.DEMO_SLUG)
    assert client.login(username="coordinator", password="observe2023")
    response = client.get(
        "/admin/stations/pollingstation/", {"district__id__exact": election.districts.get(number=1).pk}
    )
    assert response.status_code == 200
    assert "Polling station No. " in response.content.decode()
    client.logout()
    assert client.login(username="reviewer", password="observe2023")
    assert client.get("/admin/stations/pollingstation/").status_code == 200
    assert client.get(f"/admin/stations/election/{election.pk}/import-stations/").status_code == 403


def test_the_demo_observers_are_assigned_across_districts_and_have_reported():
    from people.models import Assignment, Membership
    from reports.models import CheckIn, IncidentReport

    seed()
    observer = get_user_model().objects.get(username="observer1")
    membership = Membership.objects.get(user=observer)
    assert membership.role == "observer" and membership.organization.slug == "citizen-watch"
    districts = set(
        Assignment.objects.filter(membership=membership).values_list("station__district__number", flat=True)
    )
    assert len(districts) == 3
    assert Membership.objects.get(user__username="observer20").roaming is True
    assert Membership.objects.get(user__username="coordinator").role == "coordinator"
    assert CheckIn.objects.filter(observer=observer).count() == 12
    # The demo accounts; the field team at the random sample (field0001…) checks in once each.
    assert CheckIn.objects.filter(observer__username__startswith="observer").count() == 25 * 3 * 4
    reports = IncidentReport.objects.filter(observer__username__startswith="observer")
    assert 30 <= reports.count() <= 150
    assert reports.values("category").distinct().count() >= 8
    assert reports.values("station__district").distinct().count() >= 20
    assert reports.filter(photos__isnull=False).exists()
    assert not reports.exclude(occurred_at__date__range=("2023-03-19", "2023-03-20")).exists()


def test_a_second_organization_shows_the_scoping_at_work():
    from people.models import Assignment, Membership
    from reports.models import IncidentReport

    seed()
    fair_count = Membership.objects.get(user__username="coordinator2")
    assert (fair_count.role, fair_count.organization.slug) == ("coordinator", "fair-count")
    members = set(
        Membership.objects.filter(organization=fair_count.organization).values_list(
            "user__username", flat=True
        )
    )
    assert members == {"coordinator2", *(f"observer{n}" for n in range(21, 26))}
    first_stations = set(
        Assignment.objects.filter(membership__organization__slug="citizen-watch").values_list(
            "station", flat=True
        )
    )
    second_stations = set(
        Assignment.objects.filter(membership__organization=fair_count.organization).values_list(
            "station", flat=True
        )
    )
    assert len(second_stations) == 15 and not first_stations & second_stations
    assert IncidentReport.objects.filter(organization=fair_count.organization).exists()


def test_the_demo_reports_have_been_partly_reviewed():
    from reports.models import IncidentReport

    seed()
    statuses = set(IncidentReport.objects.values_list("status", flat=True))
    assert statuses == {"submitted", "verified", "rejected", "needs_info"}


def test_the_demo_has_both_majilis_contests_official_results_and_a_field_team_at_the_sample():
    from counts.models import Contest, OfficialResult, ProtocolCopy, TurnoutCount
    from integrity.models import DistrictScore
    from integrity.services import scores_recompute

    output = seed()
    election = Election.objects.get(slug=demo.DEMO_SLUG)
    assert set(Contest.objects.filter(election=election).values_list("code", flat=True)) == {
        "party_list",
        "smd",
    }
    assert OfficialResult.objects.current().count() == 2 * 10_146
    assert "field team of" in output
    sample = election.stations.filter(in_sample=True)
    assert sample.count() >= 1_015
    assert TurnoutCount.objects.filter(station__in=sample).values("station").distinct().count() > 500
    assert ProtocolCopy.objects.filter(failures=[]).exists()
    scores_recompute(election_id=election.pk)
    scored = DistrictScore.objects.filter(election=election, score__isnull=False)
    assert scored.count() == 29  # every district has enough observed stations for a score


def test_it_creates_the_demo_partner_with_every_scope_and_prints_a_key_that_works(client):
    from partners.models import Partner, PartnerKey

    output = seed()
    key = "bqp_demo0000_demo-partner-key-not-for-real-data"
    assert key in output and "demo-partner" in output
    partner = Partner.objects.get(name="demo-partner")
    assert partner.organization.slug == "citizen-watch"
    row = partner.keys.get()
    assert row.scopes == ["scores:read", "incidents:read", "photos:read", "exports:read"]
    assert row.key_hash == PartnerKey.hash_key(key) and row.is_usable

    response = client.get("/api/v1/incidents/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert response.json()["results"]

    before = list(PartnerKey.objects.values_list("prefix", "key_hash", "expires_at"))
    assert key in seed()
    assert list(PartnerKey.objects.values_list("prefix", "key_hash", "expires_at")) == before
    assert key in seed("--if-empty")
