from pathlib import Path

from django.core.management.base import BaseCommand

from console import backups


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup` into the empty database DATABASE_URL names and the photo store "
        "configured, then check every file the database refers to against the backup's SHA-256 sums "
        "(docs/operations.md, Backups)."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="the folder `backup` wrote")

    def handle(self, *args, source: Path, **options):
        backups.restore(source, self.stdout.write)
