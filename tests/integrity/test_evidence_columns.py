"""Evidence levels computed with numpy from plain columns: by hand, and against with_evidence() on
the same rows of the database (which stays the definition: the admin and the exports use it)."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.db import connection
from django.db.models import Exists, OuterRef

from integrity import columns as columns_module
from integrity.gather import CATEGORIES, report_columns, report_rows
from integrity.scoring.evidence import REJECTED, UNREVIEWED, VERIFIED, evidence_levels
from integrity.scoring.params import EVIDENCE_LEVELS
from reports.models import IncidentReport, ReportPhoto

HOUR = 3_600_000_000  # microseconds
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
REVIEW = {"rejected": REJECTED, "submitted": UNREVIEWED, "needs_info": UNREVIEWED, "verified": VERIFIED}


def levels(*reports, window=HOUR):
    """(station, category, minutes, observer, review, photo) per report → level names."""
    station, category, minutes, observer, review, photo = zip(*reports, strict=True)
    codes = evidence_levels(
        station=station,
        category=category,
        occurred_at=[round(m * 60_000_000) for m in minutes],
        observer=observer,
        review=review,
        photo=photo,
        window=window,
    )
    return [EVIDENCE_LEVELS[c] for c in codes]


def test_a_verified_report_is_corroborated_by_another_observer_within_60_minutes_either_way():
    assert levels((1, 0, 0, 7, VERIFIED, False), (1, 0, 60, 8, UNREVIEWED, False)) == [
        "corroborated",
        "unverified",
    ]
    assert levels((1, 0, 0, 7, VERIFIED, False), (1, 0, -60, 8, VERIFIED, False)) == ["corroborated"] * 2


def test_one_microsecond_past_the_hour_is_outside_the_window():
    late = 60 + 1 / 60_000_000
    assert levels((1, 0, 0, 7, VERIFIED, False), (1, 0, late, 8, UNREVIEWED, False))[0] == "verified"
    assert levels((1, 0, 0, 7, VERIFIED, False), (1, 0, -late, 8, UNREVIEWED, False))[0] == "verified"


def test_the_same_observer_a_rejected_report_another_category_or_station_do_not_corroborate():
    verified = (1, 0, 0, 7, VERIFIED, False)
    for other in (
        (1, 0, 10, 7, VERIFIED, False),  # the same observer again
        (1, 0, 10, 8, REJECTED, False),  # rejected
        (1, 1, 10, 8, VERIFIED, False),  # another category
        (2, 0, 10, 8, VERIFIED, False),  # another station
    ):
        assert levels(verified, other)[0] == "verified", other


def test_another_observer_counts_even_between_the_report_s_own_observer_s_reports():
    # Sorted by time the run of observer 7 is broken by observer 8 at minute 20.
    own = [(1, 0, m, 7, VERIFIED, False) for m in (0, 10, 30, 40)]
    assert levels(*own, (1, 0, 20, 8, UNREVIEWED, False)) == ["corroborated"] * 4 + ["unverified"]
    # Observer 8 two hours later corroborates none of them.
    assert levels(*own, (1, 0, 160, 8, UNREVIEWED, False)) == ["verified"] * 4 + ["unverified"]


def test_a_photo_makes_a_verified_report_documented_and_only_a_verified_one():
    assert levels(
        (1, 0, 0, 7, VERIFIED, True),
        (1, 0, 5, 8, UNREVIEWED, True),
        (1, 0, 5, 9, REJECTED, True),
    ) == ["documented", "unverified", "rejected"]


def test_large_ids_and_times_years_apart_give_the_same_levels():
    far = 10**9  # minutes: about 1,900 years
    big = 2**40
    reports = [
        (big, 0, 0, big + 1, VERIFIED, False),
        (big, 0, 59, 2, UNREVIEWED, False),
        (big + 3, 0, far, big + 1, VERIFIED, False),
        (big + 3, 0, far + 61, 2, UNREVIEWED, False),
    ]
    assert levels(*reports) == ["corroborated", "unverified", "verified", "unverified"]


def test_columns_of_unequal_length_or_unknown_review_states_are_refused():
    with pytest.raises(ValueError, match="same length"):
        evidence_levels(
            station=[1], category=[0], occurred_at=[0], observer=[1], review=[2, 2], photo=[0], window=1
        )
    with pytest.raises(ValueError, match="Review states"):
        evidence_levels(
            station=[1], category=[0], occurred_at=[0], observer=[1], review=[7], photo=[0], window=1
        )


def test_no_reports_give_no_levels():
    empty = evidence_levels(
        station=[], category=[], occurred_at=[], observer=[], review=[], photo=[], window=HOUR
    )
    assert empty.tolist() == []


def naive_levels(station, category, at, observer, review, photo, window) -> list[str]:
    """with_evidence()'s rule applied report by report, comparing every pair."""
    result = []
    for i in range(len(station)):
        others = (
            j
            for j in range(len(station))
            if (station[j], category[j]) == (station[i], category[i])
            and abs(at[j] - at[i]) <= window
            and observer[j] != observer[i]
            and review[j] != REJECTED
        )
        if review[i] == REJECTED:
            result.append("rejected")
        elif review[i] != VERIFIED:
            result.append("unverified")
        elif photo[i]:
            result.append("documented")
        else:
            result.append("corroborated" if any(True for _ in others) else "verified")
    return result


