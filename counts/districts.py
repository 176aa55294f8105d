"""District by district: official turnout and shares against the observers' estimates, differing
protocols, and the evidence of the count risk.

The estimates use the random sample when the election has one (stations drawn with `in_sample`)
and every station with observers' numbers otherwise — then `sample_used` is False and the margins
of error assume a random sample that was not drawn, which the dashboard says.
"""

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from counts.comparison import StationComparison, chosen_protocols, last_turnout_counts, protocol_comparisons
from counts.estimators import RatioEstimate, Stratum, ratio_estimate, stratified_ratio_estimate
from counts.models import Contest, ContestKind, OfficialResult
from stations.models import Election, PollingStation


@dataclass(frozen=True)
class CountEvidence:
    """What one district's count risk is made of; None where observers gave nothing to compare."""

    protocols_compared: int = 0
    protocols_differing: int = 0
    # Of the differing, those that differ materially (counts.comparison.MATERIAL_VOTES): the count
    # risk's x. None when not told apart, and then every difference counts.
    protocols_material: int | None = None
    official_turnout: float | None = None
    observed_turnout: float | None = None  # T̂
    observed_turnout_se: float | None = None

    @property
    def has_turnout(self) -> bool:
        return bool(self.official_turnout) and self.observed_turnout is not None

    @property
    def shortfall(self) -> float | None:
        if not self.has_turnout:
            return None
        return max(0.0, (self.official_turnout - self.observed_turnout) / self.official_turnout)


@dataclass(frozen=True)
class ShareEstimate:
    code: str
    official: float | None
    estimate: RatioEstimate | None

    @property
    def outside_99(self) -> bool:
        return (
            self.official is not None
            and self.estimate is not None
            and self.estimate.outside_99(self.official)
        )


@dataclass
class DistrictCounts:
    district_id: int
    stations: int
    official_turnout: float | None = None
    turnout: RatioEstimate | None = None
    shares: dict[str, ShareEstimate] = field(default_factory=dict)
    comparisons: list[StationComparison] = field(default_factory=list)

    @property
    def differing(self) -> list[StationComparison]:
        return [c for c in self.comparisons if c.differs]

    @property
    def turnout_outside_99(self) -> bool:
        return (
            self.official_turnout is not None
            and self.turnout is not None
            and self.turnout.outside_99(self.official_turnout)
        )

    def evidence(self) -> CountEvidence:
        compared = {c.station_id for c in self.comparisons}
        differing = {c.station_id for c in self.differing}
        material = {c.station_id for c in self.differing if c.material}
        return CountEvidence(
            protocols_compared=len(compared),
            protocols_differing=len(differing),
            protocols_material=len(material),
            official_turnout=self.official_turnout,
            observed_turnout=self.turnout.estimate if self.turnout else None,
            observed_turnout_se=self.turnout.standard_error if self.turnout else None,
        )


@dataclass(frozen=True)
class CountSummary:
    sample_used: bool
    turnout_contest: Contest | None
    districts: dict[int, DistrictCounts]
    official_turnout: float | None
    turnout: RatioEstimate | None  # stratified by district


def turnout_contest(election: Election) -> Contest | None:
    """Turnout is read from the party list when there is one: every voter gets that ballot."""
    contests = list(Contest.objects.filter(election=election).order_by("code"))
    party_lists = [c for c in contests if c.kind == ContestKind.PARTY_LIST]
    return (party_lists or contests or [None])[0]


def ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def count_summary(
    election: Election, *, protocols_of=chosen_protocols, turnout_counts: dict[int, int] | None = None
) -> CountSummary:
    """`protocols_of` (contest → the copy that speaks for each station) and `turnout_counts`
    (station → voters) narrow the evidence, as the partner API does to what partners may see."""
    stations = list(
        PollingStation.objects.filter(election=election).values_list(
            "pk", "district_id", "registered_voters", "in_sample"
        )
    )
    sample_used = any(in_sample for *_, in_sample in stations)
    district_of = {pk: district for pk, district, *_ in stations}
    sizes: dict[int, int] = defaultdict(int)
    for _pk, district, *_ in stations:
        sizes[district] += 1
    districts = {district: DistrictCounts(district, size) for district, size in sizes.items()}
    contests = list(Contest.objects.filter(election=election))
    # The copy that speaks for each station, read once per contest for both uses below.
    chosen = {contest.pk: protocols_of(contest) for contest in contests}
    for contest in contests:
        for comparison in protocol_comparisons(contest, protocols=chosen[contest.pk]):
            districts[comparison.district_id].comparisons.append(comparison)
    main = turnout_contest(election)
    eligible = {pk: registered for pk, _d, registered, in_sample in stations if in_sample or not sample_used}
    strata = add_turnout(election, main, districts, district_of, eligible, turnout_counts) if main else []
    for contest in contests:
        add_shares(contest, chosen[contest.pk], districts, district_of, eligible)
    official = (
        OfficialResult.objects.current().filter(contest=main) if main else OfficialResult.objects.none()
    )
    issued, registered = official_totals(official.values_list("ballots_issued", "registered"))
    return CountSummary(
        sample_used=sample_used,
        turnout_contest=main,
        districts=districts,
        official_turnout=ratio(issued, registered),
        turnout=stratified_ratio_estimate(strata),
    )


def official_totals(rows) -> tuple[float, float]:
    array = np.array(list(rows), dtype=float).reshape(-1, 2)
    return float(array[:, 0].sum()), float(array[:, 1].sum())


def add_turnout(election, contest, districts, district_of, eligible, counts=None) -> list[Stratum]:
    official = defaultdict(lambda: [0.0, 0.0])
    rows = (
        OfficialResult.objects.current()
        .filter(contest=contest)
        .values_list("station_id", "ballots_issued", "registered")
    )
    for station_id, issued, registered in rows:
        official[district_of[station_id]][0] += issued
        official[district_of[station_id]][1] += registered
    samples = defaultdict(lambda: ([], []))
    if counts is None:
        counts = last_turnout_counts(election.pk, election.polls_close_at)
    for station_id, voters in counts.items():
        if station_id in eligible:
            a, m = samples[district_of[station_id]]
            a.append(voters)
            m.append(eligible[station_id])
    strata = []
    for district_id, item in districts.items():
        issued, registered = official.get(district_id, (0.0, 0.0))
        item.official_turnout = ratio(issued, registered)
        a, m = samples.get(district_id, ([], []))
        item.turnout = ratio_estimate(a, m, population=item.stations)
        strata.append(Stratum(np.asarray(a, float), np.asarray(m, float), item.stations))
    return strata


def add_shares(contest, protocols: dict[int, dict], districts, district_of, eligible) -> None:
    official = defaultdict(lambda: defaultdict(float))
    valid = defaultdict(float)
    for station_id, votes, total in (
        OfficialResult.objects.current().filter(contest=contest).values_list("station_id", "votes", "valid")
    ):
        district = district_of[station_id]
        valid[district] += total
        for code, count in votes.items():
            official[district][code] += count
    observed = defaultdict(list)
    for station_id, row in protocols.items():
        if station_id in eligible:
            observed[district_of[station_id]].append(row)
    for district_id, item in districts.items():
        rows = observed.get(district_id, [])
        codes = sorted(set(official.get(district_id, {})) | {code for row in rows for code in row["votes"]})
        m = [row["valid"] for row in rows]
        for code in codes:
            a = [row["votes"].get(code, 0) for row in rows]
            item.shares[f"{contest.code}:{code}"] = ShareEstimate(
                code=code,
                official=ratio(official[district_id][code], valid[district_id]),
                estimate=ratio_estimate(a, m, population=item.stations),
            )
