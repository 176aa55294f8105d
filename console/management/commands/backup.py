from pathlib import Path

from django.core.management.base import BaseCommand

from console import backups


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, or SQLite's backup API) and then every stored file it refers to, "
        "into a new folder with a manifest of SHA-256 sums. The secret key is not included "
        "(docs/operations.md, Backups)."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", type=Path, help="a folder that does not exist yet, or is empty")

    def handle(self, *args, destination: Path, **options):
        backups.backup(destination, self.stdout.write)
