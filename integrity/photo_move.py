"""Moving the stored evidence files from a disk folder into the photo store (object storage): every
file a row refers to (report photos, protocol photos, their thumbnails, photo exports), each checked
by its SHA-256 after it is written.

The rows' own seal (`sha256`) is the SHA-256 of the bytes the phone sent, which are never kept (the
stored file is the stripped re-encoding), so each object is compared with the file it was copied
from, read back from the store. Safe to stop and run again: a file already in the store with the
same SHA-256 is left as it is; one that differs is written again; nothing on disk is deleted.
"""

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from django.core.files.storage import Storage

from counts.models import ProtocolCopy
from reports.models import ExportJob, ReportPhoto

BLOCK = 1 << 20
# Each model that keeps files in the photo store, with its file fields.
STORED_FILES = (
    (ReportPhoto, ("image", "thumbnail")),
    (ProtocolCopy, ("image", "thumbnail")),
    (ExportJob, ("file",)),
)


class Outcome(StrEnum):
    COPIED = "copied"
    PRESENT = "already there"
    REPLACED = "different in the store, written again"
    STORE_ONLY = "only in the store, not on disk"
    MISSING = "missing on disk and in the store"
    MISMATCH = "different in the store after writing"


# The outcomes that leave a file the rows refer to unreadable, or not as it was on disk.
FAILURES = (Outcome.MISSING, Outcome.MISMATCH)


@dataclass
class Tally:
    counts: Counter = field(default_factory=Counter)
    failed: list[str] = field(default_factory=list)

    def add(self, name: str, outcome: str) -> None:
        self.counts[outcome] += 1
        if outcome in FAILURES:
            self.failed.append(f"{name}: {outcome}")

    @property
    def done(self) -> int:
        return sum(self.counts.values())

    def summary(self) -> str:
        return "; ".join(f"{self.counts[outcome]} {outcome}" for outcome in Outcome if outcome in self.counts)


def stored_names() -> Iterator[str]:
    """Every name a row refers to in the photo store, in a fixed order."""
    for model, fields in STORED_FILES:
        for row in model.objects.order_by("pk").values_list(*fields).iterator(chunk_size=2000):
            yield from (name for name in row if name)


def stored_count() -> int:
    return sum(
        model.objects.exclude(**{name: ""}).count() for model, fields in STORED_FILES for name in fields
    )


def sha256_of(storage: Storage, name: str) -> str | None:
    """The SHA-256 of a stored file, read through; None when it is not there."""
    digest = hashlib.sha256()
    try:
        with storage.open(name, "rb") as handle:
            while block := handle.read(BLOCK):
                digest.update(block)
    except FileNotFoundError:
        return None
    return digest.hexdigest()


def move_one(name: str, *, source: Storage, target: Storage) -> str:
    """Copy one file into `target` unless it is there already with the same SHA-256; the outcome."""
    local, stored = sha256_of(source, name), sha256_of(target, name)
    if local is None:
        return Outcome.STORE_ONLY if stored is not None else Outcome.MISSING
    if stored == local:
        return Outcome.PRESENT
    if stored is not None:
        target.delete(name)
    with source.open(name, "rb") as handle:
        written = target.save(name, handle)
    if written != name:
        # Something wrote the name meanwhile, and the store kept both: the rows know only `name`.
        target.delete(written)
        return Outcome.MISMATCH
    if sha256_of(target, name) != local:
        return Outcome.MISMATCH
    return Outcome.REPLACED if stored is not None else Outcome.COPIED


def move_all(*, source: Storage, target: Storage, on_file: Callable[[str, str, Tally], None]) -> Tally:
    tally = Tally()
    for name in stored_names():
        outcome = move_one(name, source=source, target=target)
        tally.add(name, outcome)
        on_file(name, outcome, tally)
    return tally
