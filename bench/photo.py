"""How much CPU one observer's photo costs: check, strip, re-encode and thumbnail.

    .venv/bin/python bench/photo.py [--runs 20] [--record]

Runs `process_photo` on a synthetic 12-megapixel phone photo (4000 x 3000 JPEG at quality 92,
smooth light with texture and sensor grain, EXIF with GPS, taken in portrait so it must be
turned) and reports the median and 95th percentile of CPU time (`time.process_time`) and wall
time per photo, then where the CPU goes in one profiled run. The target is at most 150 ms CPU
per photo. `--record` writes the figures into docs/benchmarks.md, replacing only this
benchmark's section.
"""

import argparse
import cProfile
import io
import math
import os
import platform
import pstats
import random
import re
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS_MD = ROOT / "docs" / "benchmarks.md"
HEADING = "## Photo pipeline (12-megapixel JPEG)"
TARGET_MS = 150.0
SEED = 2024
SIZE = (4000, 3000)
DOC_INTRO = """# Benchmarks

Timings of the paths that must stay fast at national scale. Each benchmark is a standalone
script; run it from the repository root and add `--record` to replace its section below with
the new figures.
"""
# Pillow's C entry points as cProfile names them, grouped into the steps of the pipeline.
STEPS = {
    "decode": ("decode",),
    "downscale (photo and thumbnail)": ("resize", "reduce"),
    "turn upright": ("transpose",),
    "encode JPEG": ("encode", "encode_to_file", "encode_to_pyfd"),
    "SHA-256": ("hexdigest", "openssl_sha256"),
}


def setup() -> None:
    # process_photo translates its refusals; nothing else of Django is needed here.
    sys.path.insert(0, str(ROOT))
    from django.conf import settings

    settings.configure(USE_I18N=False)


def synthetic_photo() -> bytes:
    """A 12-megapixel JPEG that compresses like a phone photo, the same on every run."""
    from PIL import ExifTags, Image

    rng = random.Random(SEED)
    light = Image.merge(
        "RGB",
        [
            Image.linear_gradient("L").resize(SIZE),
            Image.radial_gradient("L").resize(SIZE),
            Image.linear_gradient("L").rotate(90).resize(SIZE),
        ],
    )
    texture = Image.frombytes("RGB", (500, 375), rng.randbytes(500 * 375 * 3)).resize(SIZE, Image.BICUBIC)
    grain = Image.frombytes("RGB", SIZE, rng.randbytes(SIZE[0] * SIZE[1] * 3))
    picture = Image.blend(Image.blend(light, texture, 0.45), grain, 0.06)

    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "samsung"
    exif[ExifTags.Base.Model] = "SM-A525F"
    exif[ExifTags.Base.Orientation] = 6
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2024:03:17 10:11:12"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.OffsetTimeOriginal] = "+05:00"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef], gps[ExifTags.GPS.GPSLatitude] = "N", (51.0, 10.0, 30.5)
    gps[ExifTags.GPS.GPSLongitudeRef], gps[ExifTags.GPS.GPSLongitude] = "E", (71.0, 26.0, 47.0)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=92, exif=exif)
    return buffer.getvalue()


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the value that `share` of the runs did not exceed."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def measure(data: bytes, runs: int) -> dict[str, float]:
    from core.photos import process_photo

    process_photo(data)  # the first call opens Pillow's plugins
    cpu, wall = [], []
    for _ in range(runs):
        cpu_started, wall_started = time.process_time(), time.perf_counter()
        photo = process_photo(data)
        cpu.append((time.process_time() - cpu_started) * 1000)
        wall.append((time.perf_counter() - wall_started) * 1000)
    if b"Exif" in photo.image or (photo.width, photo.height) != (1500, 2000):
        sys.exit(f"unexpected output: {photo.width}x{photo.height}, EXIF present: {b'Exif' in photo.image}")
    return {
        "cpu_median": statistics.median(cpu),
        "cpu_p95": percentile(cpu, 0.95),
        "wall_median": statistics.median(wall),
        "wall_p95": percentile(wall, 0.95),
        "output_kb": len(photo.image) / 1024,
        "thumb_kb": len(photo.thumbnail) / 1024,
    }