@pytest.mark.parametrize("ids", ["small", "huge"])
@pytest.mark.parametrize("spread", ["one day", "centuries"])
def test_the_vectorised_levels_agree_with_the_rule_applied_pair_by_pair(ids, spread):
    """Small random sets, dense in time; huge ids and times centuries apart take the other paths."""
    rng = np.random.default_rng(5)
    scale = 10**16 if spread == "centuries" else 1
    offset = 2**61 if ids == "huge" else 0
    for _ in range(150):
        size = int(rng.integers(1, 40))
        station = (rng.integers(0, 3, size) * (offset or 1) + offset).tolist()
        category = rng.integers(0, 2, size).tolist()
        observer = (rng.integers(0, 3, size) + offset).tolist()
        at = (rng.integers(0, 8, size) * 30 * scale + rng.integers(-1, 2, size)).tolist()
        review = rng.integers(0, 3, size).tolist()
        photo = (rng.random(size) < 0.2).tolist()
        window = 60 * scale
        codes = evidence_levels(
            station=station,
            category=category,
            occurred_at=at,
            observer=observer,
            review=review,
            photo=photo,
            window=window,
        )
        expected = naive_levels(station, category, at, observer, review, photo, window)
        assert [EVIDENCE_LEVELS[c] for c in codes] == expected


@pytest.fixture
def random_reports(election, organization, make_station, make_member):
    """Three hundred reports over twelve hours whose times fall on a 15-minute grid, so that many
    pairs are exactly 60 minutes apart and some a microsecond off it; three observers, ten
    stations, two categories, every review state, photos."""
    rng = np.random.default_rng(2023)
    stations = [make_station(f"r{n}", district=n % 2 + 1) for n in range(10)]
    observers = [make_member(f"observer-{n}", organization) for n in range(3)]
    start = datetime(2023, 3, 19, 3, 0, tzinfo=UTC)
    size = 300
    reports = IncidentReport.objects.bulk_create(
        IncidentReport(
            observer=observers[int(rng.integers(3))],
            organization=organization,
            election=election,
            station=stations[int(rng.integers(10))],
            category=("ballot_stuffing", "vote_buying")[int(rng.integers(2))],
            severity=int(rng.choice([1, 3, 5])),
            phase="voting",
            occurred_at=start
            + timedelta(minutes=15 * int(rng.integers(48)), microseconds=int(rng.choice([0, 0, 0, 1, -1]))),
            status=str(rng.choice(["submitted", "needs_info", "verified", "verified", "rejected"])),
        )
        for _ in range(size)
    )
    with_photo = [r for r in reports if rng.random() < 0.3]
    ReportPhoto.objects.bulk_create(
        ReportPhoto(
            report=r, image="p.jpg", thumbnail="t.jpg", width=1, height=1, size_bytes=1, sha256=f"{n:064x}"
        )
        for n, r in enumerate(with_photo)
    )
    return reports


