"""The signals other parts of Baqylau listen to: sent once, after the commit, with what changed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrity.models import ScoreRun
from integrity.services import scores_recompute
from integrity.signals import BandChange, district_bands_changed
from reports.models import CheckIn, IncidentReport
from reports.services.review import report_verify
from reports.signals import report_verified
from reports.taxonomy import Category, Severity

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def make_report(election, organization, observer):
    def make(station, category=Category.BALLOT_STUFFING, severity=Severity.S5):
        return IncidentReport.objects.create(
            observer=observer,
            organization=organization,
            election=election,
            station=station,
            category=category,
            severity=severity,
            phase="voting",
            occurred_at=timezone.now() - timedelta(hours=1),
        )

    return make


@pytest.fixture
def received():
    calls = []

    def listener(sender, **kwargs):
        calls.append((sender, kwargs))

    report_verified.connect(listener, weak=False, dispatch_uid="test-verified")
    district_bands_changed.connect(listener, weak=False, dispatch_uid="test-bands")
    yield calls
    report_verified.disconnect(dispatch_uid="test-verified")
    district_bands_changed.disconnect(dispatch_uid="test-bands")


def test_verifying_a_report_is_announced_after_the_commit(received, reviewer, make_report, station):
    report = make_report(station)
    report_verify(report=report, by=reviewer)
    verified = [kwargs for sender, kwargs in received if sender is IncidentReport]
    assert verified == [
        {"signal": report_verified, "report_id": report.pk, "election_id": report.election_id}
    ]


def test_a_first_score_and_a_moved_band_are_announced_but_an_unchanged_one_is_not(
    received, election, organization, make_station, make_report, observer
):
    stations = [make_station(str(n)) for n in range(1, 7)]
    for station in stations:
        CheckIn.objects.create(
            observer=observer,
            organization=organization,
            election=election,
            station=station,
            kind="arrival",
            at=timezone.now() - timedelta(hours=2),
        )
    district = stations[0].district

    scores_recompute(election_id=election.pk)
    first = [kwargs for sender, kwargs in received if sender is ScoreRun]
    assert len(first) == 1
    assert first[0]["election_id"] == election.pk
    assert [change.district_id for change in first[0]["changes"]] == [district.pk]
    assert first[0]["changes"][0].before == ""
    assert first[0]["changes"][0].after != ""

    received.clear()
    scores_recompute(election_id=election.pk)
    assert [kwargs for sender, kwargs in received if sender is ScoreRun] == []

    for station in stations:
        make_report(station=station, category=Category.BALLOT_STUFFING, severity=Severity.S5)
    scores_recompute(election_id=election.pk)
    moved = [kwargs for sender, kwargs in received if sender is ScoreRun]
    assert len(moved) == 1
    (change,) = moved[0]["changes"]
    assert isinstance(change, BandChange)
    assert change.before == first[0]["changes"][0].after
    assert change.after != change.before
