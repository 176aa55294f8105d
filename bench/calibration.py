"""Calibration of the integrity score: how often honest districts read as troubled (false alarms)
and how often planted fraud is caught (power), at each coverage grade.

    .venv/bin/python bench/calibration.py [--elections 120] [--seed 2023] [--record]

Each simulated election is shaped like the demo: 29 districts of 250 to 450 stations (about
10,000 in all), a random sample of 11 % of each district's stations (at least 30; about 1,100 in
all), observed in full, in part or thinly so that the districts spread over coverage grades A, B
and C. Everything honest is drawn at random: turnout and leader share by district and station,
voters and votes as binomial and multinomial draws, observers' incidents (S5 1 %, S3 3 %, S1 10 %
of observed stations, with the evidence levels a review gives), protocol copies at 90 % of the
observed stations, clerical differences between copy and official result at 3 % of stations (1 to
5 votes moved), and the observers' own turnout counts (±1 % counting error). In each election,
seven districts chosen at random carry one planted fraud each:

- turnout inflated by 5, 10 or 20 points at every station, the extra ballots all to the leader,
  written into the station's protocol (so the observers' copies agree; only their turnout
  counts disagree);
- protocols altered after the count at 10 % or 30 % of stations: the official result adds 5 to
  20 % of the registered voters to the leader, the observers' copies keep the true count;
- ballot stuffing reported by observers at 5 % or 20 % of the observed stations.

Every district is then scored by the production code: station indicators, the count risk
(integrity.count_risk with the PVT ratio estimator of counts.estimators), the forensic tests
(counts.forensics) and score_districts. The table gives, per coverage grade, the share of honest
districts whose score is below 85, whose 80 % interval reaches below 70 and that carry any
forensic flag, and the share of planted districts scored below 70 and below 50. `--record`
replaces the table in docs/methodology.md ("Calibration").
"""

import argparse
import os
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
METHODOLOGY = ROOT / "docs" / "methodology.md"
BEGIN, END = "<!-- calibration table: begin -->", "<!-- calibration table: end -->"

DISTRICTS = 29
SAMPLE_SHARE, SAMPLE_MIN = 0.11, 30
PARTIES = 6
INCIDENT_RATES = {5: 0.01, 3: 0.03, 1: 0.10}
CATEGORY = {5: "ballot_stuffing", 3: "intimidation", 1: "procedural"}
EVIDENCE = (("unverified", 0.3), ("verified", 0.4), ("corroborated", 0.15), ("documented", 0.15))
CLERICAL_RATE, COPY_RATE = 0.03, 0.9
PLANTED = (
    ("turnout +5", "turnout", 0.05),
    ("turnout +10", "turnout", 0.10),
    ("turnout +20", "turnout", 0.20),
    ("protocols 10 %", "protocols", 0.10),
    ("protocols 30 %", "protocols", 0.30),
    ("stuffing 5 %", "stuffing", 0.05),
    ("stuffing 20 %", "stuffing", 0.20),
)
GRADES = ("A", "B", "C")