def microseconds(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def test_the_numpy_levels_equal_with_evidence_report_by_report(random_reports, election):
    expected = dict(
        IncidentReport.objects.filter(election=election).with_evidence().values_list("pk", "evidence")
    )
    rows = list(
        IncidentReport.objects.filter(election=election)
        .annotate(photo=Exists(ReportPhoto.objects.filter(report_id=OuterRef("pk"))))
        .values_list("pk", "station_id", "category", "occurred_at", "observer_id", "status", "photo")
    )
    pks, station, category, at, observer, status, photo = zip(*rows, strict=True)
    codes = evidence_levels(
        station=station,
        category=[CATEGORIES.index(c) for c in category],
        occurred_at=[microseconds(t) for t in at],
        observer=observer,
        review=[REVIEW[s] for s in status],
        photo=photo,
        window=HOUR,
    )
    computed = {pk: EVIDENCE_LEVELS[code] for pk, code in zip(pks, codes, strict=True)}
    assert computed == expected
    # Not a vacuous agreement: every level occurs, corroborated ones included.
    assert set(expected.values()) == set(EVIDENCE_LEVELS)


def test_the_gathered_columns_give_with_evidence_s_levels(random_reports, election):
    """Through the real gathering query (times to the microsecond, packed codes, photos) and back."""
    expected = Counter(
        (station, CATEGORIES.index(category), severity, microseconds(at), evidence)
        for station, category, severity, at, evidence in IncidentReport.objects.filter(election=election)
        .with_evidence()
        .values_list("station_id", "category", "severity", "occurred_at", "evidence")
    )
    rows = report_rows(election.pk)
    gathered = Counter(
        zip(
            rows.station_id.tolist(),
            rows.category.tolist(),
            rows.severity.tolist(),
            rows.occurred_at.tolist(),
            [EVIDENCE_LEVELS[c] for c in rows.evidence()],
            strict=True,
        )
    )
    assert gathered == expected
    assert sum(gathered.values()) == len(random_reports)


def test_one_district_s_rows_are_its_stations_reports_only(random_reports, election):
    district_id = random_reports[0].station.district_id
    rows = report_rows(election.pk, district_id=district_id)
    mine = IncidentReport.objects.filter(election=election, station__district_id=district_id)
    assert sorted(rows.station_id.tolist()) == sorted(mine.values_list("station_id", flat=True))
    assert len(report_columns(election.pk, district_id=district_id)) == mine.count()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the fallback for SQLite before 3.38")
def test_times_read_without_unixepoch_are_the_same_microseconds(random_reports, election, monkeypatch):
    modern = report_rows(election.pk).occurred_at
    monkeypatch.setattr(connection.Database, "sqlite_version_info", (3, 37, 2))
    assert report_rows(election.pk).occurred_at.tolist() == modern.tolist()


def test_an_election_without_reports_gathers_empty_columns(election):
    rows = report_rows(election.pk)
    assert (len(rows), rows.evidence().tolist()) == (0, [])


def test_other_databases_fetch_the_same_columns_row_by_row(random_reports, election, monkeypatch):
    aggregated = report_rows(election.pk)
    monkeypatch.setattr(columns_module, "AGGREGATES", {})
    fetched = report_rows(election.pk)
    for name in ("station_id", "category", "severity", "occurred_at", "observer_id", "review", "photo"):
        assert getattr(fetched, name).tolist() == getattr(aggregated, name).tolist(), name


@pytest.mark.django_db
def test_a_filter_that_can_match_nothing_gives_empty_columns():
    empty = IncidentReport.objects.filter(station_id__in=[]).values("station_id", "severity")
    columns = columns_module.integer_columns(empty, ["station_id", "severity"])
    assert [column.tolist() for column in columns] == [[], []]
    assert all(column.dtype == np.int64 for column in columns)
