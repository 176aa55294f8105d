import shutil

import pytest

from tests.ops.processes import Site


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory):
    """A SQLite database file with every migration applied, made once: each test copies it."""
    home = tmp_path_factory.mktemp("migrated")
    site = Site(home, f"sqlite:///{home / 'db.sqlite3'}")
    site.manage("migrate", "--no-input")
    return home / "db.sqlite3"


@pytest.fixture
def sqlite_site(migrated_sqlite, tmp_path):
    """An installation of the test's own on a copy of that database, its photos in the test's folder."""

    def make(name: str = "site", **environment: str) -> Site:
        database = tmp_path / f"{name}.sqlite3"
        shutil.copyfile(migrated_sqlite, database)
        return Site(tmp_path / name, f"sqlite:///{database}", **environment)

    return make
