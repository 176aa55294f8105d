"""All tests over one contest: per district, with false-discovery control, and nationally.

The random parts (the integer test's recounts and the slope's bootstrap) draw from generators
seeded by (seed, the district's label, the test), so a district's numbers do not depend on the
other districts, and the same inputs (in the same order) and seed give the same output to the
last digit. The national integer test and slope add up the districts' draws (a recount, and
a bootstrap stratified by district), so they cost nothing extra.
"""

import zlib
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from counts.forensics.digits import (
    DigitSimulation,
    digit_simulate,
    last_digit_result,
    last_digit_simulated,
    second_digit_result,
    second_digit_simulated,
)
from counts.forensics.fingerprint import SlopeBootstrap, corner_result, slope_bootstrap, slope_result
from counts.forensics.integer import IntegerSimulation, integer_result, integer_simulate
from counts.forensics.params import TESTS, ForensicParams
from counts.forensics.results import (
    FEW_STATIONS,
    DistrictForensics,
    ElectionForensics,
    TestResult,
    confirm,
    not_run,
    with_flags,
)
from counts.forensics.stats import benjamini_hochberg, weighted_correlation

NATIONAL = "national"


@dataclass(frozen=True)
class Stations:
    """The numbers of the stations with numbers (registered, ballots and valid all above zero)."""

    registered: np.ndarray
    ballots: np.ndarray  # the turnout numerator: ballots in the boxes, or issued
    valid: np.ndarray
    leader: np.ndarray
    votes: np.ndarray  # stations x choices

    @property
    def turnout(self) -> np.ndarray:
        return self.ballots / self.registered

    @property
    def share(self) -> np.ndarray:
        return self.leader / self.valid

    def __len__(self) -> int:
        return int(self.registered.size)

    def subset(self, rows: np.ndarray) -> "Stations":
        return Stations(
            self.registered[rows], self.ballots[rows], self.valid[rows], self.leader[rows], self.votes[rows]
        )


def leader_index(votes: np.ndarray, choices: Sequence[str], leader: str | None) -> int:
    """The named choice, or the one with most votes over all stations (the first of a tie)."""
    if leader is None:
        return int(np.argmax(votes.sum(axis=0)))
    if leader not in choices:
        raise ValueError(f"The leader {leader!r} is not one of the choices {list(choices)}.")
    return list(choices).index(leader)


def _as_counts(name: str, values, n: int | None = None) -> np.ndarray:
    array = np.asarray(values)
    if array.dtype.kind not in "iu" and not (array.dtype.kind == "f" and np.all(array == np.rint(array))):
        raise ValueError(f"{name} must be whole numbers.")
    array = array.astype(np.int64)
    if (array < 0).any():
        raise ValueError(f"{name} cannot be negative.")
    if n is not None and array.shape[0] != n:
        raise ValueError(f"{name} has {array.shape[0]} stations; registered has {n}.")
    return array


def _rng(seed: int, label: Hashable, test: int) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(str(label).encode()), test])


@dataclass(frozen=True)
class _Draws:
    integer: IntegerSimulation
    slope: SlopeBootstrap
    digits: DigitSimulation | None  # None with the law's null

    def __add__(self, other: "_Draws") -> "_Draws":
        digits = None if self.digits is None or other.digits is None else self.digits + other.digits
        return _Draws(self.integer + other.integer, self.slope + other.slope, digits)


def _digit_counts(part: Stations, params: ForensicParams) -> tuple[np.ndarray, np.ndarray]:
    """The counts the digit tests read, and the valid votes each is a share of."""
    if params.digit_choices == "leader":
        return part.leader, part.valid
    return part.votes.ravel(), np.repeat(part.valid, part.votes.shape[1])


def _draws(part: Stations, label: Hashable, seed: int, params: ForensicParams) -> _Draws:
    digits = None
    if params.digit_null == "simulated":
        digits = digit_simulate(*_digit_counts(part, params), _rng(seed, label, 2), params)
    return _Draws(
        integer=integer_simulate(
            part.ballots, part.registered, part.leader, part.valid, _rng(seed, label, 0), params
        ),
        slope=slope_bootstrap(
            part.turnout, part.share, part.registered.astype(float), _rng(seed, label, 1), params.bootstrap
        ),
        digits=digits,
    )


def _tests(part: Stations, draws: _Draws, params: ForensicParams) -> dict[str, TestResult]:
    if draws.digits is None:
        counts = _digit_counts(part, params)[0]
        last, second = last_digit_result(counts, params), second_digit_result(counts, params)
    else:
        last = last_digit_simulated(draws.digits, params)
        second = second_digit_simulated(draws.digits, params)
    return {
        "integer": integer_result(draws.integer, params),
        "corner": corner_result(part.turnout, part.share, params),
        "slope": slope_result(draws.slope, params),
        "last_digit": last,
        "second_digit": second,
    }


