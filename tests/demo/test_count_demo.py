"""The demo's count integrity: contests, official results, and a field team whose numbers show the
reference case — Almaty's official turnout well above what its observers counted."""

import pytest

from counts.districts import count_summary
from counts.models import Contest, OfficialResult, ProtocolCopy, TurnoutCount
from demo.count import seed_counts
from reports.models import CheckIn

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_country(election, make_station):
    election.refresh_from_db()
    for n in range(60):
        make_station(f"a{n}", district=1, region="Almaty (city)", registered_voters=1500)
        make_station(f"b{n}", district=2, region="Astana", registered_voters=1500)
    return election


def test_the_demo_counts_show_the_reference_case_and_nowhere_else(small_country, organization, reviewer):
    message = seed_counts(election=small_country, organization=organization, reviewer=reviewer, seed=2023)
    assert "field team" in message
    assert set(Contest.objects.values_list("code", flat=True)) == {"party_list", "smd"}
    assert OfficialResult.objects.current().count() == 2 * 120
    assert small_country.stations.filter(in_sample=True).count() == 60  # 30 per district at least
    observed = CheckIn.objects.values("station").distinct().count()
    assert TurnoutCount.objects.values("station").distinct().count() == observed
    assert ProtocolCopy.objects.exists()
    districts = {d.district_id: d for d in count_summary(small_country).districts.values()}
    almaty, astana = (districts[small_country.districts.get(number=n).pk] for n in (1, 2))
    assert almaty.official_turnout == pytest.approx(0.258, abs=0.01)
    assert almaty.turnout.estimate == pytest.approx(0.11, abs=0.02)
    assert almaty.evidence().shortfall > 0.4
    assert almaty.differing
    assert astana.evidence().shortfall < 0.1
    assert not astana.turnout_outside_99


def test_seeding_the_demo_counts_again_changes_nothing(small_country, organization, reviewer):
    seed_counts(election=small_country, organization=organization, reviewer=reviewer, seed=2023)
    before = (OfficialResult.objects.count(), ProtocolCopy.objects.count(), TurnoutCount.objects.count())
    assert "already there" in seed_counts(
        election=small_country, organization=organization, reviewer=reviewer, seed=2023
    )
    assert (
        OfficialResult.objects.count(),
        ProtocolCopy.objects.count(),
        TurnoutCount.objects.count(),
    ) == before
