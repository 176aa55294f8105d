from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from stations.importers import STATION_COLUMNS, CsvImportError
from stations.models import Election
from stations.services import stations_import


class Command(BaseCommand):
    help = (
        "Create or update an election's polling stations from a UTF-8 CSV with the columns "
        + ", ".join(STATION_COLUMNS)
        + ". All or nothing: any bad row is reported with its line number and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("--election", required=True, help="the election's slug")
        parser.add_argument("file", type=Path, help="the CSV file")

    def handle(self, *args, election: str, file: Path, **options):
        try:
            target = Election.objects.get(slug=election)
        except Election.DoesNotExist:
            raise CommandError(f"No election with the slug {election!r}.") from None
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        try:
            batch = stations_import(election=target, data=data, filename=file.name)
        except CsvImportError as exc:
            for error in exc.errors:
                self.stderr.write(f"{file.name}: {error}")
            raise CommandError(f"{len(exc.errors)} problem(s) found; nothing was imported.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{batch.rows} stations read: {batch.created} created, {batch.updated} updated, "
                f"{batch.rows - batch.created - batch.updated} unchanged."
            )
        )
