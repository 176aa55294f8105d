"""Backups of an installation, and their restore (the `backup` and `restore` commands; the procedure is
in docs/operations.md, "Backups").

A backup is a folder: the database dump first, then a copy of every stored file a row of that dump
refers to (report and protocol photos, their thumbnails, photo exports), read through each file
field's storage, so the same command serves a photo store on disk and in a bucket; `manifest.json`
is written last and lists each file with its size and SHA-256. The secret key is not in it: it stays
in the operator's password manager, and the manifest keeps only a fingerprint to compare with.

A restore loads the dump into an empty database, writes the files back through the storage, and then
checks every file the restored rows refer to: present, and with the SHA-256 the manifest recorded. The
rows' own `sha256` is the seal of the bytes the phone sent, which are never stored (the stored file is
their stripped re-encoding), so the manifest is what a stored file is checked against.
"""

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.core.files import File
from django.core.files.storage import Storage
from django.core.management.base import CommandError
from django.db import connection, models
from django.utils import timezone
from django.utils.crypto import salted_hmac

from console import backup_database

FORMAT = 1
MANIFEST = "manifest.json"
FILES = "files"
BLOCK = 1 << 20
KEY_NOTE = "Not in this backup: keep DJANGO_SECRET_KEY in the password manager and restore with the same key."
Say = Callable[[str], None]


@dataclass(frozen=True)
class StoredFile:
    name: str
    field: str
    sha256: str
    size: int


def file_fields() -> dict[str, models.FileField]:
    """Every file field of every installed model, by "app_label.Model.field"."""
    return {
        f"{model._meta.label}.{field.name}": field
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField)
    }


def referenced_names(cursor) -> dict[str, str]:
    """The stored files the database refers to, name: field, read with a DB-API cursor."""
    names: dict[str, str] = {}
    for label, field in sorted(file_fields().items()):
        table, column = _quoted(field.model._meta.db_table), _quoted(field.column)
        cursor.execute(f"SELECT DISTINCT {column} FROM {table} WHERE {column} <> ''")  # noqa: S608
        for (name,) in cursor.fetchall():
            names.setdefault(name, label)
    return dict(sorted(names.items()))


def secret_key_fingerprint() -> str:
    """Says whether two installations share a secret key, and nothing about the key."""
    return salted_hmac("baqylau.backup", "secret key fingerprint").hexdigest()[:16]


def backup(destination: Path, say: Say) -> None:
    _prepare(destination)
    engine = backup_database.vendor()
    dump = destination / backup_database.DUMP_FILES[engine]
    names = backup_database.dump(dump, referenced_names)
    say(
        f"Database ({engine}): {dump.name}, {dump.stat().st_size:,} bytes, referring to {len(names):,} files."
    )
    copied, missing = _copy_all(names, destination / FILES, say)
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": {"vendor": engine, "file": dump.name, "sha256": _sha256_file(dump)},
        "files": [asdict(stored) for stored in copied],
        "missing": missing,
        "secret_key": KEY_NOTE,
        "secret_key_fingerprint": secret_key_fingerprint(),
    }
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=1))
    say(f"Files: {len(copied):,} copied, {sum(stored.size for stored in copied):,} bytes.")
    if missing:
        raise CommandError(
            f"The backup in {destination} is written, but {len(missing)} files the database refers to were "
            f"not in the store: {_listed(missing)}"
        )
    say(f"Backup complete: {destination}. {KEY_NOTE}")


def _copy_all(names: dict[str, str], folder: Path, say: Say) -> tuple[list[StoredFile], list[str]]:
    """Each named file copied from its field's storage into `folder`; and the names not found."""
    fields, copied, missing = file_fields(), [], []
    for index, (name, label) in enumerate(names.items(), start=1):
        storage = fields[label].storage
        if storage.exists(name):
            copied.append(_copy_out(storage, name, label, folder / _safe(name)))
        else:
            missing.append(name)
        if index % 1000 == 0:
            say(f"  {index:,} of {len(names):,} files")
    return copied, missing


def restore(source: Path, say: Say) -> None:
    manifest = read_manifest(source)
    engine = manifest["database"]["vendor"]
    if engine != backup_database.vendor():
        raise CommandError(
            f"This backup is of a {engine} database; DATABASE_URL names a {connection.vendor} one."
        )
    dump = source / manifest["database"]["file"]
    if _sha256_file(dump) != manifest["database"]["sha256"]:
        raise CommandError(f"{dump} is missing or not the dump the manifest recorded (its SHA-256 differs).")
    backup_database.restore(dump)
    say(f"Database restored from {dump.name}.")
    files = [StoredFile(**entry) for entry in manifest["files"]]
    written = sum(restore_file(stored, source) for stored in files)
    say(f"Files: {written:,} written, {len(files) - written:,} already there.")
    problems = verify({stored.name: stored for stored in files}, set(manifest["missing"]))
    if problems:
        raise CommandError(
            f"{len(problems)} files the restored database refers to are not right: {_listed(problems)}"
        )
    say(f"Checked: every file the database refers to is there, as backed up ({len(files):,} in the backup).")
    if manifest["secret_key_fingerprint"] != secret_key_fingerprint():
        say(
            "Warning: DJANGO_SECRET_KEY differs from the backed-up installation's: "
            "sessions and signed links made before fail."
        )


