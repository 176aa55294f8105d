"""The forensic pictures as SVG, drawn on the server: the election fingerprint (turnout x leader
share, weighted by voters) and the distributions of turnout and leader share in 0.1-point bins
with the whole-percent bins marked. The same drawings serve the dashboard and the partner API."""

import math
from dataclasses import dataclass

import numpy as np
from django.utils.html import escape
from django.utils.translation import gettext as _

from counts.forensic_runs import (
    DISTRICT_LEADER,
    ContestNumbers,
    contest_numbers,
    district_leaders,
    latest_forensics,
)
from counts.forensics.pictures import (
    Fingerprint,
    PercentDistributions,
    fingerprint_histogram,
    percent_distributions,
)
from counts.models import Contest, ContestKind

CELL = 4  # pixels per 1-point bin of the fingerprint
MARGIN = 44


@dataclass(frozen=True)
class Picture:
    """What a picture is drawn from: one contest's stations (all, or one district's)."""

    registered: np.ndarray
    ballots: np.ndarray
    leader: np.ndarray
    valid: np.ndarray
    leader_code: str
    leader_name: str
    stations: int


def picture_numbers(
    contest: Contest, district: int | None = None, numbers: ContestNumbers | None = None
) -> Picture:
    """The stations' numbers against the leader of the latest forensics run (or the party with most
    votes when none ran yet); a contest of candidates uses each district's leading candidate.
    `numbers`: the contest's numbers when the caller kept them (contest_numbers)."""
    numbers = numbers if numbers is not None else contest_numbers(contest)
    run = latest_forensics(contest)
    leader = run.leader if run else None
    if contest.kind == ContestKind.CANDIDATES and leader in (None, DISTRICT_LEADER):
        numbers, leader = district_leaders(numbers), DISTRICT_LEADER
    if leader not in numbers.choices:
        leader = numbers.choices[int(np.argmax(numbers.votes.sum(axis=0)))] if numbers.choices else ""
    keep = numbers.districts == district if district is not None else np.ones(len(numbers.districts), bool)
    column = numbers.choices.index(leader) if leader in numbers.choices else None
    leader_votes = numbers.votes[keep, column] if column is not None else np.zeros(int(keep.sum()))
    return Picture(
        registered=numbers.registered[keep],
        ballots=numbers.in_boxes[keep],
        leader=leader_votes,
        valid=numbers.valid[keep],
        leader_code=leader,
        leader_name=leader_label(contest, leader),
        stations=int(keep.sum()),
    )


def leader_label(contest: Contest, leader: str) -> str:
    if leader == DISTRICT_LEADER:
        return _("each district's leading candidate")
    return contest.choices.filter(code=leader).values_list("name", flat=True).first() or leader


def _svg(width: int, height: int, title: str, desc: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-family="sans-serif" font-size="11">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>" + "".join(body) + "</svg>"
    )


def _axis_ticks(x0: float, y0: float, length: float, *, vertical: bool) -> list[str]:
    parts = []
    for percent in range(0, 101, 20):
        offset = length * percent / 100
        if vertical:
            y = y0 - offset
            parts.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end">{percent}</text>')
        else:
            x = x0 + offset
            parts.append(f'<text x="{x:.1f}" y="{y0 + 16}" text-anchor="middle">{percent}</text>')
    return parts


