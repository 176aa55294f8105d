"""Evidence levels from the plain columns of reports, vectorised: the same levels that
IncidentReportQuerySet.with_evidence() works out in SQL, one correlated subquery per report, here
computed over arrays with two sorts and a few binary searches.

A report is
- rejected when a reviewer rejected it;
- documented when it is verified and has a photo;
- corroborated when it is verified and another observer independently reported the same category
  at the same station within the window (60 minutes either way, both ends included), in a report
  that was not rejected (submitted, questioned or verified alike);
- verified when it is verified with neither;
- unverified otherwise (submitted, or waiting for the observer's answer to a question).

How corroboration is found without a loop over reports: the reports that may corroborate (all but
the rejected ones) are sorted by station, category and time, so that the reports within a report's
window form one contiguous slice, found with two binary searches. That slice holds a report by
another observer unless all of it is the report's own observer's, that is unless it lies inside
the run of consecutive reports by that observer which contains the report itself.
"""

from collections.abc import Sequence

import numpy as np

from integrity.scoring.params import EVIDENCE_LEVELS

# The review states as the scoring sees them; a question to the observer is not a review yet.
REJECTED, UNREVIEWED, VERIFIED = 0, 1, 2
REVIEW_STATES = (REJECTED, UNREVIEWED, VERIFIED)
LEVEL = {name: code for code, name in enumerate(EVIDENCE_LEVELS)}
# Sort keys are packed into int64 below this many bits, so that shifting never reaches the sign bit.
KEY_BITS = 62


def evidence_levels(
    *,
    station: Sequence[int],
    category: Sequence[int],
    occurred_at: Sequence[int],
    observer: Sequence[int],
    review: Sequence[int],
    photo: Sequence[bool],
    window: int,
) -> np.ndarray:
    """Each report's index in EVIDENCE_LEVELS.

    Stations, categories and observers are integer codes (equal exactly where the things are);
    times are integers in any unit (microseconds since 1970 from the database) and `window` is in
    the same unit; `review` holds REJECTED, UNREVIEWED or VERIFIED; `photo` whether the report has
    at least one photo."""
    station, category, observer, at, review = (
        np.asarray(values, dtype=np.int64) for values in (station, category, observer, occurred_at, review)
    )
    photo = np.asarray(photo, dtype=bool)
    if len({len(station), len(category), len(observer), len(at), len(review), len(photo)}) > 1:
        raise ValueError("Report columns must all have the same length.")
    if not np.isin(review, REVIEW_STATES).all():
        raise ValueError(f"Review states must be among {REVIEW_STATES}.")
    if window < 0:
        raise ValueError("The corroboration window cannot be negative.")
    verified = review == VERIFIED
    levels = np.where(review == REJECTED, LEVEL["rejected"], LEVEL["unverified"])
    levels[verified] = LEVEL["verified"]
    witnesses = review != REJECTED
    asked = verified & ~photo
    levels[_corroborated(station, category, observer, at, witnesses, asked, window)] = LEVEL["corroborated"]
    levels[verified & photo] = LEVEL["documented"]
    return levels


def _corroborated(station, category, observer, at, witnesses, asked, window) -> np.ndarray:
    """Whether each report in `asked` (a subset of `witnesses`) has a witness by another observer
    at its station, in its category, within `window` of its time."""
    result = np.zeros(len(at), dtype=bool)
    if not asked.any():
        return result
    (index,) = np.nonzero(witnesses)
    group = _pack(station[index], category[index])
    if int(group.max()).bit_length() + _span(at[index], window).bit_length() > KEY_BITS:
        group = np.unique(group, return_inverse=True)[1]  # fewer groups than reports
    value, low, high, width = _window_positions(at[index], window, KEY_BITS - int(group.max()).bit_length())
    # Reports that come sorted (as the gathering hands them over) cost the sort nothing.
    order = np.argsort((group << width) | value)
    index, group, low, high = index[order], group[order], low[order], high[order]
    key = (group << width) | value[order]
    who = observer[index]

    # The asked reports in sorted order, and the slices of their windows: searched in sorted order,
    # the binary searches stay in the cache instead of jumping around a million keys.
    mine = np.flatnonzero(asked[index])
    first = np.searchsorted(key, (group[mine] << width) | low[mine], side="left")
    end = np.searchsorted(key, (group[mine] << width) | high[mine], side="right")

    # Runs of consecutive witnesses by one observer: where each asked report's run begins and ends.
    begins = np.flatnonzero(np.r_[True, who[1:] != who[:-1]])
    run = np.searchsorted(begins, mine, side="right") - 1
    run_first, run_end = begins[run], np.r_[begins[1:], len(who)][run]
    alone = (run_first <= first) & (end <= run_end)
    result[index[mine]] = ~alone
    return result


def _span(at: np.ndarray, window: int) -> int:
    return int(at.max()) - int(at.min()) + 2 * window


def _window_positions(at: np.ndarray, window: int, bits: int) -> tuple[np.ndarray, ...]:
    """Each time as a non-negative integer of at most `bits` bits, with the bounds of its window.

    Times within days of each other fit as they are (shifted to start at 0). Times too far apart
    are replaced by their rank among the distinct times, and the window's bounds by the ranks of
    the first and the last time inside it."""
    span = _span(at, window)
    if span.bit_length() <= bits:
        value = at - (int(at.min()) - window)
        return value, value - window, value + window, span.bit_length()
    times = np.unique(at)
    value = np.searchsorted(times, at)
    low = np.searchsorted(times, at - window, side="left")
    high = np.searchsorted(times, at + window, side="right") - 1
    return value, low, high, max(len(times).bit_length(), 1)


def _pack(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """One non-negative integer per pair, equal exactly where both values are."""
    first, second = first - first.min(), second - second.min()
    widths = int(first.max()).bit_length(), max(int(second.max()).bit_length(), 1)
    if sum(widths) > KEY_BITS:
        # Ids too large to pack: their ranks among the distinct values are at most the count.
        first = np.unique(first, return_inverse=True)[1]
        second = np.unique(second, return_inverse=True)[1]
        widths = int(first.max()).bit_length(), max(int(second.max()).bit_length(), 1)
    return (first << widths[1]) | second
