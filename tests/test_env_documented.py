"""Every environment variable the product reads is in `.env.example` and described in
docs/deployment.md, and neither lists a variable that nothing reads any more."""

import itertools
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What is not the product: the tests, the benchmarks (they set variables for themselves), the
# virtualenv, and the tests' settings module.
SKIPPED_FOLDERS = {"tests", "bench", "docs", "locale", "node_modules"}
SKIPPED_FILES = {Path("config/test_settings.py")}
# Set by manage.py, config/wsgi.py and config/celery.py themselves; an operator never sets it.
NOT_FOR_OPERATORS = {"DJANGO_SETTINGS_MODULE"}

# config/env.py's helpers and config/scrape_access.py's, the standard library's ways, and a name kept
# in a module constant (config/metrics.py reads PROMETHEUS_MULTIPROC_DIR so). A call may span lines.
READS = re.compile(
    r"""(?:
        \benv_[a-z]+\(\s*                                  # env_int("NAME", …), env_networks(…)
        | \bos\.environ\.(?:get|setdefault|pop)\(\s*       # os.environ.get("NAME")
        | \bos\.environ\[\s*                               # os.environ["NAME"]
        | \bos\.getenv\(\s*                                # os.getenv("NAME")
        | \b[A-Z_]*VARIABLE\s*=\s*                         # MULTIPROCESS_VARIABLE = "NAME"
    )["']([A-Z][A-Z0-9_]+)["']""",
    re.VERBOSE,
)
EXAMPLE_LINE = re.compile(r"^(?:# )?([A-Z][A-Z0-9_]+)=", re.MULTILINE)


def product_sources() -> list[Path]:
    sources = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0].startswith(".") or relative.parts[0] in SKIPPED_FOLDERS:
            continue
        if relative not in SKIPPED_FILES:
            sources.append(path)
    return sources


def variables_read(text: str) -> set[str]:
    return set(READS.findall(text)) - NOT_FOR_OPERATORS


def variables_read_by_the_product() -> dict[str, str]:
    """Each variable the product reads, with the first file that reads it."""
    found: dict[str, str] = {}
    for path in product_sources():
        for name in sorted(variables_read(path.read_text())):
            found.setdefault(name, str(path.relative_to(ROOT)))
    return found


def variables_in_the_example() -> set[str]:
    return set(EXAMPLE_LINE.findall((ROOT / ".env.example").read_text()))


def test_the_scan_finds_variables_however_the_code_reads_them():
    source = """
LIMIT = env_int(
    "BAQYLAU_SPREAD_OVER_LINES", 20, minimum=5
)
NETWORKS = env_networks("BAQYLAU_SOME_NETWORKS", ["127.0.0.1/32"])
direct = os.environ["DIRECT_NAME"]
maybe = os.environ.get('QUOTED_ONCE')
MULTIPROCESS_VARIABLE = "KEPT_IN_A_CONSTANT"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
text = "NOT_A_READ"
"""
    assert variables_read(source) == {
        "BAQYLAU_SPREAD_OVER_LINES",
        "BAQYLAU_SOME_NETWORKS",
        "DIRECT_NAME",
        "QUOTED_ONCE",
        "KEPT_IN_A_CONSTANT",
    }


def test_the_scan_sees_the_settings_and_the_modules_around_them():
    found = variables_read_by_the_product()
    assert found["DATABASE_URL"] == "config/settings.py"
    assert found["BAQYLAU_LOGIN_USERNAME_FAILURE_LIMIT"] == "config/settings.py"
    assert found["BAQYLAU_METRICS_NETWORKS"] == "config/settings.py"
    assert "PROMETHEUS_MULTIPROC_DIR" in found
    assert len(found) >= 60


def test_every_variable_the_product_reads_is_in_the_env_example():
    listed = variables_in_the_example()
    missing = {name: where for name, where in variables_read_by_the_product().items() if name not in listed}
    assert not missing, f"read by the code but not in .env.example: {missing}"


def test_every_variable_the_product_reads_is_described_in_the_deployment_guide():
    guide = (ROOT / "docs" / "deployment.md").read_text()
    missing = {
        name: where for name, where in variables_read_by_the_product().items() if f"`{name}`" not in guide
    }
    assert not missing, f"read by the code but not described in docs/deployment.md: {missing}"


def test_the_env_example_lists_nothing_the_product_no_longer_reads():
    stale = variables_in_the_example() - set(variables_read_by_the_product())
    assert not stale, f"in .env.example but read by no code: {sorted(stale)}"


def test_each_variable_has_one_line_in_the_env_example_under_a_comment():
    lines = (ROOT / ".env.example").read_text().splitlines()
    names = [match[1] for line in lines if (match := EXAMPLE_LINE.match(line))]
    assert len(names) == len(set(names)), "a variable is listed twice in .env.example"
    for above, line in itertools.pairwise(lines):
        # A variable sits under its comment, or under another variable of the same comment (a pair).
        if EXAMPLE_LINE.match(line):
            assert above.startswith("#") or EXAMPLE_LINE.match(above), (
                f"{line} in .env.example has no comment"
            )