def _too_small(stations: int, params: ForensicParams) -> dict[str, TestResult]:
    note = f"{stations} stations with numbers; the tests need at least {params.min_stations}."
    return {name: not_run(name, stations, FEW_STATIONS, note) for name in TESTS}


def _correlation(part: Stations) -> float | None:
    return weighted_correlation(part.turnout, part.share, part.registered) if len(part) else None


def _control_false_discoveries(
    tests: list[dict[str, TestResult]], params: ForensicParams
) -> list[dict[str, TestResult]]:
    """Benjamini-Hochberg per test across the districts where it ran; a flag needs both."""
    for name in TESTS:
        ran = [d for d, item in enumerate(tests) if item[name].ran]
        rejected, adjusted = benjamini_hochberg([tests[d][name].p for d in ran], params.fdr_q)
        for d, reject, value in zip(ran, rejected, adjusted, strict=True):
            tests[d][name] = confirm(tests[d][name], reject, value)
    return tests


def _checked(registered, ballots_issued, ballots_in_boxes, valid, votes, choices, districts) -> tuple:
    registered = _as_counts("registered", registered)
    n = registered.size
    issued, in_boxes, valid = (
        _as_counts(name, values, n)
        for name, values in (
            ("ballots_issued", ballots_issued),
            ("ballots_in_boxes", ballots_in_boxes),
            ("valid", valid),
        )
    )
    votes = _as_counts("votes", votes, n).reshape(n, -1)
    if votes.shape[1] != len(choices) or not choices:
        raise ValueError(f"votes has {votes.shape[1]} columns for {len(choices)} choices.")
    districts = np.asarray(districts)
    if districts.shape != (n,):
        raise ValueError(f"districts has {districts.size} labels for {n} stations.")
    return registered, issued, in_boxes, valid, votes, districts


def _district(label, part: Stations, tests: dict[str, TestResult], names, params) -> DistrictForensics:
    return DistrictForensics(
        district=label,
        name=str(names.get(label, label)),
        stations=len(part),
        tests=tests,
        correlation=_correlation(part),
        flags=with_flags(tests, params),
    )


def analyse_election(
    *,
    registered,
    ballots_issued,
    ballots_in_boxes,
    valid,
    votes,
    choices: Sequence[str],
    districts,
    names: Mapping[Hashable, str] | None = None,
    leader: str | None = None,
    params: ForensicParams | None = None,
    seed: int = 0,
) -> ElectionForensics:
    """Every test in every district (after Benjamini-Hochberg) and nationally (no correction).

    Arrays are per station; `votes` is stations x choices with `choices` its column codes, and
    `districts` the station's district label. Stations without numbers are left out of every test;
    a district none of whose stations has numbers is listed with no test run.
    """
    params, names = params or ForensicParams(), names or {}
    registered, issued, in_boxes, valid, votes, districts = _checked(
        registered, ballots_issued, ballots_in_boxes, valid, votes, choices, districts
    )
    lead = leader_index(votes, choices, leader)
    ballots = in_boxes if params.turnout_basis == "in_boxes" else issued
    keep = (registered > 0) & (ballots > 0) & (valid > 0)
    everything = Stations(registered[keep], ballots[keep], valid[keep], votes[keep, lead], votes[keep])
    labels, inverse = np.unique(districts[keep], return_inverse=True)
    parts = [everything.subset(inverse == d) for d in range(labels.size)]
    drawn = [_draws(part, label, seed, params) for label, part in zip(labels, parts, strict=True)]
    tests = [
        _tests(part, draws, params) if len(part) >= params.min_stations else _too_small(len(part), params)
        for part, draws in zip(parts, drawn, strict=True)
    ]
    tests = _control_false_discoveries(tests, params)
    items = [_district(*row, names, params) for row in zip(labels, parts, tests, strict=True)]
    empty = everything.subset(np.zeros(len(everything), dtype=bool))
    items += [
        _district(label, empty, _too_small(0, params), names, params)
        for label in np.setdiff1d(np.unique(districts), labels)
    ]
    return ElectionForensics(
        leader=str(choices[lead]),
        seed=seed,
        params=params,
        districts=tuple(sorted(items, key=lambda item: item.district)),
        national=_national(everything, drawn, params),
    )


def _national(everything: Stations, drawn: list[_Draws], params: ForensicParams) -> DistrictForensics:
    tests = _tests(everything, sum(drawn[1:], drawn[0]), params) if drawn else _too_small(0, params)
    tests = {name: replace(result, flagged=result.raw_flag) for name, result in tests.items()}
    return DistrictForensics(
        district=NATIONAL,
        name=NATIONAL,
        stations=len(everything),
        tests=tests,
        correlation=_correlation(everything),
        flags=with_flags(tests, params),
    )
