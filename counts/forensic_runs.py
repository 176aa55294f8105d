"""Running the election-forensics tests (counts.forensics) on a contest's current official results,
and keeping each run: the only writer of ForensicRun.

A party list is tested against its leader, the party with the most votes in the whole contest
unless one is named. A contest of candidates has a different leader in each district, so each
station's leader votes are those of its district's leading candidate, unless a leader is named.
"""

import time
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.signals import evidence_changed
from counts.forensics.analysis import analyse_election
from counts.forensics.params import ForensicParams
from counts.models import ContestKind, ForensicRun, OfficialResult, ResultBatch
from counts.models.contests import Contest

DISTRICT_LEADER = "district_leader"
OTHERS = "others"


@dataclass(frozen=True)
class ContestNumbers:
    registered: np.ndarray
    issued: np.ndarray
    in_boxes: np.ndarray
    valid: np.ndarray
    votes: np.ndarray  # stations x choices
    choices: list[str]
    districts: np.ndarray  # district numbers
    names: dict[int, str]


def contest_numbers(contest: Contest) -> ContestNumbers:
    """The current official results of a contest as arrays, in one query."""
    choices = list(contest.choices.order_by("position", "code").values_list("code", flat=True))
    rows = list(
        OfficialResult.objects.current()
        .filter(contest=contest)
        .order_by("station_id")
        .values_list(
            "station__district__number", "registered", "ballots_issued", "ballots_in_boxes", "valid", "votes"
        )
    )
    columns = {code: index for index, code in enumerate(choices)}
    votes = np.zeros((len(rows), len(choices)), dtype=np.int64)
    for row_index, row in enumerate(rows):
        for code, count in row[5].items():
            votes[row_index, columns[code]] = count
    numbers = np.array([row[:5] for row in rows], dtype=np.int64).reshape(-1, 5)
    return ContestNumbers(
        registered=numbers[:, 1],
        issued=numbers[:, 2],
        in_boxes=numbers[:, 3],
        valid=numbers[:, 4],
        votes=votes,
        choices=choices,
        districts=numbers[:, 0],
        names=dict(contest.election.districts.values_list("number", "name")),
    )


def district_leaders(numbers: ContestNumbers) -> ContestNumbers:
    """Two columns per station: its district's leading candidate, and everyone else."""
    leader_votes = np.zeros(len(numbers.districts), dtype=np.int64)
    for district in np.unique(numbers.districts):
        here = numbers.districts == district
        leader = int(np.argmax(numbers.votes[here].sum(axis=0)))
        leader_votes[here] = numbers.votes[here, leader]
    others = numbers.votes.sum(axis=1) - leader_votes
    return ContestNumbers(
        **{
            **numbers.__dict__,
            "votes": np.column_stack([leader_votes, others]),
            "choices": [DISTRICT_LEADER, OTHERS],
        }
    )


def batch_seed(batch: ResultBatch) -> int:
    """The same results file always gives the same draws."""
    return int(batch.sha256[:15], 16)


def forensics_run(*, contest: Contest, leader: str | None = None, seed: int | None = None) -> ForensicRun:
    """Run every test on the contest's current results and store the run."""
    batch = ResultBatch.objects.filter(contest=contest, current=True).first()
    if batch is None:
        raise ApplicationError(
            _("Contest %(code)s has no official results yet; import them first.") % {"code": contest.code}
        )
    numbers = contest_numbers(contest)
    if leader is not None and leader not in numbers.choices:
        raise ApplicationError(
            _("%(leader)s is not a choice of contest %(code)s (its choices: %(choices)s).")
            % {"leader": leader, "code": contest.code, "choices": ", ".join(numbers.choices)},
            field="leader",
        )
    if leader is None and contest.kind == ContestKind.CANDIDATES:
        numbers, leader = district_leaders(numbers), DISTRICT_LEADER
    seed = batch_seed(batch) if seed is None else seed
    params = ForensicParams()
    started = time.perf_counter()
    result = analyse_election(
        registered=numbers.registered,
        ballots_issued=numbers.issued,
        ballots_in_boxes=numbers.in_boxes,
        valid=numbers.valid,
        votes=numbers.votes,
        choices=numbers.choices,
        districts=numbers.districts,
        names=numbers.names,
        leader=leader,
        params=params,
        seed=seed,
    )
    with transaction.atomic():
        run = ForensicRun.objects.create(
            contest=contest,
            batch=batch,
            leader=result.leader,
            seed=seed,
            params=params.as_dict(),
            results=result.as_dict(),
            seconds=time.perf_counter() - started,
        )
        election_id = contest.election_id
        transaction.on_commit(lambda: forensics_changed(election_id))
    return run


def forensics_changed(election_id: int) -> None:
    """The forensic flags are part of the scores: say that the election's evidence changed."""
    evidence_changed.send(sender=ForensicRun, election_id=election_id)


def latest_forensics(contest: Contest) -> ForensicRun | None:
    """The latest run on the contest's current results; None when there is none yet."""
    return (
        ForensicRun.objects.filter(contest=contest, batch__current=True)
        .order_by("-created_at", "-pk")
        .first()
    )
