import csv
import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from counts.models import ContestKind
from counts.results import ChoiceSpec, choices_parse, contest_define
from stations.importers import CsvImportError, decode_csv
from stations.models import Election


def choices_from_csv(path: Path) -> list[ChoiceSpec]:
    """A CSV with the columns code, name and, for candidates, district_number."""
    try:
        text = decode_csv(path.read_bytes())
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
    except CsvImportError as exc:
        raise CommandError(f"{path.name}: {exc.errors[0]}") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    if "code" not in header or "name" not in header:
        raise CommandError(
            f"{path.name}: the first line must name the columns code, name (and district_number)."
        )
    reader.fieldnames = header
    specs = []
    for line, row in enumerate(reader, start=2):
        number = (row.get("district_number") or "").strip()
        if number and not number.isdecimal():
            raise CommandError(
                f"{path.name}: line {line}: district_number must be a whole number, not {number!r}."
            )
        specs.append(
            ChoiceSpec(
                code=(row.get("code") or "").strip(),
                name=(row.get("name") or "").strip() or (row.get("code") or "").strip(),
                district_number=int(number) if number else None,
            )
        )
    return specs


class Command(BaseCommand):
    help = (
        "Create or update a contest of an election with its parties or candidates: "
        "--choices a,b,c (or code=Name,…) for a party list, or --file with the columns code, name "
        "and district_number for candidates. Existing choices are updated, never removed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--election", required=True, help="the election's slug")
        parser.add_argument("--code", required=True, help="the contest's code, e.g. party_list or smd")
        parser.add_argument("--name", required=True, help="the contest's name")
        parser.add_argument("--kind", choices=ContestKind.values, default=ContestKind.PARTY_LIST)
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--choices", help="comma-separated codes, or code=Name pairs")
        group.add_argument("--file", type=Path, help="a CSV of choices: code, name, district_number")

    def handle(self, *args, election: str, code: str, name: str, kind: str, choices, file, **options):
        target = Election.objects.filter(slug=election).first()
        if target is None:
            raise CommandError(f"No election with the slug {election!r}.")
        specs = choices_from_csv(file) if file else choices_parse(choices)
        if not specs:
            raise CommandError("Give at least one party or candidate.")
        try:
            contest = contest_define(election=target, code=code, name=name, kind=kind, choices=specs)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            self.style.SUCCESS(f"{contest.name} ({contest.code}): {contest.choices.count()} choice(s).")
        )
