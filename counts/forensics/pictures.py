"""The numbers behind the forensic pictures; drawing them is the dashboard's job.

- the election fingerprint (Klimek et al. 2012): a 2-D histogram of turnout x leader share in
  1-point bins, each station weighted by its registered voters, so that a big city station weighs
  as much as the voters it holds. Turnout above 100 % (voters added on the day) is drawn at 100 %.
- the distributions of turnout and of leader share in 0.1-point bins centred on 0.0, 0.1, …, 100.0
  (Kobak et al. 2016), counting stations; the bins centred on a whole percent are marked, and they
  are exactly the ±0.05-point windows of the integer test. Stations above 100 % are left out and
  counted.

Only stations with numbers (registered, ballots and valid votes all above zero) are drawn.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Fingerprint:
    voters: np.ndarray  # turnout bins x share bins
    turnout_edges: np.ndarray  # fractions, 0..1
    share_edges: np.ndarray


@dataclass(frozen=True)
class PercentDistributions:
    centres: np.ndarray  # percent: 0.0, 0.1, …, 100.0
    turnout: np.ndarray  # stations per bin
    share: np.ndarray
    whole_percent: np.ndarray  # True where the bin is centred on a whole percent
    left_out: int  # stations with a turnout above 100 %


def _with_numbers(registered, ballots, leader, valid) -> tuple[np.ndarray, ...]:
    registered, ballots, leader, valid = (
        np.asarray(a, dtype=float) for a in (registered, ballots, leader, valid)
    )
    keep = (registered > 0) & (ballots > 0) & (valid > 0)
    return registered[keep], ballots[keep] / registered[keep], leader[keep] / valid[keep]


def fingerprint_histogram(registered, ballots, leader, valid, bins: int = 100) -> Fingerprint:
    weights, turnout, share = _with_numbers(registered, ballots, leader, valid)
    voters, turnout_edges, share_edges = np.histogram2d(
        np.minimum(turnout, 1.0), share, bins=bins, range=[[0.0, 1.0], [0.0, 1.0]], weights=weights
    )
    return Fingerprint(voters=voters, turnout_edges=turnout_edges, share_edges=share_edges)


def _tenths(fraction: np.ndarray) -> np.ndarray:
    index = np.floor(fraction * 1000.0 + 0.5).astype(np.int64)
    return np.bincount(index[(index >= 0) & (index <= 1000)], minlength=1001)


def percent_distributions(registered, ballots, leader, valid) -> PercentDistributions:
    _, turnout, share = _with_numbers(registered, ballots, leader, valid)
    centres = np.arange(1001) / 10
    return PercentDistributions(
        centres=centres,
        turnout=_tenths(turnout),
        share=_tenths(share),
        whole_percent=np.arange(1001) % 10 == 0,
        left_out=int(np.count_nonzero(np.floor(turnout * 1000.0 + 0.5) > 1000)),
    )