def breakdown(data: bytes) -> dict[str, float]:
    """Milliseconds per step in one profiled run; what is left is Python, colour and copying."""
    from core.photos import process_photo

    profiler = cProfile.Profile(time.process_time)
    profiler.runcall(process_photo, data)
    stats = pstats.Stats(profiler).stats
    total = sum(entry[2] for entry in stats.values()) * 1000
    steps = dict.fromkeys(STEPS, 0.0)
    for (filename, _, name), entry in stats.items():
        for step, names in STEPS.items():
            # "~" marks C functions; the Python wrappers around them cost next to nothing.
            if filename == "~" and any(re.search(rf"\b{candidate}\b", name) for candidate in names):
                steps[step] += entry[2] * 1000
    steps["everything else"] = total - sum(steps.values())
    return steps


def machine() -> str:
    from PIL import __version__ as pillow_version
    from PIL import features

    return (
        f"{os.cpu_count()} CPUs, {platform.machine()}, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, Pillow {pillow_version}, "
        f"libjpeg-turbo {features.version('libjpeg_turbo')}"
    )


def section(runs: int, input_mb: float, figures: dict[str, float], steps: dict[str, float]) -> str:
    from core.photos import RESAMPLE

    verdict = "met" if figures["cpu_median"] <= TARGET_MS else "**missed**"
    rows = "\n".join(f"| {step} | {ms:.0f} |" for step, ms in steps.items())
    return f"""{HEADING}

`bench/photo.py`: `process_photo` on a synthetic 4000 x 3000 JPEG ({input_mb:.1f} MB, quality 92,
EXIF with GPS, orientation 6), halved by libjpeg while decoding into a 1500 x 2000 JPEG
at quality 85 ({figures["output_kb"]:.0f} KB)
and a 240 x 320 thumbnail ({figures["thumb_kb"]:.0f} KB), downscaled with {RESAMPLE.name.title()};
{runs} runs after one warm-up. Target: at most {TARGET_MS:.0f} ms CPU per photo ({verdict}).

| Per photo | CPU ms | Wall ms |
| --- | ---: | ---: |
| Median | {figures["cpu_median"]:.0f} | {figures["wall_median"]:.0f} |
| 95th percentile | {figures["cpu_p95"]:.0f} | {figures["wall_p95"]:.0f} |

Where the CPU goes, in one profiled run:

| Step | CPU ms |
| --- | ---: |
{rows}

Recorded {date.today():%Y-%m-%d} on {machine()}.
"""


def record(text: str) -> None:
    """Put `text` in place of this benchmark's section, or append it; leave the rest."""
    # Read just before writing: other benchmarks record their own sections in the same file.
    content = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else DOC_INTRO
    start = content.find(HEADING + "\n")
    if start == -1:
        content = content.rstrip("\n") + "\n\n" + text
    else:
        end = content.find("\n## ", start + len(HEADING))
        content = content[:start] + text + (content[end:] if end != -1 else "")
    BENCHMARKS_MD.parent.mkdir(exist_ok=True)
    BENCHMARKS_MD.write_text(content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="photos to time (default 20)")
    parser.add_argument("--record", action="store_true", help="write the figures into docs/benchmarks.md")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    setup()
    data = synthetic_photo()
    input_mb = len(data) / 2**20
    print(f"Photo pipeline, {args.runs} runs on a {input_mb:.1f} MB 12-megapixel JPEG: {machine()}")
    figures = measure(data, args.runs)
    print(f"CPU  median {figures['cpu_median']:6.1f} ms   p95 {figures['cpu_p95']:6.1f} ms")
    print(f"wall median {figures['wall_median']:6.1f} ms   p95 {figures['wall_p95']:6.1f} ms")
    steps = breakdown(data)
    for step, ms in steps.items():
        print(f"  {step:<32} {ms:6.1f} ms")
    if args.record:
        record(section(args.runs, input_mb, figures, steps))
        print(f"Recorded in {BENCHMARKS_MD.relative_to(ROOT)}.")
    if figures["cpu_median"] > TARGET_MS:
        print(f"The median CPU time is over the {TARGET_MS:.0f} ms target.")


if __name__ == "__main__":
    main()
