from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.management.base import BaseCommand, CommandError

from core.storage import ObjectStoreUnavailable, photo_storage
from integrity.photo_move import FAILURES, Outcome, Tally, move_all, stored_count

# A progress line every this many files, besides a line for every file that was not simply copied.
PROGRESS_EVERY = 100


class Command(BaseCommand):
    help = (
        "Copy every stored photo, thumbnail and photo export from a disk folder into the photo store "
        "(the bucket of BAQYLAU_S3_BUCKET), checking each file's SHA-256 after it is written. Run it "
        "again to resume: files already in the store with the same SHA-256 are skipped, files that "
        "differ are written again. Nothing on disk is deleted. Exits with 1 if a file is missing or "
        "still differs after writing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source",
            type=Path,
            help="the folder the files are in (default: the disk photo store, MEDIA_ROOT/photos)",
        )

    def handle(self, *args, source: Path | None, **options):
        folder = (source or Path(settings.MEDIA_ROOT) / "photos").resolve()
        if not folder.is_dir():
            raise CommandError(f"No folder {folder}.")
        target = photo_storage()
        if isinstance(target, FileSystemStorage) and Path(target.location).resolve() == folder:
            raise CommandError(
                f"The photo store is {folder} itself: set BAQYLAU_S3_BUCKET (docs/deployment.md, "
                "Object storage) and run this command again."
            )
        total = stored_count()
        self.stdout.write(f"Copying {total} files from {folder} into the photo store.")
        try:
            tally = move_all(
                source=FileSystemStorage(location=folder),
                target=target,
                on_file=lambda name, outcome, tally: self.progress(name, outcome, tally, total),
            )
        except ObjectStoreUnavailable:
            raise CommandError(
                "The object store stopped answering (see the log above). Run the command again once "
                "it answers: it resumes where it stopped."
            ) from None
        self.stdout.write(f"Done: {tally.done} files: {tally.summary() or 'nothing to copy'}.")
        if tally.failed:
            raise CommandError(f"{len(tally.failed)} files are not in the store as they are on disk.")

    def progress(self, name: str, outcome: str, tally: Tally, total: int) -> None:
        if outcome in FAILURES:
            self.stderr.write(f"{name}: {outcome}")
        elif outcome not in (Outcome.COPIED, Outcome.PRESENT):
            self.stdout.write(f"{name}: {outcome}")
        if tally.done % PROGRESS_EVERY == 0:
            self.stdout.write(f"{tally.done}/{total}: {tally.summary()}")
