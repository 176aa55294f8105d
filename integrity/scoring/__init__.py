"""The integrity score's maths (DESIGN.md, "Integrity score"), free of the ORM and the database.

Plain Python values and numpy arrays go in, frozen dataclasses come out, so that every step can be
checked by hand and every published number re-run exactly from its stored inputs, parameters and
seed (`inputs_digest` fingerprints the three). The steps, in order:

    station_indicators  reports → Y per station, at its worst severity
    district_inputs     stations and indicators → x and n per district (random sample preferred)
    score_districts     empirical-Bayes shrinkage, R_P, the headline S, intervals, bands, coverage

and, beside them, evidence_levels (integrity.scoring.evidence): each report's evidence level from
its review state, photos and the other observers' reports, which the indicators weigh.
"""

from integrity.scoring.districts import CountRisk, DistrictInput, StationInput, district_inputs
from integrity.scoring.headline import (
    INSUFFICIENT,
    METHOD_VERSION,
    METHODS,
    DistrictScoreResult,
    SeverityEstimate,
    coverage_grade,
    fit_priors,
    headline,
    inputs_digest,
    score_districts,
)
from integrity.scoring.indicators import (
    ReportColumns,
    ReportInput,
    StationIndicator,
    report_weights,
    station_indicators,
)
from integrity.scoring.params import BAND_LABELS, SEVERITIES, ScoreParams, band_of
from integrity.scoring.shrinkage import BetaPrior, fit_prior, posterior

__all__ = [
    "BAND_LABELS",
    "INSUFFICIENT",
    "METHODS",
    "METHOD_VERSION",
    "SEVERITIES",
    "BetaPrior",
    "CountRisk",
    "DistrictInput",
    "DistrictScoreResult",
    "ReportColumns",
    "ReportInput",
    "ScoreParams",
    "SeverityEstimate",
    "StationIndicator",
    "StationInput",
    "band_of",
    "coverage_grade",
    "district_inputs",
    "fit_prior",
    "fit_priors",
    "headline",
    "inputs_digest",
    "posterior",
    "report_weights",
    "score_districts",
    "station_indicators",
]
