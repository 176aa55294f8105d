from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from counts.importers import RESULT_COLUMNS
from counts.models import Contest
from counts.results import results_import
from stations.importers import CsvImportError


class Command(BaseCommand):
    help = (
        "Import a contest's official per-station results from a UTF-8 CSV with the columns "
        + ", ".join(RESULT_COLUMNS)
        + " and one column per party or candidate code. All or nothing: any bad line is reported "
        "with its number and nothing is written. A later file replaces the current results and "
        "the earlier ones are kept as history."
    )

    def add_arguments(self, parser):
        parser.add_argument("--election", required=True, help="the election's slug")
        parser.add_argument("--contest", required=True, help="the contest's code, e.g. party_list")
        parser.add_argument("file", type=Path, help="the CSV file")

    def handle(self, *args, election: str, contest: str, file: Path, **options):
        target = (
            Contest.objects.filter(election__slug=election, code=contest).select_related("election").first()
        )
        if target is None:
            known = ", ".join(Contest.objects.filter(election__slug=election).values_list("code", flat=True))
            raise CommandError(
                f"No contest {contest!r} in an election with the slug {election!r}"
                + (f" (its contests: {known})." if known else ".")
            )
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        try:
            batch = results_import(contest=target, data=data, filename=file.name)
        except CsvImportError as exc:
            for error in exc.errors:
                self.stderr.write(f"{file.name}: {error}")
            raise CommandError(f"{len(exc.errors)} problem(s) found; nothing was imported.") from None
        self.stdout.write(
            self.style.SUCCESS(f"{batch.rows} stations' results imported for {target.name} ({target.code}).")
        )