def setup_django() -> None:
    """The production scoring code reads its settings; nothing here touches a database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-key")
    os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@dataclass
class District:
    label: int
    stations: int
    plant: tuple[str, str, float] | None
    grade: str  # the coverage aimed at
    registered: np.ndarray = field(default=None)
    true_ballots: np.ndarray = field(default=None)
    true_votes: np.ndarray = field(default=None)
    official: dict = field(default_factory=dict)
    observed: np.ndarray = field(default=None)  # indices of observed (sample) stations
    sample: np.ndarray = field(default=None)


def draw_votes(rng, registered, turnout, share):
    ballots = rng.binomial(registered, turnout)
    valid = ballots - rng.binomial(ballots, 0.015)
    leader = rng.binomial(valid, share)
    others = np.array([rng.multinomial(v, rng.dirichlet(np.full(PARTIES - 1, 2.0))) for v in valid - leader])
    return ballots, valid, np.column_stack([leader, others])


def build_district(rng, label: int, plant, grade: str) -> District:
    stations = int(rng.integers(250, 451))
    item = District(label=label, stations=stations, plant=plant, grade=grade)
    item.registered = np.clip(rng.lognormal(np.log(1000), 0.45, stations), 150, 3000).astype(np.int64)
    turnout = np.clip(rng.normal(rng.uniform(0.45, 0.70), 0.06, stations), 0.1, 0.95)
    share = np.clip(rng.normal(rng.uniform(0.45, 0.65), 0.05, stations), 0.1, 0.9)
    ballots, valid, votes = draw_votes(rng, item.registered, turnout, share)
    item.true_ballots, item.true_votes = ballots, votes
    official = {"ballots": ballots.copy(), "valid": valid.copy(), "votes": votes.copy()}
    differs = rng.random(stations) < CLERICAL_RATE
    _clerical(rng, official["votes"], differs)
    if plant and plant[1] in ("turnout", "protocols"):
        _inflate(rng, item, official, differs, plant)
    item.official = {**official, "differs": differs, "material": differs & _material(item, official)}
    size = min(stations, max(SAMPLE_MIN, int(np.ceil(SAMPLE_SHARE * stations))))
    item.sample = rng.choice(stations, size=size, replace=False)
    observed = {"A": size, "B": int(rng.integers(15, 30)), "C": int(rng.integers(5, 15))}[grade]
    item.observed = item.sample[: min(observed, size)]
    return item


def _material(item: District, official: dict) -> np.ndarray:
    """Stations whose result differs from the true count by more than the production rule's
    tolerance (counts.comparison.material_tolerance) in some line; where the copy differs from the
    result, the copy holds the true count."""
    from counts.comparison import material_tolerance

    gap = np.abs(official["votes"] - item.true_votes).max(axis=1)
    gap = np.maximum(gap, np.abs(official["ballots"] - item.true_ballots))
    tolerance = np.array([material_tolerance(int(b)) for b in official["ballots"]])
    return gap > tolerance


def _clerical(rng, votes: np.ndarray, rows: np.ndarray) -> None:
    """1 to 5 votes written in the wrong party's line: the copy and the result differ."""
    for row in np.flatnonzero(rows):
        moved = min(int(rng.integers(1, 6)), int(votes[row, 1]))
        votes[row, 1] -= moved
        votes[row, 2] += moved


def _inflate(rng, item: District, official: dict, differs: np.ndarray, plant) -> None:
    _name, kind, size = plant
    if kind == "turnout":
        rows = np.ones(item.stations, dtype=bool)
        extra = np.round(size * item.registered).astype(np.int64)
    else:
        rows = rng.random(item.stations) < size
        extra = np.round(rng.uniform(0.05, 0.20, item.stations) * item.registered).astype(np.int64)
        differs |= rows  # the official result no longer matches the copy
    extra = np.where(rows, np.minimum(extra, item.registered - official["ballots"]), 0)
    official["ballots"] += extra
    official["valid"] += extra
    official["votes"][:, 0] += extra


def simulate(rng) -> list[District]:
    grades = list(np.resize(GRADES, DISTRICTS))
    rng.shuffle(grades)
    planted = rng.choice(DISTRICTS, size=len(PLANTED), replace=False)
    plants = dict(zip(planted.tolist(), PLANTED, strict=True))
    return [build_district(rng, d + 1, plants.get(d), grades[d]) for d in range(DISTRICTS)]


def reports_of(rng, districts: list[District]):
    from integrity.scoring import ReportInput

    levels, weights = zip(*EVIDENCE, strict=True)
    reports = []
    for item in districts:
        stuffing = item.plant[2] if item.plant and item.plant[1] == "stuffing" else 0.0
        for station in item.observed:
            sid = item.label * 10_000 + int(station)
            for severity, rate in INCIDENT_RATES.items():
                if rng.random() < rate + (stuffing if severity == 5 else 0.0):
                    evidence = str(rng.choice(levels, p=weights))
                    reports.append(ReportInput(sid, CATEGORY[severity], severity, 0.0, evidence))
    return reports


def count_evidence(rng, item: District):
    from counts.districts import CountEvidence
    from counts.estimators import ratio_estimate

    observed = item.observed
    copies = observed[rng.random(observed.size) < COPY_RATE]
    counted = item.true_ballots[observed] * rng.uniform(0.99, 1.01, observed.size)
    estimate = ratio_estimate(counted, item.registered[observed], item.stations)
    return CountEvidence(
        protocols_compared=int(copies.size),
        protocols_differing=int(item.official["differs"][copies].sum()),
        protocols_material=int(item.official["material"][copies].sum()),
        official_turnout=float(item.official["ballots"].sum() / item.registered.sum()),
        observed_turnout=estimate.estimate if estimate else None,
        observed_turnout_se=estimate.standard_error if estimate else None,
    )


