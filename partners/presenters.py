"""Districts and stations as the partner API shows them: plain dicts that the JSON serializers
render and the CSV exports flatten, so both always say the same."""

from integrity.models import Coverage
from integrity.scoring import StationIndicator as Indicator
from stations.models import District, PollingStation


def _pair(low, high) -> list[float] | None:
    return None if low is None or high is None else [low, high]


def _listed(values) -> list[float] | None:
    return None if values is None else list(values)


def _components(score) -> dict:
    parts = score.components or {}
    explanation = parts.get("explanation") or {}
    return {
        "process": {
            "risk": score.process_risk,
            "interval_80": _listed(parts.get("process_risk_interval_80")),
            "explanation": explanation.get("process"),
        },
        "count": {
            "risk": score.count_risk,
            "interval_80": _listed(parts.get("count_risk_interval_80")),
            "explanation": explanation.get("count"),
        },
        "forensic": {
            "flags": score.forensic_flags,
            "penalty": parts.get("forensic_penalty"),
            "explanation": explanation.get("forensic"),
        },
    }


def district_data(district: District) -> dict:
    """A district with its current score; one without a score yet has nulls and coverage "insufficient"."""
    score = getattr(district, "score", None)
    data = {
        "number": district.number,
        "name": district.name,
        "region": district.region.name,
        "sample_stations": district.sample_stations,
        "total_stations": district.total_stations,
    }
    if score is None:
        return data | {
            "score": None,
            "interval_80": None,
            "interval_95": None,
            "band": None,
            "band_range": None,
            "coverage_grade": Coverage.INSUFFICIENT.value,
            "observed_stations": None,
            "components": None,
            "computed_at": None,
        }
    return data | {
        "score": score.score,
        "interval_80": _pair(score.interval_80_low, score.interval_80_high),
        "interval_95": _pair(score.interval_95_low, score.interval_95_high),
        "band": score.band or None,
        "band_range": [score.band_high, score.band_low] if score.band_high and score.band_low else None,
        "coverage_grade": score.coverage,
        "observed_stations": (score.components or {}).get("observed"),
        "components": _components(score),
        "computed_at": score.computed_at,
    }


def station_data(station: PollingStation, indicator: Indicator | None) -> dict:
    """A station with its indicator as partners may see it (partners.indicators), or None."""
    return {
        "number": station.number,
        "name": station.name,
        "address": station.address,
        "district": station.district.number,
        "region": station.region.name,
        "in_sample": station.in_sample,
        "registered_voters": station.registered_voters,
        "latitude": None if station.latitude is None else float(station.latitude),
        "longitude": None if station.longitude is None else float(station.longitude),
        "indicator": None
        if indicator is None
        else {"y": indicator.y, "severity": indicator.severity, "incidents": indicator.incidents},
    }
