"""How much the district scores depend on the severity weights: a sensitivity pass.

    .venv/bin/python bench/sensitivity.py [--seed 2023] [--districts 30]

Builds a synthetic election from a fixed seed (districts of uneven size and coverage, a random
sample of 12 % of the stations, incident rates that differ by district and by severity, several
reports per incident, a realistic mix of review states) and scores it with the severity weights
(S5, S3, S1) set to (1, 0.2, 0), to the default (1, 0.4, 0.1), and to (1, 0.6, 0.2). Each set goes
through integrity.scoring exactly as a recompute does (station_indicators, district_inputs,
score_districts) with ScoreParams.from_settings() and only the severity weights replaced. Every
set uses the same Monte Carlo seed, so the differences are the weights' alone, not sampling noise.

Prints, as a Markdown table, each district's score, 80 % interval and band under each set, then a
summary: Spearman rank correlations, districts whose band changes, the largest score shift. No
database is used: the scoring package is pure, and Django is set up only to read the settings.
docs/methodology.md ("Sensitivity") shows and reads the output of the default run.
"""

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SEED = 2023
DISTRICTS = 30
WEIGHT_SETS = {
    "light": {5: 1.0, 3: 0.2, 1: 0.0},
    "default": {5: 1.0, 3: 0.4, 1: 0.1},
    "heavy": {5: 1.0, 3: 0.6, 1: 0.2},
}
SAMPLE_SHARE = 0.12
# Share of stations with at least one incident of each severity, before a district's own factors.
BASE_RATES = {5: 0.04, 3: 0.10, 1: 0.15}
# How each district's incidents lean: (name, probability, factor per severity).
MIXES = (
    ("even", 0.40, {5: 1.0, 3: 1.0, 1: 1.0}),
    ("procedural", 0.20, {5: 0.3, 3: 0.6, 1: 2.5}),
    ("serious", 0.25, {5: 0.6, 3: 2.5, 1: 1.0}),
    ("grave", 0.15, {5: 4.0, 3: 1.5, 1: 1.0}),
)
# Who watched: the random sample nearly all observed, partly observed, not at all, or hardly anyone.
COVERAGE = (("sample", 0.40), ("part", 0.17), ("volunteers", 0.30), ("sparse", 0.13))
# Observers who choose their station go where they expect trouble.
SELF_SELECTION = 1.5
EVIDENCE_MIX = {
    "rejected": 0.10,
    "unverified": 0.20,
    "verified": 0.30,
    "corroborated": 0.15,
    "documented": 0.25,
}
# Election day 19 March 2023, 08:00-22:00 in Almaty (UTC+6), as seconds since 1970.
DAY_START, DAY_SECONDS = 1679191200, 14 * 3600


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only-secret-key")
    os.environ["DJANGO_LOG_LEVEL"] = "WARNING"
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def observed_stations(rng, coverage: str, in_sample: np.ndarray) -> np.ndarray:
    """Which of a district's stations an observer checked in at."""
    others = np.flatnonzero(~in_sample)
    share = {"sample": rng.uniform(0.85, 1.0), "part": rng.uniform(0.2, 0.6)}.get(coverage, 0.0)
    extra = {"sample": (5, 40), "part": (5, 30), "volunteers": (8, 60), "sparse": (1, 7)}[coverage]
    observed = in_sample & (rng.random(len(in_sample)) < share)
    observed[rng.choice(others, size=min(len(others), int(rng.integers(*extra))), replace=False)] = True
    return observed


def incidents_at(rng, rates: dict[int, float], observed, in_sample) -> list[tuple[int, int]]:
    """(station index, severity) of each incident: observed stations at the district's rates, with
    observers' own choices of station more troubled; a few tips from stations nobody checked in at."""
    factor = np.where(observed & ~in_sample, SELF_SELECTION, 1.0)
    found = []
    for severity, rate in rates.items():
        hit = observed & (rng.random(len(observed)) < np.minimum(0.6, rate * factor))
        hit |= ~observed & (rng.random(len(observed)) < 0.01 * rate / BASE_RATES[severity])
        found += [(int(i), severity) for i in np.flatnonzero(hit)]
    return found


