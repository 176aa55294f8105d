"""What the count gives the integrity score: each district's count risk R_C and forensic flags F.

Read by integrity when it gathers an election. Working out the count risk reads every
station's numbers (about a second for a national election), so the result is cached under the
same key as the dashboard's count: it changes as soon as results, copies or counts do."""

from collections.abc import Hashable
from dataclasses import dataclass, field

from django.core.cache import cache

from counts.dashboard import CACHE_SECONDS, data_state, state_key
from counts.districts import count_summary, turnout_contest
from counts.forensic_runs import latest_forensics
from integrity.count_risk import count_risks
from integrity.scoring import CountRisk
from stations.models import Election


@dataclass(frozen=True)
class CountInputs:
    count_risk: dict[Hashable, CountRisk] = field(default_factory=dict)  # by district id
    forensic_flags: dict[Hashable, float] = field(default_factory=dict)  # by district id, tested ones


def count_inputs(election_id: int, *, strength_min: float, strength_max: float) -> CountInputs:
    """R_C of the districts with protocol copies or turnout counts to compare, and F of the
    districts the latest forensics run of the party list tested; nothing without contests."""
    state = data_state(Election(pk=election_id))  # one query; the election itself only if needed
    if not state["contest_count"]:
        return CountInputs()
    # The prior is part of the key: a new way of fitting it never reads counts cached by the old one.
    key = f"score-robust-{state_key(state)}:{strength_min}:{strength_max}"
    cached = cache.get(key)
    if cached is None:
        election = Election.objects.get(pk=election_id)
        cached = build(election, strength_min=strength_min, strength_max=strength_max)
        cache.set(key, cached, CACHE_SECONDS)
    return cached


def build(election: Election, *, strength_min: float, strength_max: float) -> CountInputs:
    summary = count_summary(election)
    evidence = {district_id: item.evidence() for district_id, item in summary.districts.items()}
    risks = count_risks(evidence, strength_min=strength_min, strength_max=strength_max)
    return CountInputs(count_risk=risks, forensic_flags=forensic_flags(election))


def forensic_flags(election: Election) -> dict[Hashable, float]:
    """F by district id from the latest run on the party list's current results (only districts
    the tests ran in: elsewhere F is not measured)."""
    contest = turnout_contest(election)
    run = latest_forensics(contest) if contest else None
    if run is None:
        return {}
    ids = dict(election.districts.values_list("number", "pk"))
    tested = {
        int(item["district"]): float(item["F"])
        for item in run.results.get("districts", [])
        if any(isinstance(test, dict) and test.get("ran") for test in item.values())
    }
    return {ids[number]: flags for number, flags in tested.items() if number in ids}
