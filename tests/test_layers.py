"""The layout is a rule, not a habit: import-linter's contracts (.importlinter) name every app, the
project keeps them, and an import against the grain breaks them."""

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def contracts() -> configparser.ConfigParser:
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    return config


def listed(value: str) -> list[str]:
    return [word for line in value.splitlines() for word in line.replace("|", " ").split()]


def our_apps() -> set[str]:
    return {config.name for config in apps.get_app_configs() if (ROOT / config.name).is_dir()}


def lint(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(where / ".importlinter")],
        cwd=where,
        env={"PYTHONPATH": str(where), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def copy_of_the_project(tmp_path: Path) -> Path:
    """The project's Python packages and contracts, to break without touching the real ones."""
    for package in listed(contracts()["importlinter"]["root_packages"]):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def test_the_layers_name_every_app_of_the_project_and_nothing_else():
    config = contracts()
    layers = listed(config["importlinter:contract:layers"]["layers"])
    assert len(layers) == len(set(layers))
    assert set(layers) == set(listed(config["importlinter"]["root_packages"]))
    assert set(layers) == our_apps() | {"core", "config"}
    assert set(settings.INSTALLED_APPS) >= our_apps()


def test_reports_and_counts_and_the_three_interfaces_are_declared_independent():
    config = contracts()
    assert listed(config["importlinter:contract:evidence"]["modules"]) == ["reports", "counts"]
    assert listed(config["importlinter:contract:interfaces"]["modules"]) == ["api", "console", "partners"]


def test_the_project_keeps_its_contracts():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout
    assert "3 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # A domain app reaching up into the scores it feeds.
        (
            "reports/selectors.py",
            "from integrity.models import ScoreRun",
            "reports is not allowed to import integrity",
        ),
        # The registry at the bottom reaching up to the people who use it.
        (
            "stations/services.py",
            "from people.models import Organization",
            "stations is not allowed to import people",
        ),
        # The two kinds of evidence knowing each other.
        (
            "counts/selectors.py",
            "from reports.models import IncidentReport",
            "counts is not allowed to import reports",
        ),
        # One interface borrowing another's code.
        ("partners/selectors.py", "from api import serializers", "partners is not allowed to import api"),
    ],
)
def test_an_import_against_the_grain_fails_the_check(tmp_path, module, line, broken):
    project = copy_of_the_project(tmp_path)
    assert lint(project).returncode == 0
    with (project / module).open("a") as source:
        source.write(f"\n{line}\n")
    result = lint(project)
    assert result.returncode == 1
    assert broken in result.stdout
