"""The count and the forensics on the coordinator dashboard and a district's page, in words and
figures: official turnout against the observers' estimate, each choice's share, the differing
protocol copies the reader may see (the others' only counted), and the latest forensic tests with
their pictures. The numbers come from counts.dashboard."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from console.board import Dashboard
from console.views.charts import percent
from counts.dashboard import (
    ContestInfo,
    CountBoard,
    ShareLine,
    TurnoutLine,
    contest_pictures,
    count_board,
    differing_copies_for_user,
)
from counts.estimators import RatioEstimate
from counts.forensic_runs import DISTRICT_LEADER
from counts.forensics.params import TESTS
from counts.forensics.results import FEW_COUNTS, FEW_STATIONS, NO_STATIONS, NO_VARIATION
from stations.models import District, Election

DASH = "\u2014"
EN_DASH = "\u2013"
TEST_NAMES = {
    "integer": gettext_lazy("Integer percentages"),
    "corner": gettext_lazy("95/95 corner"),
    "slope": gettext_lazy("Turnout/leader slope"),
    "last_digit": gettext_lazy("Last digit"),
    "second_digit": gettext_lazy("Second digit (2BL)"),
}
REASONS = {
    FEW_STATIONS: gettext_lazy("fewer than %(stations)d stations with numbers"),
    NO_VARIATION: gettext_lazy("the numbers do not vary enough to test"),
    FEW_COUNTS: gettext_lazy("fewer than %(counts)d vote counts to test"),
    NO_STATIONS: gettext_lazy("no station with numbers"),
}


def district_url(district: District) -> str:
    return reverse("admin_dashboard_district", args=[district.pk])


# --- The dashboard -------------------------------------------------------------------------------


def count_context(request: HttpRequest, election: Election, data: Dashboard) -> dict:
    board = count_board(election)
    contest = chosen_contest(request, board)
    table = board.table
    districts = {row.district.number: row.district for row in data.rows}
    counted = table.districts if table else {}
    return {
        "counts": board,
        # Drawn only when the page's kept copy of the table is out of date (console/dashboard.html).
        "count_rows": SimpleLazyObject(
            lambda: (
                [
                    (
                        row.district,
                        district_url(row.district),
                        turnout_cells(getattr(counted.get(row.district.pk), "turnout", None)),
                    )
                    for row in data.rows
                ]
                if table
                else []
            )
        ),
        "count_national": turnout_cells(table.national) if table else None,
        "forensics": forensics_context(
            election, board, contest, districts=districts, query={"election": election.slug}
        ),
    }


def chosen_contest(request: HttpRequest, board: CountBoard) -> ContestInfo | None:
    """The contest asked for with ?contest=CODE, by default the party list."""
    code = request.GET.get("contest")
    contest = board.contest(code)
    if code is not None and contest is None:
        raise Http404(_("No such contest in this election."))
    return contest


# --- The count in figures ------------------------------------------------------------------------


def turnout_cells(line: TurnoutLine | None) -> dict | None:
    if line is None:
        return None
    return {
        "official": DASH if line.official is None else percent(line.official),
        **estimate_cells(line.observed),
        "judged": line.official is not None and line.observed is not None,
        "outside_99": line.outside_99,
        "shortfall": DASH if line.shortfall is None else percent(line.shortfall),
        "compared": line.compared,
        "differing": line.differing,
    }


def estimate_cells(estimate: RatioEstimate | None) -> dict:
    if estimate is None:
        return {"observed": DASH, "interval_95": DASH, "interval_99": DASH, "sampled": 0}
    return {
        "observed": percent(estimate.estimate),
        "interval_95": EN_DASH.join(percent(end) for end in estimate.interval_95),
        "interval_99": EN_DASH.join(percent(end) for end in estimate.interval_99),
        "sampled": estimate.stations,
    }


# --- A district's page ---------------------------------------------------------------------------


def district_count_context(request: HttpRequest, district: District) -> dict:
    """Official against observed numbers, the user's organizations' differing copies (the others'
    only counted), and the district's forensic tests and pictures."""
    board = count_board(district.election)
    contest = chosen_contest(request, board)
    count = board.table.districts.get(district.pk) if board.table else None
    copies, others = differing_copies_for_user(user=request.user, count=count, contests=board.contests)
    return {
        "counts": board,
        "count": turnout_cells(count.turnout) if count else None,
        "shares": [share_cells(share) for share in count.shares] if count else [],
        "copies": [
            (
                copy,
                reverse("admin:counts_protocolcopy_change", args=[copy.protocol.pk]),
                reverse("admin:counts_protocolcopy_thumbnail", args=[copy.protocol.pk]),
            )
            for copy in copies
        ],
        "other_copies": others,
        "forensics": forensics_context(
            district.election,
            board,
            contest,
            districts={district.number: district},
            query={},
            district=district,
        ),
    }


