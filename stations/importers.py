"""Reading a polling-station list from CSV.

Parsing checks every row and gathers every problem with its line number before anything is
written: a coordinator fixes the whole file in one pass, and a bad file changes nothing.
"""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

STATION_COLUMNS = (
    "region",
    "district_number",
    "district_name",
    "station_number",
    "name",
    "address",
    "latitude",
    "longitude",
    "registered_voters",
)
REQUIRED_VALUES = ("region", "district_number", "district_name", "station_number", "registered_voters")
MAX_LENGTHS = {"region": 200, "district_name": 200, "station_number": 32, "name": 300, "address": 500}
MAX_REGISTERED_VOTERS = 1_000_000


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class CsvImportError(Exception):
    """The file was refused; `errors` holds every problem found, in file order."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s) in the file")


@dataclass(frozen=True)
class StationRow:
    line: int
    region: str
    district_number: int
    district_name: str
    station_number: str
    name: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    registered_voters: int


def decode_csv(data: bytes) -> str:
    """UTF-8 text (with or without the byte-order mark Excel writes), or a line-numbered refusal."""
    if b"\x00" in data[:4096]:
        raise CsvImportError([RowError(0, "This is not a CSV text file (it contains binary data).")])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CsvImportError(
            [
                RowError(
                    line,
                    f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x}); "
                    "save it as \u201cCSV UTF-8\u201d and try again.",
                )
            ]
        ) from None


def open_csv(data: bytes, columns: tuple[str, ...]) -> csv.DictReader:
    """A reader over the file's rows after checking that the header has every column."""
    text = decode_csv(data)
    first_line = text.split("\n", 1)[0]
    # Spreadsheets set to Russian or Kazakh write semicolons between fields.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
    if not header:
        raise CsvImportError([RowError(1, "the file is empty; the first line must name the columns.")])
    missing = [name for name in columns if name not in header]
    if missing:
        raise CsvImportError([RowError(1, f"missing column(s): {', '.join(missing)}.")])
    reader.fieldnames = header
    return reader


def parse_int(value: str, column: str, errors: list[str], *, maximum: int) -> int:
    cleaned = value.replace("\u00a0", "").replace(" ", "")
    if not cleaned.removeprefix("-").isdecimal():
        errors.append(f"{column} must be a whole number, not {value!r}.")
        return 0
    number = int(cleaned)
    if number < 0:
        errors.append(f"{column} cannot be negative ({number}).")
    elif number > maximum:
        errors.append(f"{column} is implausibly large ({number}).")
    return number


def parse_coordinate(value: str, column: str, limit: int, errors: list[str]) -> Decimal | None:
    if not value:
        return None
    try:
        number = Decimal(value.replace(",", "."))
    except InvalidOperation:
        errors.append(f"{column} must be a number, not {value!r}.")
        return None
    if not number.is_finite() or not -limit <= number <= limit:
        errors.append(f"{column} must lie between -{limit} and {limit}, not {value}.")
        return None
    return number.quantize(Decimal("0.000001"))


def parse_station_row(line: int, raw: dict[str, str]) -> tuple[StationRow | None, list[str]]:
    if None in raw:
        return None, ["this row has more fields than the header."]
    values = {key: (raw.get(key) or "").strip() for key in STATION_COLUMNS}
    problems = [f"{column} is empty." for column in REQUIRED_VALUES if not values[column]]
    problems += [
        f"{column} is longer than {limit} characters."
        for column, limit in MAX_LENGTHS.items()
        if len(values[column]) > limit
    ]
    if problems:
        return None, problems
    district_number = parse_int(values["district_number"], "district_number", problems, maximum=100_000)
    voters = parse_int(
        values["registered_voters"], "registered_voters", problems, maximum=MAX_REGISTERED_VOTERS
    )
    latitude = parse_coordinate(values["latitude"], "latitude", 90, problems)
    longitude = parse_coordinate(values["longitude"], "longitude", 180, problems)
    if (latitude is None) != (longitude is None) and not problems:
        problems.append("give both latitude and longitude, or neither.")
    if problems:
        return None, problems
    row = StationRow(
        line=line,
        region=values["region"],
        district_number=district_number,
        district_name=values["district_name"],
        station_number=values["station_number"],
        name=values["name"],
        address=values["address"],
        latitude=latitude,
        longitude=longitude,
        registered_voters=voters,
    )
    return row, []


def check_consistency(rows: list[StationRow]) -> list[RowError]:
    """Problems between rows: a station listed twice, a district with two regions or two names."""
    errors: list[RowError] = []
    station_lines: dict[str, int] = {}
    districts: dict[int, StationRow] = {}
    for row in rows:
        first = station_lines.setdefault(row.station_number, row.line)
        if first != row.line:
            errors.append(RowError(row.line, f"station {row.station_number} is already on line {first}."))
        known = districts.setdefault(row.district_number, row)
        if known.region != row.region:
            errors.append(
                RowError(
                    row.line,
                    f"district {row.district_number} is placed in region {row.region!r} here "
                    f"but in region {known.region!r} on line {known.line}.",
                )
            )
        elif known.district_name != row.district_name:
            errors.append(
                RowError(
                    row.line,
                    f"district {row.district_number} is named {row.district_name!r} here "
                    f"but {known.district_name!r} on line {known.line}.",
                )
            )
    return errors


def read_station_csv(data: bytes) -> list[StationRow]:
    """Every row of a station list, or CsvImportError listing every problem in the file."""
    reader = open_csv(data, STATION_COLUMNS)
    rows: list[StationRow] = []
    errors: list[RowError] = []
    end = 1  # the header
    try:
        for raw in reader:
            start, end = end + 1, reader.line_num
            if not any((value or "").strip() for key, value in raw.items() if key is not None):
                continue  # blank lines, often at the end of a spreadsheet export
            row, problems = parse_station_row(start, raw)
            if problems and end > start:
                # A quoted field ran over several lines: most often a closing quote is missing.
                problems.append(f"this row runs on to line {end}; is a closing quote missing?")
            errors += [RowError(start, problem) for problem in problems]
            if row is not None:
                rows.append(row)
    except csv.Error as exc:
        raise CsvImportError([*errors, RowError(end + 1, f"the CSV cannot be read: {exc}.")]) from None
    errors += check_consistency(rows)
    if not rows and not errors:
        errors.append(RowError(0, "the file has a header but no stations."))
    if errors:
        raise CsvImportError(sorted(errors, key=lambda error: error.line))
    return rows
