"""What partners read about the count: district estimates against the official figures, and each
verified protocol copy beside the official result (redacted like incidents: no observer, no
review note; only copies of organizations that share with partners).

The estimates and the counts of compared and differing protocols are worked out from the same
evidence: verified copies and turnout counts of sharing organizations, never from what partners
may not see (the published scores weigh all evidence, by design)."""

from django.db.models import QuerySet

from counts.comparison import COMPARED, PROTOCOL_FIELDS, Difference, differences
from counts.districts import CountSummary, DistrictCounts, ShareEstimate, count_summary
from counts.estimators import RatioEstimate
from counts.models import Contest, OfficialResult, ProtocolCopy, TurnoutCount
from people.models import Organization
from reports.models import ReportStatus
from stations.models import Election

PROTOCOL_COLUMNS = (
    "id",
    "station_id",
    "station__number",
    "station__district__number",
    "contest_id",
    "contest__code",
    "reviewed_at",
    *(field for field, _column in COMPARED),
    "votes",
)


def shared_protocols(election: Election) -> QuerySet[ProtocolCopy]:
    return ProtocolCopy.objects.filter(
        election=election, status=ReportStatus.VERIFIED, organization__share_with_partners=True
    )


def shared_chosen_protocols(contest: Contest) -> dict[int, dict]:
    """The copy that speaks for each station among those partners may see: the latest verified
    copy of a sharing organization."""
    rows = (
        shared_protocols(contest.election)
        .filter(contest=contest)
        .order_by("station_id", "received_at")
        .values(*PROTOCOL_FIELDS)
    )
    # Ordered by time within each station, so the last row kept per station is the latest.
    return {row["station_id"]: row for row in rows}


def shared_turnout_counts(election: Election) -> dict[int, int]:
    """Station → voters in the last count before the polls closed by an observer of a sharing
    organization. Turnout counts have no review step: sharing is the only filter there is."""
    rows = (
        TurnoutCount.objects.filter(
            election=election,
            counted_at__lte=election.polls_close_at,
            organization__share_with_partners=True,
        )
        .order_by("station_id", "counted_at", "received_at")
        .values_list("station_id", "voters")
    )
    return dict(rows)


def shared_count_summary(election: Election) -> CountSummary:
    """The district estimates, differing protocols included, from what partners may see only."""
    return count_summary(
        election, protocols_of=shared_chosen_protocols, turnout_counts=shared_turnout_counts(election)
    )


def sharing_state() -> str:
    """Which organizations share now: a change moves the partners' cache key at once."""
    return ",".join(
        str(pk)
        for pk in Organization.objects.filter(share_with_partners=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def estimate_data(estimate: RatioEstimate | None) -> dict | None:
    if estimate is None:
        return None
    return {
        "estimate": estimate.estimate,
        "standard_error": estimate.standard_error,
        "margin_95": estimate.margin_95,
        "margin_99": estimate.margin_99,
        "interval_95": list(estimate.interval_95),
        "interval_99": list(estimate.interval_99),
        "stations": estimate.stations,
        "population": estimate.population,
    }


def share_data(key: str, share: ShareEstimate) -> dict:
    contest, _sep, code = key.partition(":")
    return {
        "contest": contest,
        "choice": code,
        "official": share.official,
        "observed": estimate_data(share.estimate),
        "official_outside_99": share.outside_99,
    }


def district_count_data(item: DistrictCounts, number: int, name: str) -> dict:
    evidence = item.evidence()
    return {
        "number": number,
        "name": name,
        "stations": item.stations,
        "official_turnout": item.official_turnout,
        "observed_turnout": estimate_data(item.turnout),
        "official_turnout_outside_99": item.turnout_outside_99,
        "turnout_shortfall": evidence.shortfall,
        "protocols_compared": evidence.protocols_compared,
        "protocols_differing": evidence.protocols_differing,
        "shares": [share_data(key, share) for key, share in sorted(item.shares.items())],
    }


def count_estimates_data(election: Election, summary: CountSummary) -> dict:
    labels = {
        pk: (number, name) for pk, number, name in election.districts.values_list("pk", "number", "name")
    }
    rows = sorted(summary.districts.items(), key=lambda pair: labels[pair[0]][0])
    national = summary.turnout
    return {
        "election": election.slug,
        "sample_used": summary.sample_used,
        "turnout_contest": summary.turnout_contest.code if summary.turnout_contest else None,
        "national": {
            "official_turnout": summary.official_turnout,
            "observed_turnout": estimate_data(national),
            "official_turnout_outside_99": bool(
                national
                and summary.official_turnout is not None
                and national.outside_99(summary.official_turnout)
            ),
        },
        "districts": [district_count_data(item, *labels[pk]) for pk, item in rows],
    }


def comparison_data(rows: list[dict]) -> list[dict]:
    """Each copy of the page beside its station's current official result (one query for the page)."""
    official = {
        (row["contest_id"], row["station_id"]): row
        for row in OfficialResult.objects.current()
        .filter(
            station_id__in={row["station_id"] for row in rows},
            contest_id__in={row["contest_id"] for row in rows},
        )
        .values("contest_id", "station_id", *(column for _field, column in COMPARED), "votes")
    }
    return [
        {
            "id": row["id"],
            "station": {"number": row["station__number"], "district": row["station__district__number"]},
            "contest": row["contest__code"],
            "verified_at": row["reviewed_at"],
            "official_imported": (row["contest_id"], row["station_id"]) in official,
            "differences": [
                difference_data(d)
                for d in differences(row, official.get((row["contest_id"], row["station_id"]), {}))
            ]
            if (row["contest_id"], row["station_id"]) in official
            else [],
        }
        for row in rows
    ]


def difference_data(difference: Difference) -> dict:
    return {"field": difference.field, "observed": difference.observed, "official": difference.official}
