"""Reading a contest's official results from CSV.

Columns: station_number, registered, ballots_issued, ballots_in_boxes, invalid, then one column per
party or candidate code. As with station lists, every row is checked and every problem reported
with its line number before anything is written. The commission's numbers are taken as published:
a line that does not add up is imported (the comparison flags it), but a line that cannot be read,
names an unknown station, or gives a candidate votes outside their district is refused.
"""

import csv
from collections.abc import Mapping
from dataclasses import dataclass

from counts.models import Choice, Contest
from stations.importers import CsvImportError, RowError, open_csv, parse_int

RESULT_COLUMNS = ("station_number", "registered", "ballots_issued", "ballots_in_boxes", "invalid")
NUMBER_COLUMNS = RESULT_COLUMNS[1:]
MAX_COUNT = 1_000_000


@dataclass(frozen=True)
class ResultRow:
    line: int
    station_id: int
    registered: int
    ballots_issued: int
    ballots_in_boxes: int
    invalid: int
    votes: dict[str, int]

    @property
    def valid(self) -> int:
        return sum(self.votes.values())


@dataclass(frozen=True)
class Ballot:
    """What the file is checked against: the contest's choices and the election's stations."""

    choices: Mapping[str, int | None]  # code → district id of a candidate, None for a party
    stations: Mapping[str, tuple[int, int]]  # number → (station id, district id)

    @classmethod
    def of(cls, contest: Contest) -> "Ballot":
        choices = dict(Choice.objects.filter(contest=contest).values_list("code", "district_id"))
        stations = {
            number: (pk, district)
            for number, pk, district in contest.election.stations.values_list("number", "pk", "district_id")
        }
        return cls(choices=choices, stations=stations)


def check_header(fieldnames: list[str], ballot: Ballot) -> list[RowError]:
    extra = [
        name for name in fieldnames if name and name not in RESULT_COLUMNS and name not in ballot.choices
    ]
    missing = [code for code in ballot.choices if code not in fieldnames]
    errors = []
    if not ballot.choices:
        errors.append(RowError(1, "the contest has no parties or candidates yet; add them first."))
    if extra:
        errors.append(
            RowError(
                1,
                f"column(s) {', '.join(extra)} are not choices of this contest (known: "
                f"{', '.join(ballot.choices)}).",
            )
        )
    if missing:
        errors.append(RowError(1, f"missing column(s) for choice(s): {', '.join(missing)}."))
    return errors


def parse_votes(
    values: Mapping[str, str], ballot: Ballot, district_id: int, problems: list[str]
) -> dict[str, int]:
    votes = {}
    for code, standing_in in ballot.choices.items():
        value = values.get(code, "")
        if standing_in is not None and standing_in != district_id:
            if value not in ("", "0"):
                problems.append(f"{code} does not stand in this station's district but has {value} votes.")
            continue
        if not value:
            problems.append(f"the votes for {code} are empty.")
            continue
        votes[code] = parse_int(value, code, problems, maximum=MAX_COUNT)
    return votes


def parse_result_row(line: int, raw: dict[str, str], ballot: Ballot) -> tuple[ResultRow | None, list[str]]:
    if None in raw:
        return None, ["this row has more fields than the header."]
    values = {key: (value or "").strip() for key, value in raw.items()}
    number = values.get("station_number", "")
    if not number:
        return None, ["station_number is empty."]
    station = ballot.stations.get(number)
    if station is None:
        return None, [f"station {number} is not in this election's station list."]
    problems = [f"{column} is empty." for column in NUMBER_COLUMNS if not values.get(column)]
    if problems:
        return None, problems
    numbers = {
        column: parse_int(values[column], column, problems, maximum=MAX_COUNT) for column in NUMBER_COLUMNS
    }
    votes = parse_votes(values, ballot, station[1], problems)
    if problems:
        return None, problems
    return ResultRow(line=line, station_id=station[0], votes=votes, **numbers), []


def read_results_csv(data: bytes, ballot: Ballot) -> list[ResultRow]:
    """Every line of a results file, or CsvImportError listing every problem in the file."""
    reader = open_csv(data, RESULT_COLUMNS)
    header_errors = check_header(list(reader.fieldnames or []), ballot)
    if header_errors:
        raise CsvImportError(header_errors)
    rows: list[ResultRow] = []
    errors: list[RowError] = []
    seen: dict[int, int] = {}
    end = 1
    try:
        for raw in reader:
            start, end = end + 1, reader.line_num
            if not any((value or "").strip() for key, value in raw.items() if key is not None):
                continue
            row, problems = parse_result_row(start, raw, ballot)
            if row is not None:
                first = seen.setdefault(row.station_id, start)
                if first != start:
                    problems = [f"station {raw['station_number'].strip()} is already on line {first}."]
                    row = None
            errors += [RowError(start, problem) for problem in problems]
            if row is not None:
                rows.append(row)
    except csv.Error as exc:
        raise CsvImportError([*errors, RowError(end + 1, f"the CSV cannot be read: {exc}.")]) from None
    if not rows and not errors:
        errors.append(RowError(0, "the file has a header but no stations."))
    if errors:
        raise CsvImportError(errors)
    return rows