def share_cells(share: ShareLine) -> dict:
    return {
        "contest": share.contest,
        "choice": share.choice,
        "official": DASH if share.official is None else percent(share.official),
        **estimate_cells(share.estimate),
        "outside_99": share.outside_99,
    }


# --- The forensic tests --------------------------------------------------------------------------


def forensics_context(
    election: Election,
    board: CountBoard,
    contest: ContestInfo | None,
    *,
    districts: dict,
    query: dict,
    district: District | None = None,
) -> dict:
    """The latest forensics run of `contest`: per district of `districts` (number → District), or
    for `district` alone, with the pictures of the same stations; `query` keeps the page's own
    parameters in the links to the other contests."""
    if contest is None:
        return {"contest": None}
    run = board.runs.get(contest.code)
    rows = []
    for number, item in sorted(run.districts.items()) if run else ():
        if district is None or number == district.number:
            rows.append(forensics_row(item, run.params, districts.get(number), contest))
    national = forensics_row(run.national, run.params, None, contest) if run and district is None else None
    where = (district.number, str(district)) if district is not None else None
    return {
        "contest": contest,
        "contests": [
            (choice, f"?{urlencode({**query, 'contest': choice.code})}#forensics")
            for choice in board.contests
        ],
        "run": run,
        "leader": leader_name(run.leader, contest) if run else "",
        "rows": rows,
        "national": national,
        "tests": [TEST_NAMES[test] for test in TESTS],
        "pictures": contest_pictures(election, board, contest, where),
        "command": f"python manage.py forensics --election {election.slug} --contest {contest.code}",
    }


def leader_name(leader: str, contest: ContestInfo) -> str:
    if leader == DISTRICT_LEADER:
        return _("each district's leading candidate")
    return contest.choices.get(leader, leader)


def forensics_row(item: dict, params: dict, district: District | None, contest: ContestInfo) -> dict:
    """A district's tests, linked to the same contest's tests on the district's page."""
    link = f"?{urlencode({'contest': contest.code})}#forensics"
    return {
        "number": item.get("district"),
        "name": item.get("name", ""),
        "url": f"{district_url(district)}{link}" if district is not None else None,
        "stations": item.get("stations", 0),
        "flags": f"{item.get('F', 0):g}",
        "cells": test_cells(item, params),
    }


@dataclass(frozen=True)
class TestCell:
    """One test in one district: its result in a word and the figure or the reason behind it."""

    __test__ = False  # not a pytest test class, whatever its name

    test: str
    name: str
    state: str  # "flagged", "clear" or "not_run"
    text: str
    detail: str


def test_cells(item: dict, params: dict) -> list[TestCell]:
    return [test_cell(test, item.get(test) or {}, params) for test in TESTS]


def test_cell(test: str, result: dict, params: dict) -> TestCell:
    name = str(TEST_NAMES[test])
    if not result.get("ran"):
        return TestCell(test, name, "not_run", _("not run"), reason_text(result, params))
    if test == "integer" and result.get("z") is not None:
        detail = f"z = {result['z']:.2f}"
    else:
        p = result.get("p_adjusted") if result.get("p_adjusted") is not None else result.get("p")
        detail = f"p = {p_text(p)}" if p is not None else ""
    if result.get("flagged"):
        return TestCell(test, name, "flagged", _("flagged"), detail)
    return TestCell(test, name, "clear", _("not flagged"), detail)


def reason_text(result: dict, params: dict) -> str:
    reason = REASONS.get(result.get("reason"))
    if reason is None:
        return result.get("note") or result.get("reason") or ""
    return str(reason) % {
        "stations": params.get("min_stations", 100),
        "counts": params.get("digit_min_counts", 50),
    }


def p_text(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3f}"
