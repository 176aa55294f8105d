"""Reading the observer lists coordinators keep: a CSV (UTF-8, commas or semicolons) or an Excel
workbook (.xlsx, its first sheet), with the columns full_name, phone, email, language, stations,
roaming. Each line is checked on its own here; people/onboarding.py checks the lines together and
against the database, and writes them.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from stations.importers import CsvImportError, RowError, open_csv

COLUMNS = ("full_name", "phone", "email", "language", "stations", "roaming")
LANGUAGES = {code for code, _name in settings.LANGUAGES}
YES = {"1", "yes", "y", "true", "x", "да", "иә", "ия"}
NO = {"", "0", "no", "n", "false", "нет", "жоқ"}
NAME_LENGTH = 150
XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class ObserverRow:
    line: int
    full_name: str
    phone: str
    email: str
    language: str
    stations: tuple[str, ...]
    roaming: bool


def normalize_phone(value: str) -> str | None:
    """+77011234567 from the ways people write it, or None when it cannot be a phone number.

    Kazakhstan's (and Russia's) trunk prefix 8 is read as +7: lists kept there are full of it.
    """
    number = re.sub(r"[\s\-().\u00a0]", "", value)
    if number.startswith("00"):
        number = "+" + number[2:]
    if re.fullmatch(r"8\d{10}", number):
        number = "+7" + number[1:]
    elif re.fullmatch(r"7\d{10}", number):
        number = "+" + number
    return number if re.fullmatch(r"\+\d{8,15}", number) else None


def _cell_text(value) -> str:
    """A spreadsheet cell as the text a person typed: 77011234567, not 77011234567.0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _xlsx_lines(data: bytes):
    """(line, {column: text}) for each row of the workbook's first sheet under its header row."""
    from openpyxl import load_workbook  # a heavy import, only for the files that need it

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise CsvImportError(
            [RowError(0, _("This Excel file cannot be read; save it again as .xlsx or CSV."))]
        ) from None
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    header = [_cell_text(value).lower() for value in next(rows, ())]
    _check_header(header)
    for line, values in enumerate(rows, start=2):
        texts = [_cell_text(value) for value in values]
        yield line, dict(zip(header, texts, strict=False)), len([t for t in texts[len(header) :] if t])
    workbook.close()


def _csv_lines(data: bytes):
    reader = open_csv(data, COLUMNS)
    end = 1  # the header
    try:
        for raw in reader:
            start, end = end + 1, reader.line_num
            extra = [value for value in raw.pop(None, None) or [] if value.strip()]
            yield start, {key: (value or "").strip() for key, value in raw.items()}, len(extra)
    except csv.Error as exc:
        raise CsvImportError(
            [RowError(end + 1, _("the CSV cannot be read: %(error)s.") % {"error": exc})]
        ) from None


def _check_header(header: list[str]) -> None:
    if not any(header):
        raise CsvImportError([RowError(1, _("the file is empty; the first line must name the columns."))])
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise CsvImportError(
            [RowError(1, _("missing column(s): %(columns)s.") % {"columns": ", ".join(missing)})]
        )


def _contact(values: dict[str, str], problems: list[str]) -> tuple[str, str]:
    """The phone (as stored) and the e-mail address (in small letters); at least one is needed."""
    phone_text, email = values.get("phone", ""), values.get("email", "").lower()
    phone = normalize_phone(phone_text) if phone_text else ""
    if phone is None:
        problems.append(
            _("%(phone)r is not a phone number (write it as +77011234567).") % {"phone": phone_text}
        )
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(_("%(email)r is not an e-mail address.") % {"email": email})
    if not phone_text and not email:
        problems.append(_("give a phone or an e-mail address: the next import finds the observer by them."))
    return phone or "", email


def _choices(values: dict[str, str], problems: list[str]) -> tuple[str, bool]:
    """The language (the site's default when left empty) and whether the observer roams."""
    language = values.get("language", "").lower() or settings.LANGUAGE_CODE
    if language not in LANGUAGES:
        problems.append(_("language must be kk, ru or en, not %(language)r.") % {"language": language})
    roaming = values.get("roaming", "").lower()
    if roaming not in YES | NO:
        problems.append(_("roaming must be yes or no, not %(value)r.") % {"value": roaming})
    return language, roaming in YES


def _parse_row(line: int, values: dict[str, str]) -> tuple[ObserverRow | None, list[str]]:
    problems: list[str] = []
    name = values.get("full_name", "")
    if not name:
        problems.append(_("full_name is empty."))
    elif len(name) > NAME_LENGTH:
        problems.append(_("full_name is longer than %(limit)d characters.") % {"limit": NAME_LENGTH})
    phone, email = _contact(values, problems)
    language, roaming = _choices(values, problems)
    # Numbers separated by spaces, as the column is described; commas and semicolons are forgiven.
    stations = tuple(dict.fromkeys(n for n in re.split(r"[\s,;]+", values.get("stations", "")) if n))
    if problems:
        return None, problems
    return ObserverRow(line, name, phone, email, language, stations, roaming), []


def read_observer_file(data: bytes) -> tuple[list[ObserverRow], list[RowError]]:
    """The rows that are well formed, and the problems of the others: a CSV or an .xlsx workbook."""
    lines = _xlsx_lines(data) if data.startswith(XLSX_MAGIC) else _csv_lines(data)
    rows: list[ObserverRow] = []
    errors: list[RowError] = []
    for line, values, extra in lines:
        if not any(values.values()) and not extra:
            continue  # blank lines, often at the end of a spreadsheet
        if extra:
            errors.append(RowError(line, _("this row has more fields than the header.")))
            continue
        row, problems = _parse_row(line, values)
        errors += [RowError(line, problem) for problem in problems]
        if row is not None:
            rows.append(row)
    return rows, errors
