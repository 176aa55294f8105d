"""Writing a benchmark's figures into docs/benchmarks.md: each benchmark owns one `## ` section,
which `--record` replaces (or appends, the first time), leaving every other section as it is."""

from pathlib import Path

BENCHMARKS_MD = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
DOC_INTRO = """# Benchmarks

Timings of the paths that must stay fast at national scale. Each benchmark is a standalone
script that builds its own throw-away database; run it from the repository root and add
`--record` to replace its section below with the new figures.
"""


def _bounds(content: str, heading: str) -> tuple[int, int] | None:
    """Where the section that starts with `heading` begins and ends (before the next `## `)."""
    start = content.find(heading + "\n")
    if start == -1:
        return None
    end = content.find("\n## ", start + len(heading))
    return start, end if end != -1 else len(content)


def recorded_section(heading: str) -> str:
    """The section as docs/benchmarks.md holds it now, or "" when it has none yet."""
    content = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else ""
    bounds = _bounds(content, heading)
    return content[bounds[0] : bounds[1]] if bounds else ""


def record_section(heading: str, text: str) -> None:
    """Put `text` (which starts with `heading`) in place of that section, or append it."""
    content = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else DOC_INTRO
    bounds = _bounds(content, heading)
    if bounds is None:
        content = content.rstrip("\n") + "\n\n" + text
    else:
        content = content[: bounds[0]] + text + content[bounds[1] :]
    BENCHMARKS_MD.write_text(content)
