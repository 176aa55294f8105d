"""The count and the forensics as the coordinator dashboard shows them, district by district.

The estimates are aggregates over every organization's observers and the commission's public
numbers, like the scores, so they are the same for every reader and are kept per election in the
cache. The differing protocol copies are carried by id only: the views list a copy, its photo and
its lines only to the staff of its organization, and count the others.

`count_summary` takes about half a second for 10,000 stations and the pictures read every station's
numbers. The board is kept with the state of the data it describes, which changes as soon as a
results file is imported, an observer sends a turnout count or a copy, a copy is reviewed or the
forensic tests run again (one query finds it); while the data keeps changing the last board is
shown and refreshed in the background (core/recent.py). The pictures are drawn from the official
results only: they are kept under the state of the results (and the names in their titles), so the
copies and counts arriving all evening do not redraw them.
"""

import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db.models import Count, Exists, Max, OuterRef, QuerySet, Subquery, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.recent import recent_figures
from counts.admin.observed import FIELD_LABELS
from counts.comparison import StationComparison
from counts.districts import CountSummary, DistrictCounts, count_summary
from counts.estimators import RatioEstimate, turnout_shortfall
from counts.forensic_runs import ContestNumbers, contest_numbers
from counts.models import Choice, Contest, ContestKind, ForensicRun, ProtocolCopy, ResultBatch, TurnoutCount
from counts.pictures import distributions_svg, fingerprint_svg, picture_numbers
from people.selectors import scoped_for_staff
from stations.models import Election

CACHE_SECONDS = 60
# Pictures nobody asked for in this long are dropped from the cache.
PICTURES_SECONDS = 6 * 3600


# --- What the key is made of ---------------------------------------------------------------------


def scalar(queryset: QuerySet, group: str, value) -> Subquery:
    """One aggregate of `queryset` (already filtered to the outer election) as a scalar subquery."""
    return Subquery(queryset.order_by().values(group).annotate(value=value).values("value")[:1])


def data_state(election: Election) -> dict:
    """Everything whose change changes the count or the forensics, in one query: the contests, the
    results files, the copies (their number, their reviews, the latest), the turnout counts and the
    forensic runs."""
    mine = {"election": OuterRef("pk")}
    contest_of = {"contest__election": OuterRef("pk")}
    batches = ResultBatch.objects.filter(**contest_of)
    copies = ProtocolCopy.objects.filter(**mine)
    counts = TurnoutCount.objects.filter(**mine)
    aggregates = {
        "contest_count": scalar(Contest.objects.filter(**mine), "election", Count("pk")),
        "result_files": scalar(batches.filter(current=True), "contest__election", Count("pk")),
        "last_batch": scalar(batches, "contest__election", Max("pk")),
        "last_import": scalar(batches, "contest__election", Max("imported_at")),
        "copy_count": scalar(copies, "election", Count("pk")),
        "copy_versions": scalar(copies, "election", Sum("version")),
        "last_copy": scalar(copies, "election", Max("received_at")),
        "turnout_count": scalar(counts, "election", Count("pk")),
        "last_count": scalar(counts, "election", Max("received_at")),
        "last_run": scalar(ForensicRun.objects.filter(**contest_of), "contest__election", Max("pk")),
    }
    return Election.objects.filter(pk=election.pk).annotate(**aggregates).values("pk", *aggregates).get()


def state_key(state: dict) -> str:
    digest = hashlib.sha256(repr(sorted(state.items())).encode()).hexdigest()[:32]
    # "2": comparisons carry the ballots that scale a material difference.
    return f"count-dashboard:2:{state['pk']}:{digest}"


def results_key(state: dict) -> str:
    """The part of the state the pictures are drawn from: the contests, their current results files
    (a new file is a new batch) and the forensic runs."""
    results = [
        state[name] for name in ("contest_count", "result_files", "last_batch", "last_import", "last_run")
    ]
    digest = hashlib.sha256(repr(results).encode()).hexdigest()[:32]
    return f"count-pictures:1:{state['pk']}:{digest}"


# --- The cached board ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TurnoutLine:
    """Official turnout against the observers' estimate; None where there is no figure."""

    official: float | None
    observed: RatioEstimate | None
    compared: int  # stations whose protocol copy was compared with the official result
    differing: int  # of them, stations where the copy differs

    @property
    def outside_99(self) -> bool:
        return (
            self.official is not None
            and self.observed is not None
            and self.observed.outside_99(self.official)
        )

    @property
    def shortfall(self) -> float | None:
        """δ of the count risk."""
        if not self.official or self.observed is None:
            return None
        return turnout_shortfall(self.official, self.observed.estimate)