def read_manifest(source: Path) -> dict:
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError:
        raise CommandError(
            f"{source} holds no {MANIFEST}: not a backup, or one that did not finish."
        ) from None
    except ValueError as exc:
        raise CommandError(f"{source / MANIFEST} is not readable JSON: {exc}") from None
    if not _well_formed(manifest):
        raise CommandError(f"{source / MANIFEST} is not a backup manifest of format {FORMAT}.")
    return manifest


def _well_formed(manifest) -> bool:
    try:
        database, files = manifest["database"], manifest["files"]
        return (
            manifest["format"] == FORMAT
            and database["file"] in backup_database.DUMP_FILES.values()
            and {"vendor", "sha256"} <= database.keys()
            and all(entry.keys() == StoredFile.__dataclass_fields__.keys() for entry in files)
            and isinstance(manifest["missing"], list)
            and isinstance(manifest["secret_key_fingerprint"], str)
        )
    except (AttributeError, KeyError, TypeError):
        return False


def restore_file(stored: StoredFile, source: Path) -> bool:
    """Write one file back through its field's storage; False when it is there already, unchanged."""
    field = file_fields().get(stored.field)
    if field is None:
        raise CommandError(f"{stored.name} belongs to {stored.field}, which this version has no longer.")
    copy = source / FILES / _safe(stored.name)
    if _sha256_file(copy) != stored.sha256:
        raise CommandError(f"{copy} is missing or damaged: its SHA-256 is not the one the manifest recorded.")
    if field.storage.exists(stored.name):
        if sha256_stored(field.storage, stored.name) == stored.sha256:
            return False
        raise CommandError(
            f"{stored.name} is already in the store, with other contents: restore into an empty store."
        )
    with copy.open("rb") as handle:
        saved = field.storage.save(stored.name, File(handle, name=stored.name))
    if saved != stored.name:
        raise CommandError(f"The store saved {stored.name} as {saved}.")
    return True


def verify(recorded: dict[str, StoredFile], missing_at_backup: set[str]) -> list[str]:
    """What is wrong with the files the configured database refers to (nothing: an empty list)."""
    fields, problems = file_fields(), []
    with connection.cursor() as cursor:
        names = referenced_names(cursor)
    for name, label in names.items():
        if name in missing_at_backup:
            problems.append(f"{name}: already missing from the store when the backup was made")
        elif name not in recorded:
            problems.append(f"{name}: not in the backup")
        elif sha256_stored(fields[label].storage, name) != recorded[name].sha256:
            problems.append(f"{name}: missing from the store, or not the file that was backed up")
    return problems


def sha256_stored(storage: Storage, name: str) -> str | None:
    if not storage.exists(name):
        return None
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        for block in _blocks(handle):
            digest.update(block)
    return digest.hexdigest()


def _copy_out(storage: Storage, name: str, label: str, target: Path) -> StoredFile:
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with storage.open(name, "rb") as source, target.open("xb") as out:
        for block in _blocks(source):
            digest.update(block)
            out.write(block)
            size += len(block)
    return StoredFile(name=name, field=label, sha256=digest.hexdigest(), size=size)


def _prepare(destination: Path) -> None:
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise CommandError(
            f"{destination} exists and is not an empty folder: give a new one for each backup."
        )
    destination.mkdir(parents=True, exist_ok=True)
    destination.chmod(0o700)


def _safe(name: str) -> PurePosixPath:
    """A stored name as a path under the backup's files folder; never one that climbs out of it."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or any(part in ("", ".", "..") for part in name.split("/")):
        raise CommandError(f"Refusing the stored file name {name!r}: it would leave the backup's folder.")
    return path


def _blocks(handle) -> Iterator[bytes]:
    while block := handle.read(BLOCK):
        yield block


def _sha256_file(path: Path) -> str | None:
    if not path.is_file():
        return None
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in _blocks(handle):
            digest.update(block)
    return digest.hexdigest()


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _listed(items: list[str], shown: int = 20) -> str:
    more = f" and {len(items) - shown} more" if len(items) > shown else ""
    return "; ".join(items[:shown]) + more
