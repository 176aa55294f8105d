"""One plain sentence per component of a district's score, for the page that shows it."""

from collections.abc import Callable

from integrity.scoring.params import BAND_CODES, BAND_LABELS, ScoreParams


def gettext_noop(message: str) -> str:
    """Marks a message for the translation catalogs without importing Django into the maths."""
    return message


BAND_RANGE = gettext_noop("between %(best)s and %(worst)s")

SEVERITY_WORDS = {5: "result-changing (S5)", 3: "serious (S3)", 1: "procedural (S1)"}


def _percent(value: float) -> str:
    return f"{100 * value:.1f} %"


def _band(code: str) -> str:
    return f"{code} ({BAND_LABELS[code]})"


def band_range(
    first: str,
    second: str,
    *,
    describe: Callable[[str], str] = str,
    gettext: Callable[[str], str] = str,
) -> str:
    """A score that lies in one of two bands, in words and best band first ("between A and B"),
    whichever order the two are given in. `describe` words one band (its code by default); a page
    passes Django's gettext to translate the sentence, while the explanations stored with a score
    and the command's table stay in English."""
    best, worst = sorted((first, second), key=BAND_CODES.index)
    return gettext(BAND_RANGE) % {"best": describe(best), "worst": describe(worst)}


def explain(item, result, params: ScoreParams) -> dict[str, str]:
    return {
        "coverage": _coverage(item, result, params),
        "process": _process(item, result),
        "count": _count(result),
        "forensic": _forensic(result, params),
        "headline": _headline(result),
    }


def _coverage(item, result, params: ScoreParams) -> str:
    if item.sample_used:
        seen = (
            f"{item.n} stations of the random sample observed "
            f"({_percent(item.sample_share)} of the district's {item.stations})"
        )
    else:
        seen = f"{item.n} of {item.stations} stations observed, not a random sample"
    if result.score is None:
        return f"Insufficient data: {seen}; fewer than {params.coverage_c_stations}, so no score."
    return f"Grade {result.coverage}: {seen}."


def _process(item, result) -> str:
    if result.process_risk is None:
        return "No process risk: too few stations observed."
    counts = ", ".join(f"{item.events[s]:.1f} {SEVERITY_WORDS[s]}" for s in (5, 3, 1))
    rates = ", ".join(f"{_percent(result.severities[s].mean)} {SEVERITY_WORDS[s]}" for s in (5, 3, 1))
    return (
        f"Stations with incidents, weighed by evidence: {counts}. Pooled with the other districts, "
        f"the estimated share of stations with such incidents is {rates}; "
        f"process risk {_percent(result.process_risk)}."
    )


def _count(result) -> str:
    if result.count_risk == 0 and result.count_risk_interval_80 is None:
        return "No evidence on the count yet: count risk 0."
    return f"Count risk {_percent(result.count_risk)}, from protocol copies and the parallel vote tabulation."


def _forensic(result, params: ScoreParams) -> str:
    flags = result.forensic_flags
    if flags == 0:
        return "No statistical flags on the official numbers."
    capped = " (capped)" if flags > params.forensic_max_flags else ""
    penalty = f"{result.forensic_penalty:g} points{capped}"
    return f"Statistical flags on the official numbers: {flags:g}, taking off {penalty}."


def _headline(result) -> str:
    if result.score is None:
        return "No score: too few stations observed."
    low, high = result.interval_80
    where = f"band {_band(result.band)}" if result.band else band_range(*result.band_range, describe=_band)
    return f"Score {result.score:.0f} out of 100 (80 % interval {low:.0f} to {high:.0f}): {where}."