def fingerprint_svg(picture: Picture, title: str) -> str:
    """Each 1-point bin with voters shaded by their number (log scale); the 95/95 corner outlined."""
    fingerprint: Fingerprint = fingerprint_histogram(
        picture.registered, picture.ballots, picture.leader, picture.valid
    )
    voters = fingerprint.voters
    size = CELL * voters.shape[0]
    top = voters.max() if voters.size else 0
    body = [f'<rect x="{MARGIN}" y="10" width="{size}" height="{size}" fill="#fff" stroke="#999"/>']
    for t, s in zip(*np.nonzero(voters), strict=True):
        shade = math.log1p(voters[t, s]) / math.log1p(top) if top else 0
        x, y = MARGIN + t * CELL, 10 + size - (s + 1) * CELL
        body.append(
            f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" fill="#08306b" '
            f'fill-opacity="{0.1 + 0.9 * shade:.2f}"/>'
        )
    corner = 0.05 * size
    body.append(
        f'<rect x="{MARGIN + size - corner:.1f}" y="10" width="{corner:.1f}" height="{corner:.1f}" '
        'fill="none" stroke="#b2182b" stroke-dasharray="3 2"/>'
    )
    body += _axis_ticks(MARGIN, 10 + size, size, vertical=False)
    body += _axis_ticks(MARGIN, 10 + size, size, vertical=True)
    turnout_label = _("Turnout (percent)")
    share_label = _("Share of %(leader)s (percent)") % {"leader": picture.leader_name}
    body.append(
        f'<text x="{MARGIN + size / 2}" y="{size + 44}" text-anchor="middle">{escape(turnout_label)}</text>'
    )
    body.append(
        f'<text transform="rotate(-90)" x="{-(10 + size / 2)}" y="12" text-anchor="middle">'
        f"{escape(share_label)}</text>"
    )
    desc = _(
        "Stations by turnout (across) and the leader's share (up), shaded by registered voters; %(stations)d "
        "stations. A clean election shows one or a few round clouds; a smear towards the top right corner "
        "(outlined) is what ballot stuffing leaves."
    ) % {"stations": picture.stations}
    return _svg(MARGIN + size + 10, size + 56, title, desc, body)


def _line(values: np.ndarray, x0: float, y0: float, width: float, height: float, top: float) -> str:
    points = " ".join(
        f"{x0 + width * i / (len(values) - 1):.1f},{y0 + height - height * v / top:.1f}"
        for i, v in enumerate(values)
    )
    return f'<polyline points="{points}" fill="none" stroke="#2166ac" stroke-width="1"/>'


SPIKE_NEIGHBOURS = 5  # bins on each side a whole percent is compared with


def spikes(values: np.ndarray) -> np.ndarray:
    """Bins far above their neighbours: more than twice the mean of the 5 bins on each side (the
    bin itself left out) and at least 3 Poisson standard deviations above it."""
    padded = np.pad(values.astype(float), SPIKE_NEIGHBOURS, mode="edge")
    window = np.convolve(padded, np.ones(2 * SPIKE_NEIGHBOURS + 1), mode="valid") - values
    around = window / (2 * SPIKE_NEIGHBOURS)
    return (values > 2 * around) & (values > around + 3 * np.sqrt(np.maximum(around, 1.0)))


def _panel(
    values: np.ndarray, whole: np.ndarray, y0: float, label: str, width: float, height: float
) -> list[str]:
    top = max(1.0, float(values.max()))
    body = [
        f'<rect x="{MARGIN}" y="{y0}" width="{width}" height="{height}" fill="#fff" stroke="#999"/>',
        _line(values, MARGIN, y0, width, height, top),
        f'<text x="{MARGIN + 4}" y="{y0 + 14}">{escape(label)}</text>',
    ]
    for i in np.nonzero(whole & spikes(values))[0]:
        x = MARGIN + width * i / (len(values) - 1)
        y = y0 + height - height * values[i] / top
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="#b2182b">'
            f"<title>{i / 10:g} %: {int(values[i])}</title></circle>"
        )
    body += _axis_ticks(MARGIN, y0 + height, width, vertical=False)
    return body


def distributions_svg(picture: Picture, title: str) -> str:
    """Stations per 0.1-point bin of turnout and of the leader's share; a red dot marks a whole
    percent that stands out from its neighbours, the mark of numbers written rather than counted."""
    data: PercentDistributions = percent_distributions(
        picture.registered, picture.ballots, picture.leader, picture.valid
    )
    width, height = 600, 140
    body = _panel(data.turnout, data.whole_percent, 10, _("Turnout (percent, 0.1-point bins)"), width, height)
    body += _panel(
        data.share,
        data.whole_percent,
        height + 40,
        _("Share of %(leader)s (percent, 0.1-point bins)") % {"leader": picture.leader_name},
        width,
        height,
    )
    desc = _(
        "Stations per 0.1-point bin; %(stations)d stations, %(left_out)d above 100 %% turnout left out. Red "
        "dots: whole percents far above their neighbours."
    ) % {"stations": picture.stations, "left_out": data.left_out}
    return _svg(MARGIN + width + 10, 2 * height + 70, title, desc, body)