def synthetic_election(seed: int, districts: int):
    """Stations, reports as columns, and each district's description, all from `seed`."""
    from integrity.scoring import ReportColumns, StationInput
    from reports.taxonomy import DEFAULT_SEVERITY, Category

    rng = np.random.default_rng(seed)
    by_severity = {
        s: [c for c, cs in enumerate(Category.values) if DEFAULT_SEVERITY[cs] == s] for s in BASE_RATES
    }
    stations, rows, described, first = [], [], {}, 0
    for d in range(1, districts + 1):
        size = int(rng.integers(120, 560))
        in_sample = np.zeros(size, dtype=bool)
        in_sample[rng.choice(size, size=int(np.ceil(SAMPLE_SHARE * size)), replace=False)] = True
        coverage = COVERAGE[rng.choice(len(COVERAGE), p=[p for _, p in COVERAGE])][0]
        mix_name, _, mix = MIXES[rng.choice(len(MIXES), p=[p for _, p, _ in MIXES])]
        trouble = float(rng.lognormal(0.0, 0.8))
        observed = observed_stations(rng, coverage, in_sample)
        rates = {s: BASE_RATES[s] * trouble * mix[s] for s in BASE_RATES}
        for index, severity in incidents_at(rng, rates, observed, in_sample):
            category = int(rng.choice(by_severity[severity]))
            start = DAY_START + rng.uniform(0, DAY_SECONDS)
            times = start + np.cumsum(np.r_[0.0, rng.uniform(0, 50 * 60, rng.poisson(0.6))])
            for at in times.tolist():
                level = rng.choice(list(EVIDENCE_MIX), p=list(EVIDENCE_MIX.values()))
                rows.append((first + index, category, severity, at, str(level)))
        stations += [StationInput(first + i, d, bool(observed[i]), bool(in_sample[i])) for i in range(size)]
        described[d] = f"{coverage}, {mix_name}"
        first += size
    if not rows:
        raise SystemExit("This election has no reports at all; try another --seed or more --districts.")
    columns = ReportColumns(*(np.array(column) for column in zip(*rows, strict=True)))
    return stations, columns, described


def score(stations, columns, weights: dict[int, float], seed: int):
    """The district results under `weights`, by the production code path."""
    from integrity.scoring import ScoreParams, district_inputs, score_districts, station_indicators

    params = replace(ScoreParams.from_settings(), severity_weights=weights)
    indicators = station_indicators(columns, params)
    inputs = district_inputs(stations, indicators, params)
    return inputs, score_districts(inputs, params, seed)


def shown_band(result) -> str:
    if result.score is None:
        return "-"
    return result.band or f"{result.band_range[0]}/{result.band_range[1]}"


def cell(result) -> str:
    if result.score is None:
        return "no score"
    low, high = result.interval_80
    return f"{result.score:.1f} ({low:.0f}-{high:.0f}) {shown_band(result)}"


def ranks(values: np.ndarray) -> np.ndarray:
    """Ranks from 1, ties sharing their average rank."""
    order = np.argsort(values, kind="stable")
    plain = np.empty(len(values))
    plain[order] = np.arange(1, len(values) + 1)
    _, tie, counts = np.unique(values, return_inverse=True, return_counts=True)
    return (np.bincount(tie, weights=plain) / counts)[tie]


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(ranks(a), ranks(b))[0, 1])