@dataclass(frozen=True)
class ShareLine:
    contest: str  # the contest's name
    choice: str  # the choice's name
    official: float | None
    estimate: RatioEstimate | None
    outside_99: bool


@dataclass(frozen=True)
class DistrictCount:
    turnout: TurnoutLine
    shares: tuple[ShareLine, ...]
    differing: tuple[StationComparison, ...]  # every organization's: the views cut them down


@dataclass(frozen=True)
class CountTable:
    sample_used: bool
    turnout_contest: str  # the name of the contest turnout is read from
    districts: dict[int, DistrictCount]  # by district id
    national: TurnoutLine  # the stratified estimate


@dataclass(frozen=True)
class ContestInfo:
    code: str
    name: str
    kind: str
    has_results: bool
    choices: dict[str, str]  # code → name


@dataclass(frozen=True)
class ForensicsInfo:
    """The latest run of the forensic tests on a contest's current results."""

    leader: str
    seed: int
    run_at: datetime
    params: dict
    districts: dict[int, dict]  # by district number, as ElectionForensics.as_dict() gave them
    national: dict


@dataclass(frozen=True)
class CountBoard:
    key: str
    results_key: str  # the state of the official results and forensic runs only
    has_results: bool  # official results of at least one contest
    has_observations: bool  # at least one turnout count or protocol copy
    contests: tuple[ContestInfo, ...]
    runs: dict[str, ForensicsInfo]  # by contest code
    table: CountTable | None  # None without official results or observers' numbers

    def contest(self, code: str | None = None) -> ContestInfo | None:
        """The contest of that code; by default the first party list (every voter has that ballot)."""
        if code is not None:
            return next((c for c in self.contests if c.code == code), None)
        party_lists = [c for c in self.contests if c.kind == ContestKind.PARTY_LIST]
        return next(iter(party_lists or self.contests), None)


def count_board(election: Election) -> CountBoard:
    """The election's count and forensics: one query when the cache has them, a few more (never
    one per district) when it does not."""
    state = data_state(election)
    key = state_key(state)
    if not state["contest_count"]:
        return build_board(election, state, key)
    # While copies and counts keep arriving, the last board (at most a few seconds old) is shown and
    # the next one computed in the background (core/recent.py); its key is the state it describes.
    return recent_figures(
        f"count-board:1:{election.pk}", key, lambda: build_board(election, state, key)
    ).value


def build_board(election: Election, state: dict, key: str) -> CountBoard:
    has_results = bool(state["result_files"])
    has_observations = bool(state["copy_count"] or state["turnout_count"])
    if not state["contest_count"]:
        return CountBoard(key, results_key(state), has_results, has_observations, (), {}, None)
    contests = contest_infos(election)
    table = None
    if has_results and has_observations:
        table = count_table(count_summary(election), contests)
    return CountBoard(
        key, results_key(state), has_results, has_observations, contests, latest_runs(election), table
    )


def contest_infos(election: Election) -> tuple[ContestInfo, ...]:
    current = ResultBatch.objects.filter(contest=OuterRef("pk"), current=True)
    contests = list(
        Contest.objects.filter(election=election)
        .annotate(has_results=Exists(current))
        .order_by("code")
        .values_list("pk", "code", "name", "kind", "has_results")
    )
    names: dict[int, dict[str, str]] = {pk: {} for pk, *_ in contests}
    for contest_id, code, name in Choice.objects.filter(contest__election=election).values_list(
        "contest_id", "code", "name"
    ):
        names[contest_id][code] = name
    return tuple(
        ContestInfo(code=code, name=name, kind=kind, has_results=has_results, choices=names[pk])
        for pk, code, name, kind, has_results in contests
    )


