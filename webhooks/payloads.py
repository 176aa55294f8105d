"""What a webhook says about an event: built when the event is queued; an incident is rendered
again at each send (webhooks.services), so a later redaction or withdrawal is what counts.

An incident is rendered by the partner API's own query and serializer (partners.selectors,
partners.serializers), so a webhook shows exactly what the API shows of a verified incident and
nothing else: no observer, contact, position or review note. Photos are left out altogether; a
partner with photos:read fetches their short-lived links from the API.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from integrity.models import DistrictScoreHistory
from partners.selectors import incidents_for_partners
from partners.serializers import IncidentOutput

# Fields of the partner API's incident that a webhook leaves out.
LEFT_OUT = ("photos",)


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def incident_data(report_id) -> dict[str, Any] | None:
    """The report as the partner API shows it, or None when partners may not see it (not verified,
    or its organization does not share with partners)."""
    report = incidents_for_partners(with_photos=False).filter(pk=report_id).first()
    if report is None:
        return None
    data = dict(IncidentOutput(report, context={"with_photos": False}).data)
    for field in LEFT_OUT:
        data.pop(field, None)
    return data


def band_change_data(row: DistrictScoreHistory, before: str, after: str) -> dict[str, Any]:
    """A district's move to another band, with the published score that moved it.

    Bands read "A".."D", "A-B" when the 80 % interval spans two bands, and null for no band."""
    return {
        "district": {"number": row.district.number, "name": row.district.name},
        "band": {"before": before or None, "after": after or None},
        "score": row.score,
        "interval_80": [row.interval_80_low, row.interval_80_high],
        "interval_95": [row.interval_95_low, row.interval_95_high],
        "coverage": row.coverage,
        "computed_at": _time(row.computed_at),
    }


def published_scores(run_id: int, district_ids: Iterable[int]) -> dict[int, DistrictScoreHistory]:
    """The scores a run published for these districts, by district id."""
    rows = DistrictScoreHistory.objects.filter(run_id=run_id, district_id__in=list(district_ids))
    return {row.district_id: row for row in rows.select_related("district", "election")}


def envelope(*, event_id: str, event_type: str, election_slug: str, at: datetime, data: dict) -> dict:
    """The body every event shares: receivers read `id` and `type` first, then `data`."""
    return {
        "id": event_id,
        "type": event_type,
        "election": election_slug,
        "created_at": _time(at),
        "data": data,
    }
