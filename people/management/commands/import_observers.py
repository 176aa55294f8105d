from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from people.models import Organization
from people.onboarding import COLUMNS, observers_import
from stations.importers import CsvImportError
from stations.models import Election


class Command(BaseCommand):
    help = (
        "Create or update an organization's observers from a CSV (UTF-8) or Excel (.xlsx) file with the "
        "columns " + ", ".join(COLUMNS) + ". All or nothing: every bad line is reported with its number "
        "and nothing is written. People already there are found by phone, then e-mail, and updated."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organization", required=True, help="the organization's slug")
        parser.add_argument(
            "--election", help="the slug of the election whose stations are listed (default: the latest)"
        )
        parser.add_argument("file", type=Path, help="the CSV or .xlsx file")

    def handle(self, *args, organization: str, election: str | None, file: Path, **options):
        target = Organization.objects.filter(slug=organization).first()
        if target is None:
            raise CommandError(f"No organization with the slug {organization!r}.")
        chosen = self.election(election)
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        try:
            result = observers_import(organization=target, election=chosen, data=data, by=None)
        except CsvImportError as exc:
            for error in exc.errors:
                self.stderr.write(f"{file.name}: {error}")
            raise CommandError(f"{len(exc.errors)} problem(s) found; nothing was imported.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.rows} observers read for {target.name}"
                + (f" in {chosen.name}" if chosen else "")
                + f": {result.created} created, {result.updated} updated; "
                f"{result.assigned} station assignments added, {result.unassigned} removed."
            )
        )

    def election(self, slug: str | None) -> Election | None:
        if slug is None:
            return Election.objects.order_by("-date", "-pk").first()
        found = Election.objects.filter(slug=slug).first()
        if found is None:
            raise CommandError(f"No election with the slug {slug!r}.")
        return found