def forensic_flags(districts: list[District], seed: int) -> dict[int, float]:
    from counts.forensics import analyse_election

    cat = np.concatenate
    result = analyse_election(
        registered=cat([d.registered for d in districts]),
        ballots_issued=cat([d.official["ballots"] for d in districts]),
        ballots_in_boxes=cat([d.official["ballots"] for d in districts]),
        valid=cat([d.official["valid"] for d in districts]),
        votes=cat([d.official["votes"] for d in districts]),
        choices=[f"p{k}" for k in range(PARTIES)],
        districts=cat([np.full(d.stations, d.label) for d in districts]),
        leader="p0",
        seed=seed,
    )
    return {int(item.district): float(item.flags) for item in result.districts}


def score_election(rng, seed: int, count_weight: float | None):
    from integrity.count_risk import count_risks
    from integrity.scoring import (
        ScoreParams,
        StationInput,
        district_inputs,
        score_districts,
        station_indicators,
    )

    params = ScoreParams.from_settings()
    if count_weight is not None:
        params = replace(params, count_weight=count_weight)
    districts = simulate(rng)
    indicators = station_indicators(reports_of(rng, districts), params)
    stations = [
        StationInput(d.label * 10_000 + s, d.label, observed=s in observed, in_sample=s in sample)
        for d in districts
        for observed, sample in [(set(d.observed.tolist()), set(d.sample.tolist()))]
        for s in range(d.stations)
    ]
    risks = count_risks({d.label: count_evidence(rng, d) for d in districts})
    flags = forensic_flags(districts, seed)
    inputs = district_inputs(stations, indicators, params, count_risk=risks, forensic_flags=flags)
    results = score_districts(inputs, params, seed)
    return [(d, r) for d, r in zip(districts, results, strict=True)]


def tally(elections: int, seed: int, count_weight: float | None = None) -> dict:
    counts = defaultdict(lambda: defaultdict(lambda: np.zeros(4)))
    master = np.random.default_rng(seed)
    for k in range(elections):
        rng = np.random.default_rng(master.integers(2**63))
        for district, result in score_election(rng, seed + k, count_weight):
            if result.score is None:
                continue
            kind = district.plant[0] if district.plant else "honest"
            flagged = result.forensic_flags > 0
            if kind == "honest":
                row = (1, result.score < 85, result.interval_80[0] < 70, flagged)
            else:
                row = (1, result.score < 70, result.score < 50, flagged)
            counts[kind][result.coverage] += np.array(row, dtype=float)
    return counts


def table(counts: dict) -> str:
    def cell(values, index):
        return f"{100 * values[index] / values[0]:.0f} % (n={int(values[0])})" if values[0] else "—"

    lines = [
        "| districts | measure | coverage A | coverage B | coverage C |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    honest = counts["honest"]
    for index, measure in ((1, "score < 85"), (2, "80 % interval reaches < 70"), (3, "any forensic flag")):
        lines.append(f"| honest | {measure} | " + " | ".join(cell(honest[g], index) for g in GRADES) + " |")
    for name, _kind, _size in PLANTED:
        for index, measure in ((1, "score < 70"), (2, "score < 50")):
            lines.append(
                f"| {name} | {measure} | " + " | ".join(cell(counts[name][g], index) for g in GRADES) + " |"
            )
    return "\n".join(lines)


def record(text: str, elections: int, seed: int) -> None:
    content = METHODOLOGY.read_text()
    start, end = content.index(BEGIN) + len(BEGIN), content.index(END)
    note = f"\n`python bench/calibration.py --elections {elections} --seed {seed}`:\n\n{text}\n\n"
    METHODOLOGY.write_text(content[:start] + note + content[end:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--elections", type=int, default=120)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--count-weight", type=float, help="study another κ than SCORE_COUNT_WEIGHT")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    setup_django()
    started = time.perf_counter()
    text = table(tally(args.elections, args.seed, args.count_weight))
    print(text)
    print(f"\n{args.elections} elections of {DISTRICTS} districts in {time.perf_counter() - started:.0f} s")
    if args.record:
        record(text, args.elections, args.seed)


if __name__ == "__main__":
    main()
