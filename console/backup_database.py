"""The database half of a backup: a dump, and the names of the stored files the dump refers to, read
from the same moment, so that a backup never lists a file the dump does not know or misses one it does.

PostgreSQL: pg_dump in its custom format, inside a repeatable-read transaction whose snapshot pg_dump
shares (`pg_export_snapshot`), and the names read in that transaction. SQLite: the online backup API
copies the database file, and the names are read from the copy. Restoring takes an empty database
of the same kind: pg_restore, or the backup API in the other direction.
"""

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

from django.core.management.base import CommandError
from django.db import connection, transaction

POSTGRESQL, SQLITE = "postgresql", "sqlite"
DUMP_FILES = {POSTGRESQL: "database.dump", SQLITE: "database.sqlite3"}
# libpq's variables for each connection setting: pg_dump and pg_restore read them, and no password
# appears on a command line that `ps` shows.
LIBPQ = {"HOST": "PGHOST", "PORT": "PGPORT", "USER": "PGUSER", "PASSWORD": "PGPASSWORD", "NAME": "PGDATABASE"}
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
}

# Reads the names of stored files with a DB-API cursor (console.backups.referenced_names).
NameReader = Callable[[object], dict[str, str]]


def vendor() -> str:
    if connection.vendor not in DUMP_FILES:
        raise CommandError(f"Backups cover PostgreSQL and SQLite, not {connection.vendor}.")
    return connection.vendor


def dump(target: Path, read_names: NameReader) -> dict[str, str]:
    """Write the dump to `target`; return the stored files it refers to (name: field)."""
    if vendor() == POSTGRESQL:
        return _dump_postgresql(target, read_names)
    return _dump_sqlite(target, read_names)


def restore(source: Path) -> None:
    """Load the dump at `source` into the configured database, which must be empty."""
    tables = connection.introspection.table_names()
    if tables:
        raise CommandError(
            f"The database {connection.settings_dict['NAME']} already has {len(tables)} tables: restore "
            "into a new, empty database (createdb, or a path where no SQLite file exists yet)."
        )
    if vendor() == POSTGRESQL:
        # One transaction: a restore that fails half-way leaves the database empty, not half-filled.
        options = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        _run([_program("pg_restore"), *options, f"--dbname={connection.settings_dict['NAME']}", str(source)])
    else:
        _restore_sqlite(source)


def _dump_postgresql(target: Path, read_names: NameReader) -> dict[str, str]:
    connection.ensure_connection()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        # pg_dump reads the snapshot of this transaction, which stays open until it is done.
        _run([_program("pg_dump"), "--format=custom", f"--snapshot={snapshot}", f"--file={target}"])
        return read_names(cursor)


def _dump_sqlite(target: Path, read_names: NameReader) -> dict[str, str]:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        # Pages are copied at one moment even while other processes write (WAL).
        connection.connection.backup(copy)
        return read_names(copy.cursor())
    finally:
        copy.close()


def _restore_sqlite(source: Path) -> None:
    connection.close()
    backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    target = sqlite3.connect(connection.settings_dict["NAME"])
    try:
        backup.backup(target)
    finally:
        target.close()
        backup.close()


def _program(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise CommandError(
            f"{name} was not found: install the PostgreSQL client (apt-get install postgresql-client), "
            "of the server's major version or newer."
        )
    return path


def _libpq_environment() -> dict[str, str]:
    settings = connection.settings_dict
    environment = {variable: str(settings[key]) for key, variable in LIBPQ.items() if settings.get(key)}
    options = settings.get("OPTIONS") or {}
    environment |= {
        variable: str(options[key]) for key, variable in LIBPQ_OPTIONS.items() if options.get(key)
    }
    return environment


def _run(command: list[str]) -> None:
    environment = {**os.environ, **_libpq_environment()}
    finished = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)  # noqa: S603
    if finished.returncode != 0:
        raise CommandError(
            f"{Path(command[0]).name} failed ({finished.returncode}): {finished.stderr.strip()}"
        )