def latest_runs(election: Election) -> dict[str, ForensicsInfo]:
    """Each contest's latest run on its current results, as `latest_forensics` picks it, in one query."""
    latest = (
        ForensicRun.objects.filter(contest=OuterRef("contest"), batch__current=True)
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    runs = ForensicRun.objects.filter(contest__election=election, pk=Subquery(latest)).select_related(
        "contest"
    )
    return {
        run.contest.code: ForensicsInfo(
            leader=run.leader,
            seed=run.seed,
            run_at=run.created_at,
            params=run.params,
            districts={int(item["district"]): item for item in run.results.get("districts", [])},
            national=run.results.get("national", {}),
        )
        for run in runs
    }


def count_table(summary: CountSummary, contests: tuple[ContestInfo, ...]) -> CountTable:
    districts = {pk: district_count(item, contests) for pk, item in summary.districts.items()}
    return CountTable(
        sample_used=summary.sample_used,
        turnout_contest=summary.turnout_contest.name if summary.turnout_contest else "",
        districts=districts,
        national=TurnoutLine(
            official=summary.official_turnout,
            observed=summary.turnout,
            compared=sum(item.turnout.compared for item in districts.values()),
            differing=sum(item.turnout.differing for item in districts.values()),
        ),
    )


def district_count(item: DistrictCounts, contests: tuple[ContestInfo, ...]) -> DistrictCount:
    evidence = item.evidence()
    by_code = {contest.code: contest for contest in contests}
    shares = []
    for key, share in sorted(item.shares.items()):
        contest = by_code[key.partition(":")[0]]
        shares.append(
            ShareLine(
                contest=contest.name,
                choice=contest.choices.get(share.code, share.code),
                official=share.official,
                estimate=share.estimate,
                outside_99=share.outside_99,
            )
        )
    return DistrictCount(
        turnout=TurnoutLine(
            official=item.official_turnout,
            observed=item.turnout,
            compared=evidence.protocols_compared,
            differing=evidence.protocols_differing,
        ),
        shares=tuple(shares),
        differing=tuple(item.differing),
    )


# --- The pictures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pictures:
    fingerprint: str  # SVG
    distributions: str  # SVG


def contest_pictures(
    election: Election, board: CountBoard, contest: ContestInfo, district: tuple[int, str] | None = None
) -> Pictures | None:
    """The fingerprint and the distributions of a contest, nationally or for one district (its
    number and name); None before its results are imported. Kept with the state of the results, per
    language and names in the titles."""
    if not contest.has_results:
        return None
    number = district[0] if district else None
    names = hashlib.sha256(repr((contest.name, district)).encode()).hexdigest()[:16]
    key = f"{board.results_key}:{contest.code}:{'all' if number is None else number}:{get_language()}:{names}"
    pictures = cache.get(key)
    if pictures is None:
        found = Contest.objects.select_related("election").get(election=election, code=contest.code)
        picture = picture_numbers(found, number, kept_numbers(f"{board.results_key}:{found.pk}", found))
        where = district[1] if district else _("all districts")
        title = _("%(contest)s, %(where)s") % {"contest": contest.name, "where": where}
        pictures = Pictures(
            fingerprint=fingerprint_svg(picture, _("Fingerprint: %(title)s") % {"title": title}),
            distributions=distributions_svg(picture, _("Distributions: %(title)s") % {"title": title}),
        )
        cache.set(key, pictures, PICTURES_SECONDS)
    return pictures


# A district's pictures read its stations out of every station's numbers: each process keeps the
# numbers of the last few contests and results it read (about 1 MB for 10,000 stations).
KEPT_NUMBERS = 4
_kept_numbers: dict[str, ContestNumbers] = {}
_kept_lock = threading.Lock()


def kept_numbers(key: str, contest: Contest) -> ContestNumbers:
    """The contest's official numbers as `contest_numbers` reads them, kept in this process under
    `key` (the state of the results and the contest)."""
    numbers = _kept_numbers.get(key)
    if numbers is None:
        numbers = contest_numbers(contest)
        with _kept_lock:
            while len(_kept_numbers) >= KEPT_NUMBERS:
                _kept_numbers.pop(next(iter(_kept_numbers)))
            _kept_numbers[key] = numbers
    return numbers


# --- The copies behind "differing", for one reader -----------------------------------------------


@dataclass(frozen=True)
class DifferingCopy:
    protocol: ProtocolCopy  # with its station and contest
    lines: tuple[tuple[str, int, int], ...]  # (what, observer's figure, official figure)


def differing_copies_for_user(
    *, user: AbstractBaseUser, count: DistrictCount | None, contests: tuple[ContestInfo, ...]
) -> tuple[list[DifferingCopy], int]:
    """The district's differing copies the user's organizations sent, with their differing lines,
    and how many others differ: those are the other organizations' and are counted, never listed.
    One query, none without differing copies."""
    by_id = {comparison.protocol_id: comparison for comparison in (count.differing if count else ())}
    if not by_id:
        return [], 0
    names = {contest.code: contest.choices for contest in contests}
    visible = (
        scoped_for_staff(ProtocolCopy.objects.filter(pk__in=list(by_id)), user)
        .select_related("station", "contest")
        .only("id", "status", "station__number", "station__name", "contest__code", "contest__name")
        .order_by("station__number", "contest__code")
    )
    mine = [
        DifferingCopy(
            protocol=copy,
            lines=tuple(
                (
                    str(FIELD_LABELS.get(d.field) or names.get(copy.contest.code, {}).get(d.field, d.field)),
                    d.observed,
                    d.official,
                )
                for d in by_id[str(copy.pk)].differences
            ),
        )
        for copy in visible
    ]
    return mine, len(by_id) - len(mine)