def print_table(inputs, results: dict[str, list], described: dict) -> None:
    names = list(results)
    print(
        "| District | Stations | n | Grade | Coverage, incidents | x S5 / S3 / S1 | "
        + " | ".join(names)
        + " |"
    )
    print("| --- | ---: | ---: | --- | --- | --- | " + " | ".join("---" for _ in names) + " |")
    for d, item in enumerate(inputs):
        first = results[names[0]][d]
        events = " / ".join(f"{item.events[s]:.1f}" for s in (5, 3, 1))
        cells = " | ".join(cell(results[name][d]) for name in names)
        print(
            f"| {item.district_id} | {item.stations} | {item.n}{'s' if item.sample_used else ''} "
            f"| {first.coverage} | {described[item.district_id]} | {events} | {cells} |"
        )


def print_summary(results: dict[str, list]) -> None:
    default = results["default"]
    scored = [d for d, r in enumerate(default) if r.score is not None]
    value = {name: np.array([rows[d].score for d in scored]) for name, rows in results.items()}
    print(f"\nScored districts: {len(scored)} of {len(default)}.")
    for name, rows in results.items():
        named = sum(rows[d].band is not None for d in scored)
        width = np.mean([rows[d].interval_80[1] - rows[d].interval_80[0] for d in scored])
        print(f"{name}: a named band in {named} districts; 80 % intervals {width:.1f} points wide on average")
    for a, b in (("light", "default"), ("heavy", "default"), ("light", "heavy")):
        rho = f"{spearman(value[a], value[b]):.3f}" if len(scored) > 2 else "too few districts"
        print(f"Spearman rank correlation, {a} vs {b}: {rho}")
    for name in ("light", "heavy"):
        moved = [
            f"{default[d].district_id} {shown_band(default[d])}->{shown_band(results[name][d])}"
            for d in scored
            if shown_band(results[name][d]) != shown_band(default[d])
        ]
        shift = value[name] - value["default"]
        worst = int(np.argmax(np.abs(shift)))
        print(
            f"{name}: band changes in {len(moved)} of {len(scored)} districts ({', '.join(moved) or '-'}); "
            f"score shift mean {shift.mean():+.1f}, largest {shift[worst]:+.1f} "
            f"(district {default[scored[worst]].district_id})"
        )


def print_header(seed: int, districts: int, stations, columns, results: dict[str, list]) -> None:
    from integrity.scoring import ScoreParams

    params = ScoreParams.from_settings().as_dict()
    del params["severity_weights"]
    sets = ", ".join(f"{name} {tuple(weights.values())}" for name, weights in WEIGHT_SETS.items())
    priors = {s: e.prior for s, e in results["default"][0].severities.items()}
    fitted = ", ".join(
        f"S{s} mean {100 * priors[s].mean:.1f} %, m = {priors[s].strength:.0f} ({priors[s].rule})"
        for s in (5, 3, 1)
    )
    print(
        f"Synthetic election, seed {seed}: {len(stations)} stations in {districts} districts, "
        f"{sum(s.observed for s in stations)} observed, {len(columns)} reports."
    )
    print(f"Severity weights (S5, S3, S1): {sets}.")
    print(f"Other parameters (settings): {params}")
    print(f"Priors, the same under every set: {fitted}.\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the election and of the draws")
    parser.add_argument("--districts", type=int, default=DISTRICTS, help="number of districts")
    args = parser.parse_args()
    if args.districts < 2 or args.seed < 0:
        parser.error("--districts must be at least 2 and --seed at least 0.")
    setup_django()
    stations, columns, described = synthetic_election(args.seed, args.districts)
    results = {}
    for name, weights in WEIGHT_SETS.items():
        # The severity weights touch neither the indicators nor the inputs: only R_P and what follows.
        inputs, results[name] = score(stations, columns, weights, args.seed)
    print_header(args.seed, args.districts, stations, columns, results)
    print_table(inputs, results, described)
    print(
        "\nn: stations counted, 's' when the district's random sample alone is counted. "
        "Each set: score (80 % interval) band, 'A/B' when the interval spans two bands."
    )
    print_summary(results)


if __name__ == "__main__":
    main()
